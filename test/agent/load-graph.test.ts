/**
 * What each command loads before it acts (issue 13: "a command loads only what it needs"), read
 * from the bundle esbuild makes of agent/main.ts: a module reached through static imports only is
 * evaluated with its importer; one behind an `import()` is evaluated when that runs. So the
 * static closure of a module is what its evaluation costs in start-up time and memory, in the
 * bundle and in the single executable alike (images/build-sea.ts bundles the same graph).
 */
import t from 'tap';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Metafile } from 'esbuild';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function metafile(): Promise<Metafile> {
  const result = await build({
    entryPoints: [join(ROOT, 'agent', 'main.ts')],
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return result.metafile;
}

/** Every input evaluated with `from`: followed through static imports and requires, not `import()`. */
function staticClosure(meta: Metafile, from: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...from];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    const input = meta.inputs[file];
    if (input === undefined) throw new Error(`${file} is not in the bundle's inputs`);
    seen.add(file);
    for (const edge of input.imports) if (edge.kind !== 'dynamic-import' && edge.external !== true) queue.push(edge.path);
  }
  return seen;
}

/** The npm packages among `files` (node_modules/<name>/ or node_modules/@scope/<name>/). */
function packages(files: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const file of files) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
    if (match !== null) out.add(match[1] as string);
  }
  return out;
}

const HEAVY = ['fastify', 'mysql2', 'prom-client', 'pino'];

t.test('--version, --help and a bad env evaluate no npm package', async (t) => {
  const meta = await metafile();
  t.same([...packages(staticClosure(meta, ['agent/main.ts']))], []);
});

t.test('init evaluates pino for its log, and neither mysql2 nor prom-client before its first DNS query', async (t) => {
  const meta = await metafile();
  // main.ts's init branch imports these two; the SQL client loads mysql2 at its first connection.
  const loaded = packages(staticClosure(meta, ['agent/commands/context.ts', 'agent/commands/init.ts']));
  t.same(
    HEAVY.filter((name) => loaded.has(name)),
    ['pino'],
  );
});

t.test('init loads no HTTP server: fastify is evaluated by run only', async (t) => {
  const meta = await metafile();
  t.notOk(packages(staticClosure(meta, ['agent/commands/context.ts', 'agent/commands/init.ts'])).has('fastify'), 'fastify is not in the closure of init');
  t.ok(packages(Object.keys(meta.inputs)).has('fastify'), 'fastify is bundled for run');
});
