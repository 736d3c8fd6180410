/**
 * A pod's volumes as host folders: emptyDir inside the pod's folder (gone with the pod), a
 * PersistentVolumeClaim as a folder keyed by namespace and claim name (it outlives the pod and
 * comes back for the same claim), ConfigMap, Secret, downward-API and projected volumes as files,
 * the service-account token from the TokenRequest API, as kubelet projects it.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { unlessNotFound } from '../kube.ts';
import type { WorldKube } from '../kube.ts';
import { fieldValue } from './container-env.ts';
import type { KeyToPath, Pod, Volume } from './pod-types.ts';

/** What volumes need from the world. */
export interface VolumeContext {
  kube: WorldKube;
  pod: Pod;
  ips: { podIP: string; hostIP: string };
  /** The pod's own folder. */
  podDir: string;
  /** The folder of a claim: same namespace and name, same folder. */
  claimDir(namespace: string, claimName: string): string;
  caPem: string;
}

/** The host folder of a PersistentVolumeClaim under the world's claim root. */
export function claimFolder(root: string, namespace: string, claimName: string): string {
  return join(root, namespace, claimName);
}

/** Fetches a ConfigMap's or Secret's data, decoded; undefined when it does not exist. */
export async function fetchData(kube: WorldKube, namespace: string, kind: 'configmaps' | 'secrets', name: string): Promise<Record<string, string> | undefined> {
  const object: { data?: Record<string, string> } | undefined = await unlessNotFound(
    kind === 'configmaps' ? kube.core.readNamespacedConfigMap({ namespace, name }) : kube.core.readNamespacedSecret({ namespace, name }),
  );
  if (object === undefined) return undefined;
  const data = object.data ?? {};
  if (kind === 'configmaps') return { ...data };
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

/** Requests a token for the pod's service account, bound to the pod. */
export async function serviceAccountToken(kube: WorldKube, pod: Pod, expirationSeconds = 3600, audience?: string): Promise<string> {
  const ns = pod.metadata.namespace ?? 'default';
  const sa = pod.spec.serviceAccountName ?? 'default';
  const response = await kube.core.createNamespacedServiceAccountToken({
    namespace: ns,
    name: sa,
    body: {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: {
        expirationSeconds,
        audiences: audience === undefined ? [] : [audience],
        boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid },
      },
    },
  });
  const token = response.status?.token;
  if (token === undefined) throw new Error(`TokenRequest for ${ns}/${sa} returned no token`);
  return token;
}

// Each file is replaced whole (a rename), as kubelet swaps its `..data` link: a reader sees the
// old content or the new, never half of it. Unchanged files are left alone (same inode, same mtime).
async function writeKeyed(dir: string, data: Record<string, string>, items: readonly KeyToPath[] | undefined): Promise<void> {
  const entries = items === undefined ? Object.entries(data).map(([key, value]) => [key, value] as const) : items.map((item) => [item.path, data[item.key ?? ''] ?? ''] as const);
  for (const [path, value] of entries) {
    const file = join(dir, path);
    if ((await readFile(file, 'utf8').catch(() => undefined)) === value) continue;
    await mkdir(dirname(file), { recursive: true });
    await writeFile(`${file}.new`, value);
    await rename(`${file}.new`, file);
  }
}

/**
 * Brings a ConfigMap or Secret volume up to date with its object, as kubelet's periodic sync does
 * (a changed value reaches the running pod's file; a deleted object leaves the last files).
 * Other kinds of volume are left as they are.
 */
export async function refreshVolume(volume: Volume, dir: string, context: Pick<VolumeContext, 'kube' | 'pod'>): Promise<void> {
  const source = volume.secret ?? volume.configMap;
  if (source === undefined) return;
  const isSecret = volume.secret !== undefined;
  const name = volume.secret?.secretName ?? volume.configMap?.name ?? '';
  const data = await fetchData(context.kube, context.pod.metadata.namespace ?? 'default', isSecret ? 'secrets' : 'configmaps', name);
  if (data !== undefined) await writeKeyed(dir, data, source.items);
}

async function writeDownward(dir: string, items: readonly KeyToPath[], context: VolumeContext): Promise<void> {
  for (const item of items) {
    const value = item.fieldRef?.fieldPath === undefined ? '' : (fieldValue(context.pod, item.fieldRef.fieldPath, context.ips) ?? '');
    const file = join(dir, item.path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, value);
  }
}

/** Makes one volume and returns its host folder. Throws when a non-optional source is missing. */
export async function materializeVolume(volume: Volume, context: VolumeContext): Promise<string> {
  const ns = context.pod.metadata.namespace ?? 'default';
  if (volume.persistentVolumeClaim !== undefined) {
    const dir = context.claimDir(ns, volume.persistentVolumeClaim.claimName);
    await mkdir(dir, { recursive: true });
    return dir;
  }
  if (volume.hostPath !== undefined) {
    await mkdir(volume.hostPath.path, { recursive: true });
    return volume.hostPath.path;
  }
  const dir = join(context.podDir, 'volumes', volume.name);
  await mkdir(dir, { recursive: true });
  if (volume.configMap !== undefined || volume.secret !== undefined) {
    const isSecret = volume.secret !== undefined;
    const name = isSecret ? (volume.secret?.secretName ?? '') : (volume.configMap?.name ?? '');
    const data = await fetchData(context.kube, ns, isSecret ? 'secrets' : 'configmaps', name);
    const optional = (isSecret ? volume.secret?.optional : volume.configMap?.optional) === true;
    if (data === undefined && !optional) throw new Error(`${isSecret ? 'secret' : 'configmap'} "${name}" not found`);
    await writeKeyed(dir, data ?? {}, isSecret ? volume.secret?.items : volume.configMap?.items);
  } else if (volume.downwardAPI !== undefined) {
    await writeDownward(dir, volume.downwardAPI.items ?? [], context);
  } else if (volume.projected !== undefined) {
    for (const source of volume.projected.sources ?? []) {
      if (source.configMap !== undefined || source.secret !== undefined) {
        const isSecret = source.secret !== undefined;
        const ref = source.secret ?? source.configMap;
        const data = await fetchData(context.kube, ns, isSecret ? 'secrets' : 'configmaps', ref?.name ?? '');
        if (data === undefined && ref?.optional !== true) throw new Error(`${isSecret ? 'secret' : 'configmap'} "${ref?.name ?? ''}" not found`);
        await writeKeyed(dir, data ?? {}, ref?.items);
      } else if (source.downwardAPI !== undefined) {
        await writeDownward(dir, source.downwardAPI.items ?? [], context);
      } else if (source.serviceAccountToken !== undefined) {
        const token = await serviceAccountToken(context.kube, context.pod, source.serviceAccountToken.expirationSeconds, source.serviceAccountToken.audience);
        await writeFile(join(dir, source.serviceAccountToken.path), token, { mode: 0o600 });
      }
    }
  }
  return dir;
}
