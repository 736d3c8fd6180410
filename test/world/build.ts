/**
 * Builds the Kubernetes world's binaries, Helm (for the chart's tests) and promtool (which lints
 * `/metrics` and the dashboard's queries) from their Go modules
 * and caches them (see binaries.ts). `npm run setup` runs this; it does nothing when every binary
 * is present.
 *
 * kube-apiserver gets one patch: Endpoints and EndpointSlices normally refuse loopback
 * addresses, and every pod of this world lives on a loopback address, so without it no
 * EndpointSlice would list a pod and CoreDNS could answer for none. Nothing else is changed.
 *
 * Usage: `node test/world/build.ts` (exit 0 when the binaries are ready, 1 with one line
 * otherwise). In CI (`CI=true`) a missing toolchain or a failed build is a failure like any other.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BINARY_NAMES, HELM, PROMTOOL, VERSIONS, cacheBinDir, helmBinDir, locateBinaries, locateHelm, locatePromtool, promtoolBinDir } from './binaries.ts';

/** The one check kube-apiserver must not make here (pkg/apis/core/validation). */
const LOOPBACK_CHECK = `	if ip.IsLoopback() {
		allErrs = append(allErrs, field.Invalid(fldPath, ipAddress, "may not be in the loopback range (127.0.0.0/8, ::1/128)"))
	}
`;

/** A group of binaries built from one temporary Go module. */
interface Recipe {
  name: string;
  version: string;
  outputs: string[];
  /** A static binary (CGO off), as the project's own release builds make it. */
  static?: boolean;
  /** Go build tags. */
  tags?: string[];
  /** Writes go.mod (and any local copy) into `dir`; returns the packages to build and extra `-X` stamps. */
  prepare(dir: string, go: string): { packages: string[]; stamps?: string[] };
}

function goEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-buildvcs=false -mod=mod' };
}

/** Where a Go toolchain is looked for: `STARROCKS_WORLD_GO` if set, else PATH and the usual places. */
function goCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const chosen = env.STARROCKS_WORLD_GO;
  return chosen !== undefined && chosen !== '' ? [chosen] : ['go', '/usr/local/go/bin/go', '/usr/lib/go/bin/go'];
}

/** The one line printed when no Go toolchain is found. */
export const NO_GO_MESSAGE = `the Kubernetes world needs the Go toolchain (1.25 or newer) to build its binaries: install it from https://go.dev/dl (or apt-get install golang-go from bookworm-backports) and run npm run setup again, or set KUBEBUILDER_ASSETS to a folder holding ${BINARY_NAMES.join(', ')}`;

/** The first candidate that runs `go version`, or undefined. */
export function findGo(candidates: readonly string[] = goCandidates()): string | undefined {
  for (const candidate of candidates) {
    const result = spawnSync(candidate, ['version'], { encoding: 'utf8' });
    if (result.status === 0) return candidate;
  }
  return undefined;
}

/** The `k8s.io/*` staging modules k8s.io/kubernetes replaces with ./staging, as `name version` pairs. */
export function stagingReplaces(goMod: string, version: string): string[] {
  const stagingVersion = version.replace(/^v1\./, 'v0.');
  const out: string[] = [];
  for (const match of goMod.matchAll(/^\s*(k8s\.io\/[\w.-]+)\s+=>\s+\.\/staging\/src\/\S+\s*$/gm)) {
    out.push(`\t${match[1]} => ${match[1]} ${stagingVersion}`);
  }
  return out;
}

