/**
 * The images this world can "pull": each names what its Dockerfile sets (ENTRYPOINT, CMD), the
 * files it holds (container path -> host path, added to the pod's path map) and the programs it
 * holds (container path -> a local program). A container runs its image's entrypoint when it sets
 * no `command`, as on a real node; an image missing from the table cannot be pulled, and its
 * container waits in ErrImagePull / ImagePullBackOff instead of running anything.
 *
 * Every image is also a base OS: system tools (`sh`, `sleep`, `python3`) come from this machine.
 */
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { PathMapping } from './path-map.ts';
import { sleep } from '../../../agent/contract/backoff.ts';

/** Where an image's programs live on this machine. */
export interface ImageHost {
  /** This Node's executable. */
  nodePath: string;
  repoRoot: string;
}

/** What a program of an image runs: a local file, or (for wrappers such as tini) another argv. */
type ProgramRun = { file: string; args: string[] } | { exec: string[] };

/** One image the world knows. */
export interface WorldImage {
  /** The table entry's name, for logs and `imageID`. */
  kind: string;
  entrypoint: readonly string[];
  cmd: readonly string[];
  /** Whether `/opt/starrocks` holds a StarRocks install tree (the simulator's). */
  starrocksTree: boolean;
  /** Files of the image at container paths, as host paths. */
  files(host: ImageHost): PathMapping[];
  /** Programs of the image by container path (exact), run as local programs. */
  programs: Readonly<Record<string, (args: readonly string[], host: ImageHost) => ProgramRun>>;
  /** Makes the image's files (a build), before its first container starts: its "pull". */
  pull?(host: ImageHost): Promise<void>;
}

/** `dist/starrocks-controller.mjs`, the bundle the controller image holds. */
const CONTROLLER_BUNDLE = join('dist', 'starrocks-controller.mjs');

/** `dist/starrocks-agent`, the agent's single executable (images/build-sea.ts) the agent image holds. */
export const AGENT_EXECUTABLE = join('dist', 'starrocks-agent');

/** Where images/agent.Dockerfile puts the executable (its ENTRYPOINT). */
const AGENT_IMAGE_BIN = '/starrocks-agent';

const AGENT_BIN = '/opt/starrocks-agent/starrocks-agent';

const node = (args: readonly string[], host: ImageHost): ProgramRun => ({ file: host.nodePath, args: [...args] });

const agent = (args: readonly string[], host: ImageHost): ProgramRun => ({ file: host.nodePath, args: [join(host.repoRoot, 'agent', 'main.ts'), ...args] });

// tini -- PROGRAM ARGS: tini only reaps orphans and forwards signals, so the program stands in for it.
const tini = (args: readonly string[]): ProgramRun => ({ exec: args[0] === '--' ? args.slice(1) : [...args] });

// images/entrypoint.sh: the official operator's entrypoint paths hand over to the agent.
const agentEntrypoint = (): ProgramRun => ({ exec: [AGENT_BIN, 'run'] });

/** images/controller.Dockerfile: the bundled controller on node:24-bookworm-slim. */
const CONTROLLER: WorldImage = {
  kind: 'starrocks-controller',
  entrypoint: ['node', '/opt/starrocks-controller/starrocks-controller.mjs'],
  cmd: ['run'],
  starrocksTree: false,
  files: (host) => [{ containerPath: '/opt/starrocks-controller/starrocks-controller.mjs', hostPath: join(host.repoRoot, CONTROLLER_BUNDLE) }],
  programs: { node, '/usr/local/bin/node': node },
  pull: (host) => buildControllerBundle(host.repoRoot),
};

/**
 * images/agent.Dockerfile: the agent's single executable and nothing else. Its container runs the
 * real `dist/starrocks-agent` (an ELF file, Node and the bundle in one), which copies itself into
 * the pod's emptyDir; the stock images' containers then run that copy (a path inside a mount runs
 * the host file behind it, local-command.ts), so world tests exercise the artifact users get.
 */
