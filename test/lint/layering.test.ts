/**
 * The layering rules of eslint.config.js (issue 15), run through ESLint's Node API on snippets
 * placed inside each file group: each forbidden import is reported, the allowed ones are not.
 */
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: ROOT });

/** The messages of the layering rules for `code` as if it were the file at `path` (from the repo root). */
async function layeringErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}${path}` });
  if (result === undefined) throw new Error(`ESLint returned no result for ${path}`);
  const rules = new Set(['no-restricted-imports', '@typescript-eslint/no-restricted-imports', 'no-restricted-syntax']);
  return result.messages.filter((m) => m.ruleId !== null && rules.has(m.ruleId)).map((m) => `${m.ruleId}: ${m.message}`);
}

// Each snippet uses what it imports, so that only the layering rules speak.
const use = (name: string): string => `\nexport const used = ${name};\n`;

t.test('agent/ may not import controller/, statically or dynamically', async (t) => {
  const stat = await layeringErrors('agent/kube/x.ts', `import { restKubeApi } from '../../controller/kube/rest-api.ts';${use('restKubeApi')}`);
  t.equal(stat.length, 1, stat.join('\n'));
  t.match(stat[0], /agent\/ never imports controller\//);
  const typeOnly = await layeringErrors('agent/commands/x.ts', `import type { KubeApi } from '../../controller/kube/kube-api.ts';\nexport type Used = KubeApi;\n`);
  t.equal(typeOnly.length, 1, 'a type import is a dependency too');
  const dynamic = await layeringErrors('agent/main.ts', `export const load = () => import('../controller/main.ts');\n`);
  t.equal(dynamic.length, 1, dynamic.join('\n'));
  t.same(await layeringErrors('agent/kube/x.ts', `import { LABELS } from '../contract/index.ts';${use('LABELS')}`), []);
});

t.test('controller/ may import from agent/ only agent/contract/', async (t) => {
  for (const spec of ['../../agent/sql/host-port.ts', '../../agent/plan/shutdown.ts', '../../agent/kube/rest.ts', '../agent/config.ts']) {
    const errors = await layeringErrors('controller/render/x.ts', `import * as m from '${spec}';${use('m')}`);
    t.equal(errors.length, 1, `${spec}: ${errors.join('\n')}`);
    t.match(errors[0], /only the agent's public contract/);
  }
  const dynamic = await layeringErrors('controller/main.ts', `export const load = () => import('../agent/commands/run.ts');\n`);
  t.equal(dynamic.length, 1, dynamic.join('\n'));
  for (const spec of ['../../agent/contract/index.ts', '../../agent/contract/errors.ts', '../../agent/contract/log.ts']) {
    t.same(await layeringErrors('controller/run/x.ts', `import * as m from '${spec}';${use('m')}`), [], spec);
  }
});

t.test('agent/plan/ imports no I/O: node built-ins, I/O packages or the agent shell', async (t) => {
  const forbidden = [
    'node:fs',
    'node:fs/promises',
    'fs',
    'node:net',
    'node:dns',
    'node:child_process',
    'mysql2/promise',
    'fastify',
    'pino',
    '../commands/run.ts',
    '../kube/kube-client.ts',
    '../dns/node-resolver.ts',
    '../sql/fe-client.ts',
    '../meta/fe-meta.ts',
    '../contract/log.ts',
  ];
  for (const spec of forbidden) {
    const errors = await layeringErrors('agent/plan/x.ts', `import * as m from '${spec}';${use('m')}`);
    t.equal(errors.length, 1, `${spec}: ${errors.join('\n')}`);
    t.match(errors[0], /agent\/plan\/ is pure/);
  }
  const dynamic = await layeringErrors('agent/plan/x.ts', `export const load = () => import('../sql/host-port.ts');\n`);
  t.equal(dynamic.length, 1, 'no dynamic import in a plan');
  const allowed = [
    `import { hostPortText } from '../sql/host-port.ts';${use('hostPortText')}`,
    `import { findNode } from '../membership/queries.ts';${use('findNode')}`,
    `import { AgentError } from '../contract/errors.ts';${use('AgentError')}`,
    `import type { FeMeta } from '../meta/fe-meta.ts';\nexport type Used = FeMeta;\n`,
  ];
  for (const code of allowed) t.same(await layeringErrors('agent/plan/x.ts', code), [], code);
});

t.test('the rules apply to agent/ and controller/ only: a test may import both', async (t) => {
  t.same(await layeringErrors('test/controller/x.ts', `import * as a from '../../agent/sql/host-port.ts';\nimport * as c from '../../controller/main.ts';\nexport const used = [a, c];\n`), []);
});