const RECIPES: Recipe[] = [
  {
    name: 'etcd',
    version: VERSIONS.etcd,
    outputs: ['etcd'],
    prepare(dir) {
      writeFileSync(join(dir, 'go.mod'), `module worldbuild/etcd\n\ngo 1.25.0\n\nrequire go.etcd.io/etcd/server/v3 ${VERSIONS.etcd}\n`);
      return { packages: ['go.etcd.io/etcd/server/v3'] };
    },
  },
  {
    name: 'coredns',
    version: VERSIONS.coredns,
    outputs: ['coredns'],
    prepare(dir) {
      writeFileSync(join(dir, 'go.mod'), `module worldbuild/coredns\n\ngo 1.25.0\n\nrequire github.com/coredns/coredns ${VERSIONS.coredns}\n`);
      return { packages: ['github.com/coredns/coredns'] };
    },
  },
  {
    name: 'kubernetes',
    version: VERSIONS.kubernetes,
    outputs: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'],
    prepare(dir, go) {
      const info = JSON.parse(
        execFileSync(go, ['mod', 'download', '-json', `k8s.io/kubernetes@${VERSIONS.kubernetes}`], {
          cwd: dir,
          env: goEnv(),
          encoding: 'utf8',
        }),
      ) as ModuleInfo;
      if (info.Dir === undefined || info.GoMod === undefined) throw new Error('go mod download gave no Dir for k8s.io/kubernetes');
      const source = join(dir, 'kubernetes');
      cpSync(info.Dir, source, { recursive: true, filter: (path) => !path.endsWith('_test.go') });
      chmodWritable(source);
      const validation = join(source, 'pkg/apis/core/validation/validation.go');
      const text = readFileSync(validation, 'utf8');
      if (!text.includes(LOOPBACK_CHECK)) throw new Error(`loopback check not found in ${validation}: update the patch for ${VERSIONS.kubernetes}`);
      writeFileSync(validation, text.replace(LOOPBACK_CHECK, '\t// loopback allowed: the local world puts every pod on 127.0.0.0/8\n'));
      const replaces = stagingReplaces(readFileSync(info.GoMod, 'utf8'), VERSIONS.kubernetes);
      writeFileSync(
        join(dir, 'go.mod'),
        `module worldbuild/kubernetes\n\ngo 1.25.0\n\nrequire k8s.io/kubernetes ${VERSIONS.kubernetes}\n\nreplace (\n\tk8s.io/kubernetes => ./kubernetes\n${replaces.join('\n')}\n)\n`,
      );
      return {
        packages: ['k8s.io/kubernetes/cmd/kube-apiserver', 'k8s.io/kubernetes/cmd/kube-controller-manager', 'k8s.io/kubernetes/cmd/kube-scheduler'],
        stamps: kubernetesVersionStamps({ version: VERSIONS.kubernetes, commit: info.Origin?.Hash, time: info.Time }),
      };
    },
  },
];

/** Helm, built as its Makefile builds a release; cached apart from the Kubernetes binaries. */
const HELM_RECIPE: Recipe = {
  name: 'helm',
  version: HELM.version,
  outputs: ['helm'],
  static: true,
  prepare(dir, go) {
    const info = JSON.parse(
      execFileSync(go, ['mod', 'download', '-json', `helm.sh/helm/v3@${HELM.version}`], { cwd: dir, env: goEnv(), encoding: 'utf8' }),
    ) as ModuleInfo;
    if (info.GoMod === undefined) throw new Error('go mod download gave no go.mod for helm.sh/helm/v3');
    const clientGo = /^\s*k8s\.io\/client-go\s+(v\S+)\s*$/m.exec(readFileSync(info.GoMod, 'utf8'))?.[1];
    if (clientGo === undefined) throw new Error(`no k8s.io/client-go requirement in ${info.GoMod}`);
    writeFileSync(join(dir, 'go.mod'), `module worldbuild/helm\n\ngo 1.25.0\n\nrequire helm.sh/helm/v3 ${HELM.version}\n`);
    return { packages: ['helm.sh/helm/v3/cmd/helm'], stamps: helmVersionStamps({ version: HELM.version, clientGo }) };
  },
};