const AGENT_EXECUTABLE_IMAGE: WorldImage = {
  kind: 'starrocks-agent-executable',
  entrypoint: [AGENT_IMAGE_BIN],
  cmd: ['install', '--to', '/opt/starrocks-agent'],
  starrocksTree: false,
  files: () => [],
  programs: { [AGENT_IMAGE_BIN]: (args, host) => ({ file: join(host.repoRoot, AGENT_EXECUTABLE), args: [...args] }) },
  pull: (host) => buildAgentExecutable(host.repoRoot),
};

/**
 * The official StarRocks images (docker/dockerfiles/fe/fe-ubuntu.Dockerfile, be-ubuntu, cn-ubuntu
 * in StarRocks/starrocks): the install tree on ubuntu:22.04, which sets no ENTRYPOINT, so its
 * `CMD ["/bin/bash"]` is what runs without a command.
 */
const OFFICIAL: WorldImage = {
  kind: 'starrocks-official',
  entrypoint: [],
  cmd: ['/bin/bash'],
  starrocksTree: true,
  files: () => [],
  programs: {},
};

/**
 * images/fe.Dockerfile and be.Dockerfile: the official image plus the agent behind tini. Its
 * agent runs from the sources (a fast path: no executable to build); on a real node the injected
 * copy mounted over /opt/starrocks-agent is what runs, which this world's program table bypasses.
 */
const AGENT: WorldImage = {
  kind: 'starrocks-agent',
  entrypoint: ['/usr/bin/tini', '--', AGENT_BIN],
  cmd: ['run'],
  starrocksTree: true,
  files: () => [],
  programs: {
    [AGENT_BIN]: agent,
    '/usr/bin/tini': tini,
    '/usr/local/bin/node': node,
    '/opt/starrocks/fe_entrypoint.sh': agentEntrypoint,
    '/opt/starrocks/be_entrypoint.sh': agentEntrypoint,
    '/opt/starrocks/cn_entrypoint.sh': agentEntrypoint,
  },
};

const baseline = (args: readonly string[], host: ImageHost): ProgramRun => ({ file: host.nodePath, args: [join(host.repoRoot, 'test', 'chaos', 'baseline', 'main.ts'), ...args] });

// The official entrypoint paths run the baseline's `run`, with their argument ($(FE_SERVICE_NAME)).
const baselineEntrypoint = (args: readonly string[]): ProgramRun => ({ exec: [AGENT_BIN, 'run', ...args] });

/**
 * The chaos suite's baseline (test/chaos/baseline): the AGENT image with the agent replaced by a
 * model of the official operator's container scripts, so the same rendered pods run the other
 * product's behaviour (entrypoint on `run`, stop script on `prestop`, /api/health as probes).
 */
const BASELINE: WorldImage = {
  ...AGENT,
  kind: 'starrocks-baseline',
  programs: {
    ...AGENT.programs,
    [AGENT_BIN]: baseline,
    '/opt/starrocks/fe_entrypoint.sh': baselineEntrypoint,
    '/opt/starrocks/be_entrypoint.sh': baselineEntrypoint,
    '/opt/starrocks/cn_entrypoint.sh': baselineEntrypoint,
  },
};

const nginx = (args: readonly string[], host: ImageHost): ProgramRun => ({
  file: host.nodePath,
  args: [join(host.repoRoot, 'test', 'world', 'pods', 'nginx-container.ts'), ...args],
});

/**
 * The official nginx image (the FE proxy's): `/docker-entrypoint.sh` configures nothing the proxy
 * uses and execs its arguments; `nginx` is this machine's (Debian's nginx-light), run by
 * nginx-container.ts on the pod's mounted conf.
 */
const NGINX: WorldImage = {
  kind: 'nginx',
  entrypoint: ['/docker-entrypoint.sh'],
  cmd: ['nginx', '-g', 'daemon off;'],
  starrocksTree: false,
  files: () => [],
  programs: { '/docker-entrypoint.sh': (args) => ({ exec: [...args] }), nginx, '/usr/sbin/nginx': nginx },
};

/** A public base image whose tools this machine has; `cmd` as its Dockerfile sets it. */
function toolImage(kind: string, cmd: string[]): WorldImage {
  return { kind, entrypoint: [], cmd, starrocksTree: false, files: () => [], programs: {} };
}

