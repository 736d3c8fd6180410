/**
 * Where the Kubernetes world's binaries live: the pinned versions, the cache folder keyed by
 * them, and the envtest convention (`KUBEBUILDER_ASSETS`) that overrides both.
 *
 * The cache sits outside the work tree so that a fresh clone on the same machine (CI runs one)
 * reuses binaries that take many minutes to build. Helm, which the chart's tests run, and promtool,
 * which lints `/metrics`, have their own keys and folders, so changing their versions never
 * rebuilds the Kubernetes binaries.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The pinned releases. Changing one changes the cache key, so the next setup rebuilds. */
export const VERSIONS = {
  kubernetes: 'v1.35.4',
  etcd: 'v3.6.16',
  coredns: 'v1.14.7',
  /** Bumped when the build recipe (flags, patches) changes. */
  recipe: '2',
} as const;

/** Every binary the world runs. */
export const BINARY_NAMES = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'coredns'] as const;
/** One of the world's binaries. */
export type BinaryName = (typeof BINARY_NAMES)[number];

/** Env var that moves the cache root (default `${XDG_CACHE_HOME:-~/.cache}/starrocks-k8s-world`). */
const CACHE_ENV = 'STARROCKS_WORLD_CACHE';

/** The cache key: a short hash of the versions, the recipe and the platform. */
export function versionsKey(platform: string = `${process.platform}-${process.arch}`): string {
  return createHash('sha256').update(JSON.stringify({ ...VERSIONS, platform })).digest('hex').slice(0, 12);
}

function cacheRoot(env: NodeJS.ProcessEnv): string {
  return env[CACHE_ENV] ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'starrocks-k8s-world');
}

/** The folder the built binaries go to. */
export function cacheBinDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), versionsKey(), 'bin');
}

/** The pinned Helm release (its Go module helm.sh/helm/v3) the chart's tests run. */
export const HELM = {
  version: 'v3.22.0',
  /** Bumped when Helm's build recipe (flags) changes. */
  recipe: '1',
} as const;

/** Helm's own cache folder, keyed by its version, recipe and the platform. */
export function helmBinDir(env: NodeJS.ProcessEnv = process.env, platform: string = `${process.platform}-${process.arch}`): string {
  return join(cacheRoot(env), `helm-${HELM.version}-r${HELM.recipe}-${platform}`, 'bin');
}

/** The cached `helm` binary, or undefined when it is not built yet. */
export function locateHelm(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = join(helmBinDir(env), 'helm');
  return existsSync(path) ? path : undefined;
}

/** The pinned Prometheus release (its Go module github.com/prometheus/prometheus) whose `promtool` lints `/metrics`. */
export const PROMTOOL = {
  version: 'v0.316.0',
  /** Bumped when promtool's build recipe (flags) changes. */
  recipe: '2',
} as const;

/** promtool's own cache folder, keyed by its version, recipe and the platform. */
export function promtoolBinDir(env: NodeJS.ProcessEnv = process.env, platform: string = `${process.platform}-${process.arch}`): string {
  return join(cacheRoot(env), `promtool-${PROMTOOL.version}-r${PROMTOOL.recipe}-${platform}`, 'bin');
}

/** The cached `promtool` binary, or undefined when it is not built yet. */
export function locatePromtool(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = join(promtoolBinDir(env), 'promtool');
  return existsSync(path) ? path : undefined;
}

/** Where each binary is. */
export type BinaryPaths = Record<BinaryName, string>;

/**
 * Where each binary is: in `KUBEBUILDER_ASSETS` when that folder holds it (envtest folders hold
 * etcd and kube-apiserver, sometimes more), else in the cache. Lists the missing ones.
 */
export function locateBinaries(env: NodeJS.ProcessEnv = process.env): { paths: BinaryPaths; missing: BinaryName[] } {
  const assets = env.KUBEBUILDER_ASSETS;
  const cache = cacheBinDir(env);
  const missing: BinaryName[] = [];
  const entries = BINARY_NAMES.map((name) => {
    if (assets !== undefined && assets !== '' && existsSync(join(assets, name))) return [name, join(assets, name)];
    const cached = join(cache, name);
    if (!existsSync(cached)) missing.push(name);
    return [name, cached];
  });
  return { paths: Object.fromEntries(entries) as BinaryPaths, missing };
}