/** promtool, built as Prometheus' .promu.yml builds a release (static, version stamped). */
const PROMTOOL_RECIPE: Recipe = {
  name: 'promtool',
  version: PROMTOOL.version,
  outputs: ['promtool'],
  static: true,
  // Without Prometheus' service-discovery plugins (its own `remove_all_sd` tag): promtool lints
  // metrics and rules here, and the cloud SDKs the plugins import were most of a cold build.
  tags: ['remove_all_sd'],
  prepare(dir) {
    // Prometheus' go.mod asks for go 1.26.7: the machine's 1.26 toolchain builds it (GOTOOLCHAIN=local).
    writeFileSync(join(dir, 'go.mod'), `module worldbuild/promtool\n\ngo 1.26.7\n\nrequire github.com/prometheus/prometheus ${PROMTOOL.version}\n`);
    return { packages: ['github.com/prometheus/prometheus/cmd/promtool'], stamps: promtoolVersionStamps(PROMTOOL.version) };
  },
};

/** The `-X` flag of `promtool --version`: Go module v0.316.0 is Prometheus 3.16.0. */
export function promtoolVersionStamps(moduleVersion: string): string[] {
  const match = /^v0\.(\d)(\d\d)\.(\d+)$/.exec(moduleVersion);
  if (match === null) throw new Error(`not a Prometheus module version (v0.MNN.P): ${moduleVersion}`);
  const release = `${match[1] ?? ''}.${String(Number(match[2]))}.${match[3] ?? ''}`;
  return [`-X github.com/prometheus/common/version.Version=${release}`, '-X github.com/prometheus/common/version.Branch=HEAD'];
}

/**
 * The `-X` flags Helm's Makefile sets: its version, and the Kubernetes version `helm template` and
 * `helm lint` assume without a cluster, derived from the client-go it is built with (v0.N -> 1.N).
 */
export function helmVersionStamps(options: { version: string; clientGo: string }): string[] {
  const match = /^v0\.(\d+)\./.exec(options.clientGo);
  if (match === null) throw new Error(`not a client-go version: ${options.clientGo}`);
  const minor = match[1] ?? '';
  return [
    `-X helm.sh/helm/v3/internal/version.version=${options.version}`,
    '-X helm.sh/helm/v3/internal/version.gitTreeState=clean',
    ...['helm.sh/helm/v3/pkg/lint/rules', 'helm.sh/helm/v3/pkg/chartutil'].flatMap((pkg) => [`-X ${pkg}.k8sVersionMajor=1`, `-X ${pkg}.k8sVersionMinor=${minor}`]),
  ];
}

/** What `go mod download -json` says of a module. */
interface ModuleInfo {
  Dir?: string;
  GoMod?: string;
  Time?: string;
  Origin?: { Hash?: string };
}

/**
 * The `-X` flags a release build of Kubernetes sets (hack/lib/version.sh), so that `/version`
 * reports the real release instead of `v0.0.0-master+$Format:%H$`, which kubectl, helm and other
 * discovery clients cannot parse. The commit and date come from the module proxy's record of the
 * tag; an all-zero commit stands in when the proxy gives none.
 */
export function kubernetesVersionStamps(options: { version: string; commit?: string | undefined; time?: string | undefined }): string[] {
  const match = /^v(\d+)\.(\d+)\./.exec(options.version);
  if (match === null) throw new Error(`not a Kubernetes release version: ${options.version}`);
  const values: Record<string, string> = {
    gitVersion: options.version,
    gitMajor: match[1] ?? '',
    gitMinor: match[2] ?? '',
    gitCommit: options.commit ?? '0'.repeat(40),
    gitTreeState: 'clean',
    buildDate: (options.time ?? '1970-01-01T00:00:00Z').replace(/\.\d+Z$/, 'Z'),
  };
  const stamps: string[] = [];
  for (const pkg of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
    for (const [name, value] of Object.entries(values)) stamps.push(`-X ${pkg}.${name}=${value}`);
  }
  return stamps;
}

function chmodWritable(dir: string): void {
  // Module cache files are read-only; the patched copy must be writable and removable.
  execFileSync('chmod', ['-R', 'u+w', dir]);
}