/** Repository names (without registry and tag) and their images. */
const TABLE: readonly { repository: RegExp; image: WorldImage }[] = [
  { repository: /^(?:.+\/)?starrocks-controller$/, image: CONTROLLER },
  { repository: /^starrocks\/(?:fe|be|cn)-ubuntu$/, image: OFFICIAL },
  { repository: /^(?:.+\/)?starrocks-(?:fe|be)-agent$/, image: AGENT },
  { repository: /^(?:.+\/)?starrocks-(?:fe|be)-baseline$/, image: BASELINE },
  { repository: /^(?:.+\/)?starrocks-agent$/, image: AGENT_EXECUTABLE_IMAGE },
  { repository: /^busybox$/, image: toolImage('busybox', ['sh']) },
  { repository: /^python$/, image: toolImage('python', ['python3']) },
  { repository: /^nginx$/, image: NGINX },
];

/** A reference split as a registry client reads it. */
export interface ImageReference {
  /** Registry host, `docker.io` when the reference names none. */
  registry: string;
  /** `library/busybox`, `starrocks/fe-ubuntu`, `starrocks-controller` (Docker Hub's library prefix left out). */
  repository: string;
  /** Tag or digest suffix (`:latest` when neither is given). */
  suffix: string;
  /** The fully qualified reference, as containerd names it in errors. */
  full: string;
}

/** Parses an image reference (`busybox`, `starrocks/fe-ubuntu:3.5.8`, `reg:5000/x/y@sha256:...`). */
export function parseImageReference(reference: string): ImageReference {
  let rest = reference;
  let suffix = ':latest';
  const at = rest.indexOf('@');
  const digest = at >= 0 ? rest.slice(at) : undefined;
  if (at >= 0) rest = rest.slice(0, at);
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    suffix = rest.slice(colon);
    rest = rest.slice(0, colon);
  }
  // A digest pins the image; a tag beside it is ignored, as containerd does.
  if (digest !== undefined) suffix = digest;
  const parts = rest.split('/');
  const first = parts[0] ?? '';
  // A first part with a dot, a port or "localhost" is a registry host (distribution/reference).
  const hasRegistry = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? first : 'docker.io';
  let repository = hasRegistry ? parts.slice(1).join('/') : rest;
  if (registry === 'docker.io' && repository.startsWith('library/')) repository = repository.slice('library/'.length);
  const qualified = registry === 'docker.io' && !repository.includes('/') ? `library/${repository}` : repository;
  return { registry, repository, suffix, full: `${registry}/${qualified}${suffix}` };
}

/** The image a reference names, or undefined when this world cannot pull it. */
export function findImage(reference: string | undefined): WorldImage | undefined {
  if (reference === undefined || reference === '') return undefined;
  const { repository } = parseImageReference(reference);
  return TABLE.find((entry) => entry.repository.test(repository))?.image;
}

/**
 * The waiting state of a container whose image cannot be pulled, by failed attempt (1, 2, ...):
 * kubelet reports the pull error, then backs off until the next attempt
 * (pkg/kubelet/images/image_manager.go: ErrImagePull, then ImagePullBackOff "Back-off pulling image").
 */
export function imagePullFailure(reference: string, attempt: number): { reason: string; message: string } {
  if (attempt % 2 === 0) return { reason: 'ImagePullBackOff', message: `Back-off pulling image "${reference}"` };
  const full = parseImageReference(reference).full;
  return {
    reason: 'ErrImagePull',
    message: `Failed to pull image "${reference}": rpc error: code = NotFound desc = failed to pull and unpack image "${full}": failed to resolve reference "${full}": ${full}: not found`,
  };
}

/**
 * The argv a container runs, as kubelet builds it: `command` replaces the entrypoint (and drops
 * the image's CMD), `args` replaces the CMD.
 */
export function containerArgv(image: WorldImage, command: readonly string[] | undefined, args: readonly string[] | undefined): string[] {
  if (command !== undefined && command.length > 0) return [...command, ...(args ?? [])];
  return [...image.entrypoint, ...(args !== undefined && args.length > 0 ? args : image.cmd)];
}

// One build per output and process at a time; every pod of that image waits for the same one.
const building = new Map<string, Promise<void>>();

