// The images cannot be built here (no Docker engine): check what can be checked without one.
import t from 'tap';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_COMMANDS, PATHS } from '../../agent/contract/index.ts';
import { SEA_ARCHS, seaOutput } from '../../images/build-sea.ts';
import { ensureAgentExecutable } from './fixtures/executable.ts';
import { compareSymbolVersions, highestVersion, readElf } from './fixtures/elf.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const agentImages = ['fe.Dockerfile', 'be.Dockerfile'];
const read = (file: string): string => readFileSync(join(repo, 'images', file), 'utf8');

/** Instruction lines with ARG defaults substituted (`${NAME}` as Docker expands it). */
function expand(text: string): string {
  const args = new Map([...text.matchAll(/^ARG (\w+)=(\S+)$/gm)].map(([, name, value]) => [name as string, value as string]));
  return text.replace(/\$\{(\w+)\}/g, (whole, name: string) => args.get(name) ?? whole);
}

/** `COPY` lines without `--from`: [source, destination]. */
const copies = (text: string): [string, string][] =>
  [...expand(text).matchAll(/^COPY\s+(?!--from)(?:--\S+\s+)*(\S+)\s+(\S+)$/gm)].map(([, source, target]) => [source as string, target as string]);

/** What `npm run build` writes: esbuild's outfiles, and the executables when it runs build:sea. */
function buildOutputs(): Set<string> {
  const outputs = new Set(Object.values(pkg.scripts).flatMap((script) => [...script.matchAll(/--outfile=(\S+)/g)].map(([, file]) => file as string)));
  if (pkg.scripts.build?.includes('npm run build:sea') && pkg.scripts['build:sea']?.includes('images/build-sea.ts')) {
    for (const arch of SEA_ARCHS) outputs.add(seaOutput(arch));
  }
  return outputs;
}

t.test('npm run build makes both executables with images/build-sea.ts', async (t) => {
  t.match(pkg.scripts.build, /npm run build:sea/);
  t.match(pkg.scripts['build:sea'], /^node images\/build-sea\.ts$/);
  t.same(SEA_ARCHS.map(seaOutput), ['dist/starrocks-agent', 'dist/starrocks-agent-linux-arm64']);
});

for (const file of readdirSync(join(repo, 'images')).filter((f) => f.endsWith('.Dockerfile'))) {
  t.test(`${file}: every COPY source exists or is a build output`, async (t) => {
    const found = copies(read(file));
    t.ok(found.length > 0, 'has COPY lines');
    const outputs = buildOutputs();
    for (const [source] of found) {
      t.ok(existsSync(join(repo, source)) || outputs.has(source), `${source} exists in the repository or is written by npm run build`);
    }
  });
}

for (const file of agentImages) {
  t.test(`${file}: the agent's executable is the entrypoint, as the contract names it`, async (t) => {
    const text = read(file);
    t.same(
      copies(text).find(([, target]) => target === PATHS.agentBin),
      [seaOutput('x64'), PATHS.agentBin],
      'the single executable copied to PATHS.agentBin',
    );
    t.match(text, new RegExp(`--build-arg AGENT_EXECUTABLE=${seaOutput('arm64')}`), 'the arm64 build documented');
    t.notMatch(text, /^FROM node/m, 'no Node runtime besides the executable');
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(text)?.[1];
    t.ok(entrypoint !== undefined && (JSON.parse(entrypoint) as string[]).includes(PATHS.agentBin), 'ENTRYPOINT runs the agent');
    const cmd = /^CMD (\[.*\])$/m.exec(text)?.[1];
    t.same(cmd === undefined ? undefined : JSON.parse(cmd), [AGENT_COMMANDS.run], 'CMD is the run command');
    t.match(text, /^USER 1000:1000$/m, 'non-root by default');
    t.match(text, new RegExp(`ln -s ${PATHS.agentStateDir}/conf/(fe|be) `), 'conf links into the agent state dir (read-only root filesystem)');
  });
}