function buildRecipe(recipe: Recipe, go: string, workRoot: string, binDir: string): number {
  const started = Date.now();
  const dir = join(workRoot, recipe.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const { packages, stamps = [] } = recipe.prepare(dir, go);
  const out = join(dir, 'out');
  mkdirSync(out);
  const jobs = process.env.STARROCKS_WORLD_BUILD_JOBS ?? '2';
  // One package builds to the binary's own name; several go to a folder, each named by go.
  const target = packages.length === 1 ? join(out, recipe.outputs[0] ?? recipe.name) : `${out}/`;
  // CGO off as Helm's release builds: a static binary.
  const tags = recipe.tags === undefined ? [] : ['-tags', recipe.tags.join(',')];
  const result = spawnSync(go, ['build', '-p', jobs, '-trimpath', ...tags, `-ldflags=${['-s', '-w', ...stamps].join(' ')}`, '-o', target, ...packages], {
    cwd: dir,
    env: recipe.static === true ? { ...goEnv(), CGO_ENABLED: '0' } : goEnv(),
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`go build of ${recipe.name} failed (exit ${String(result.status)})`);
  for (const name of recipe.outputs) {
    const built = join(out, name);
    if (!existsSync(built)) throw new Error(`go build of ${recipe.name} produced no ${name}`);
    chmodSync(built, 0o755);
    renameSync(built, join(binDir, name));
  }
  rmSync(dir, { recursive: true, force: true });
  return (Date.now() - started) / 1000;
}

/** Builds whatever is missing; returns a one-line error or undefined on success. */
export function buildMissing(log: (line: string) => void): string | undefined {
  const { missing } = locateBinaries();
  const binDir = cacheBinDir();
  const helmMissing = locateHelm() === undefined;
  const promtoolMissing = locatePromtool() === undefined;
  if (missing.length === 0) log(`world binaries: ready (${BINARY_NAMES.join(', ')}), cache ${binDir}`);
  if (!helmMissing) log(`world binaries: ready (helm ${HELM.version}), cache ${helmBinDir()}`);
  if (!promtoolMissing) log(`world binaries: ready (promtool ${PROMTOOL.version}), cache ${promtoolBinDir()}`);
  if (missing.length === 0 && !helmMissing && !promtoolMissing) return undefined;
  const go = findGo();
  if (go === undefined) {
    return NO_GO_MESSAGE;
  }
  const total = Date.now();
  const jobs: { recipe: Recipe; binDir: string }[] = [
    ...RECIPES.filter((recipe) => recipe.outputs.some((name) => (missing as string[]).includes(name))).map((recipe) => ({ recipe, binDir })),
    ...(helmMissing ? [{ recipe: HELM_RECIPE, binDir: helmBinDir() }] : []),
    ...(promtoolMissing ? [{ recipe: PROMTOOL_RECIPE, binDir: promtoolBinDir() }] : []),
  ];
  for (const { recipe, binDir: dir } of jobs) {
    mkdirSync(dir, { recursive: true });
    const workRoot = join(dirname(dir), 'work');
    try {
      log(`world binaries: building ${recipe.outputs.join(', ')} from ${recipe.name} ${recipe.version} ...`);
      const seconds = buildRecipe(recipe, go, workRoot, dir);
      log(`world binaries: built ${recipe.outputs.join(', ')} in ${seconds.toFixed(0)} s`);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    } finally {
      rmSync(workRoot, { recursive: true, force: true });
    }
  }
  log(`world binaries: all built in ${((Date.now() - total) / 1000).toFixed(0)} s, cache ${binDir}, ${helmBinDir()} and ${promtoolBinDir()}`);
  return undefined;
}

if (import.meta.main) {
  const error = buildMissing((line) => process.stdout.write(`${line}\n`));
  if (error !== undefined) {
    process.stderr.write(`setup: ${error}\n`);
    process.exitCode = 1;
  }
}
