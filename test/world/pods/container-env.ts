/**
 * A container's environment, resolved as kubelet resolves it: `envFrom` first, then `env` in
 * order, each value expanding `$(VAR)` from the variables defined before it; `fieldRef`,
 * `secretKeyRef` and `configMapKeyRef` from the pod and its namespace's objects. Pure: the
 * ConfigMaps and Secrets come in as data.
 */
import type { Container, Pod } from './pod-types.ts';

/** ConfigMap and Secret data by name (Secret values already decoded). Missing: undefined. */
interface EnvSources {
  configMap(name: string): Record<string, string> | undefined;
  secret(name: string): Record<string, string> | undefined;
}

/** The names of the ConfigMaps and Secrets a container's env refers to. */
export function envReferences(container: Container): { configMaps: string[]; secrets: string[] } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef?.name !== undefined) configMaps.add(from.configMapRef.name);
    if (from.secretRef?.name !== undefined) secrets.add(from.secretRef.name);
  }
  for (const env of container.env ?? []) {
    if (env.valueFrom?.configMapKeyRef?.name !== undefined) configMaps.add(env.valueFrom.configMapKeyRef.name);
    if (env.valueFrom?.secretKeyRef?.name !== undefined) secrets.add(env.valueFrom.secretKeyRef.name);
  }
  return { configMaps: [...configMaps], secrets: [...secrets] };
}

/**
 * Expands `$(NAME)` references from `vars`, as kubelet does: `$$` is a literal `$`, and a
 * reference to an undefined variable stays as written.
 */
export function expandVars(input: string, vars: Readonly<Record<string, string>>): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c !== '$' || i + 1 >= input.length) {
      out += c;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
      continue;
    }
    if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close > 0) {
        const name = input.slice(i + 2, close);
        const value = vars[name];
        out += value ?? `$(${name})`;
        i = close;
        continue;
      }
    }
    out += c;
  }
  return out;
}

/** The value of a downward-API `fieldPath` for a pod, or undefined when unsupported. */
export function fieldValue(pod: Pod, fieldPath: string, ips: { podIP: string; hostIP: string }): string | undefined {
  const meta = pod.metadata;
  const keyed = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (keyed !== null) {
    const map = keyed[1] === 'labels' ? meta.labels : meta.annotations;
    return map?.[keyed[2] ?? ''] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.name':
      return meta.name;
    case 'metadata.namespace':
      return meta.namespace;
    case 'metadata.uid':
      return meta.uid;
    case 'metadata.labels':
      return formatMap(meta.labels);
    case 'metadata.annotations':
      return formatMap(meta.annotations);
    case 'spec.nodeName':
      return pod.spec.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? 'default';
    case 'status.podIP':
    case 'status.podIPs':
      return ips.podIP;
    case 'status.hostIP':
    case 'status.hostIPs':
      return ips.hostIP;
    default:
      return undefined;
  }
}

function formatMap(map: Record<string, string> | undefined): string {
  return Object.entries(map ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join('\n');
}

/** Options of `resolveEnv`. */
export interface ResolveEnvInput {
  pod: Pod;
  container: Container;
  ips: { podIP: string; hostIP: string };
  sources: EnvSources;
}

/**
 * The container's env, or the error kubelet reports (`CreateContainerConfigError`) for a
 * reference to a missing, non-optional ConfigMap, Secret or key.
 */
export function resolveEnv(input: ResolveEnvInput): { env: Record<string, string> } | { error: string } {
  const { pod, container, ips, sources } = input;
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    const ref = from.configMapRef ?? from.secretRef;
    if (ref?.name === undefined) continue;
    const data = from.configMapRef !== undefined ? sources.configMap(ref.name) : sources.secret(ref.name);
    if (data === undefined) {
      if (ref.optional === true) continue;
      return { error: `${from.configMapRef !== undefined ? 'configmap' : 'secret'} "${ref.name}" not found` };
    }
    for (const [key, value] of Object.entries(data)) env[`${prefix}${key}`] = value;
  }
  for (const entry of container.env ?? []) {
    const from = entry.valueFrom;
    if (from === undefined) {
      env[entry.name] = expandVars(entry.value ?? '', env);
      continue;
    }
    if (from.fieldRef?.fieldPath !== undefined) {
      const value = fieldValue(pod, from.fieldRef.fieldPath, ips);
      if (value === undefined) return { error: `unsupported fieldPath "${from.fieldRef.fieldPath}" in env ${entry.name}` };
      env[entry.name] = value;
      continue;
    }
    const keyRef = from.secretKeyRef ?? from.configMapKeyRef;
    if (keyRef?.name !== undefined && keyRef.key !== undefined) {
      const isSecret = from.secretKeyRef !== undefined;
      const data = isSecret ? sources.secret(keyRef.name) : sources.configMap(keyRef.name);
      const value = data?.[keyRef.key];
      if (value === undefined) {
        if (keyRef.optional === true) continue;
        return { error: `${isSecret ? 'secret' : 'configmap'} "${keyRef.name}" ${data === undefined ? 'not found' : `has no key "${keyRef.key}"`} (env ${entry.name})` };
      }
      env[entry.name] = value;
      continue;
    }
    if (from.resourceFieldRef !== undefined) {
      // No resource accounting on this node: report what a pod without limits sees (node capacity).
      env[entry.name] = from.resourceFieldRef.resource?.includes('memory') === true ? String(64 * 1024 ** 3) : '8';
      continue;
    }
    return { error: `env ${entry.name} has an unsupported valueFrom` };
  }
  return { env };
}

/** `command` and `args` with `$(VAR)` expanded from the resolved env. */
export function expandCommand(container: Container, env: Readonly<Record<string, string>>): { command: string[]; args: string[] } {
  return {
    command: (container.command ?? []).map((part) => expandVars(part, env)),
    args: (container.args ?? []).map((part) => expandVars(part, env)),
  };
}