/** What `buildWhenStale` builds. */
interface StaleBuild {
  repoRoot: string;
  /** The artifact, relative to the repository. */
  output: string;
  /** Folders whose `.ts` files it is built from. */
  sources: readonly string[];
  /** The shell command that builds it (as npm runs scripts), and its name for errors. */
  script: () => Promise<string>;
  name: string;
}

// Builds `output` when it is missing or older than a source file, so a world never runs a stale
// artifact.
function buildWhenStale(build: StaleBuild): Promise<void> {
  const running = building.get(build.output);
  if (running !== undefined) return running;
  const started = (async () => {
    const fresh = async (): Promise<boolean> => {
      const artifact = await stat(join(build.repoRoot, build.output)).catch(() => undefined);
      return artifact !== undefined && (await newestSource(build.repoRoot, build.sources)) <= artifact.mtimeMs;
    };
    try {
      if (await fresh()) return;
      // Test files run in parallel processes: one builds, the others wait for it, so no
      // container ever starts from a half-written artifact.
      const release = await buildLock(build.repoRoot, build.name);
      try {
        if (await fresh()) return;
        await runScript({ script: await build.script(), repoRoot: build.repoRoot, name: build.name });
      } finally {
        await release();
      }
    } finally {
      building.delete(build.output);
    }
  })();
  building.set(build.output, started);
  return started;
}

/**
 * Runs `npm run build:controller`'s script when the bundle is missing or older than a source file
 * of controller/ or agent/ (which it bundles).
 */
function buildControllerBundle(repoRoot: string): Promise<void> {
  return buildWhenStale({
    repoRoot,
    output: CONTROLLER_BUNDLE,
    sources: ['controller', 'agent'],
    name: 'build:controller',
    script: async () => {
      const scripts = (JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts;
      const script = scripts?.['build:controller'];
      if (script === undefined) throw new Error('package.json has no build:controller script');
      return script;
    },
  });
}

/**
 * Builds the agent's single executable for this machine (`npm run build:sea`'s builder, x64 only:
 * the world runs it here) when it is missing or older than a source of agent/ or its builder.
 */
function buildAgentExecutable(repoRoot: string): Promise<void> {
  return buildWhenStale({
    repoRoot,
    output: AGENT_EXECUTABLE,
    sources: ['agent', 'images'],
    name: 'build:sea',
    script: async () => `node images/build-sea.ts --arch ${process.arch === 'arm64' ? 'arm64' : 'x64'}`,
  });
}

// A directory created with mkdir is the lock across processes; one left by a killed build is
// taken over after LOCK_STALE_MS. Bounded: gives up after LOCK_WAIT_MS.
const LOCK_STALE_MS = 120_000;
const LOCK_WAIT_MS = 180_000;

async function buildLock(repoRoot: string, name: string): Promise<() => Promise<void>> {
  const lock = join(repoRoot, 'dist', `.${name.replace(':', '-')}.lock`);
  await mkdir(join(repoRoot, 'dist'), { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await mkdir(lock);
      return () => rm(lock, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const held = await stat(lock).catch(() => undefined);
    if (held !== undefined && Date.now() - held.mtimeMs > LOCK_STALE_MS) await rm(lock, { recursive: true, force: true });
    if (Date.now() > deadline) throw new Error(`waited ${LOCK_WAIT_MS / 1000} s for another ${name} (${lock})`);
    await sleep(200);
  }
}

async function newestSource(repoRoot: string, dirs: readonly string[]): Promise<number> {
  let newest = 0;
  for (const dir of dirs) {
    const entries = await readdir(join(repoRoot, dir), { recursive: true, withFileTypes: true });
    for (const entry of entries) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
      newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
    }
  }
  return newest;
}

function runScript(options: { script: string; repoRoot: string; name: string }): Promise<void> {
  const { script, repoRoot } = options;
  return new Promise((resolve, reject) => {
    // As npm runs scripts: sh -c, with the package's node_modules/.bin first on PATH.
    const env = { ...process.env, PATH: `${join(repoRoot, 'node_modules', '.bin')}:${process.env.PATH ?? '/usr/bin:/bin'}` };
    const child = spawn('sh', ['-c', script], { cwd: repoRoot, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < 4000) stderr += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${options.name} failed (${String(code)}): ${stderr.trim()}`))));
  });
}