t.test('agent.Dockerfile: the executable only, on a base with no shell, installing into the agent folder', async (t) => {
  const text = read('agent.Dockerfile');
  const froms = [...text.matchAll(/^FROM (\S+)/gm)].map(([, image]) => image);
  t.same(froms, ['gcr.io/distroless/cc-debian12:nonroot'], 'one stage: distroless/cc (glibc, libstdc++, libgcc_s; no shell, no package manager)');
  t.notMatch(text, /^(RUN|ADD) /m, 'nothing run or added at build time');
  const found = copies(text);
  t.equal(found.length, 1, 'one file copied');
  const [source, target] = found[0] ?? ['', ''];
  t.equal(source, seaOutput('x64'), 'the x64 executable by default');
  t.match(text, new RegExp(`--build-arg AGENT_EXECUTABLE=${seaOutput('arm64')}`), 'the arm64 build documented');
  const installDir = dirname(PATHS.agentBin);
  t.notOk(target.startsWith(`${installDir}/`), 'outside the folder the emptyDir is mounted at, which would hide it');
  t.same(JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(text)?.[1] ?? 'null'), [target], 'ENTRYPOINT is the executable');
  t.same(JSON.parse(/^CMD (\[.*\])$/m.exec(text)?.[1] ?? 'null'), [AGENT_COMMANDS.install, '--to', installDir], 'CMD installs into the agent folder');
});

t.test('official entrypoint and preStop paths hand over to the agent', async (t) => {
  const entry = read('entrypoint.sh');
  const prestop = read('prestop.sh');
  t.match(entry, new RegExp(`^exec ${PATHS.agentBin} ${AGENT_COMMANDS.run}$`, 'm'));
  t.match(prestop, new RegExp(`^exec ${PATHS.agentBin} ${AGENT_COMMANDS.prestop}$`, 'm'));
});

// What the stock StarRocks images (ubuntu:22.04: glibc 2.35, GCC 12's libstdc++) and
// distroless/cc-debian12 (glibc 2.36, the same libstdc++) provide.
const RUNTIME_LIBRARIES = ['libc.so.6', 'libm.so.6', 'libdl.so.2', 'libpthread.so.0', 'libstdc++.so.6', 'libgcc_s.so.1'];
const LOADERS = { x64: 'ld-linux-x86-64.so.2', arm64: 'ld-linux-aarch64.so.1' } as const;
const MACHINES = { x64: 0x3e, arm64: 0xb7 } as const;

for (const arch of SEA_ARCHS) {
  t.test(`${seaOutput(arch)}: an ELF64 ${arch} executable that needs only glibc and the C++ runtime`, async (t) => {
    const path = await ensureAgentExecutable(arch);
    const elf = await readElf(path);
    t.equal(elf.elfClass, 2, 'ELF64');
    t.equal(elf.data, 1, 'little-endian');
    t.equal(elf.machine, MACHINES[arch], `e_machine 0x${MACHINES[arch].toString(16)}`);
    t.same(elf.needed.filter((lib) => !RUNTIME_LIBRARIES.includes(lib) && lib !== LOADERS[arch]), [], 'no library beyond glibc, libstdc++ and libgcc_s');
    const versions = [...elf.versions.values()].flat();
    const glibc = highestVersion(versions, 'GLIBC');
    const glibcxx = highestVersion(versions, 'GLIBCXX');
    t.ok(glibc !== undefined && compareSymbolVersions(glibc, 'GLIBC_2.35') <= 0, `needs glibc ${glibc ?? '?'} <= 2.35 (Ubuntu 22.04)`);
    t.ok(glibcxx !== undefined && compareSymbolVersions(glibcxx, 'GLIBCXX_3.4.30') <= 0, `needs libstdc++ ${glibcxx ?? '?'} <= 3.4.30 (GCC 12)`);
    // postject flips the fuse Node checks at start to know a blob is injected (src/node_sea.cc).
    t.ok(readFileSync(path).includes('NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:1'), 'the SEA fuse is set: a blob is injected');
  });
}
