// The images cannot be built here (no Docker engine): check what can be checked without one.
import t from 'tap';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_COMMANDS, PATHS } from '../../agent/contract.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const agentImages = ['fe.Dockerfile', 'be.Dockerfile'];

for (const file of readdirSync(join(repo, 'images')).filter((f) => f.endsWith('.Dockerfile'))) {
  t.test(`${file}: every COPY source exists or is a build output`, async (t) => {
    const text = readFileSync(join(repo, 'images', file), 'utf8');
    const copies = [...text.matchAll(/^COPY\s+(?!--from)(?:--\S+\s+)*(\S+)\s+(\S+)$/gm)];
    t.ok(copies.length > 0, 'has COPY lines');
    for (const [, source] of copies) {
      const built = Object.values(pkg.scripts).some((script) => script.includes(`--outfile=${source}`));
      t.ok(existsSync(join(repo, source as string)) || built, `${source} exists in the repository or is written by npm run build`);
    }
  });
}

for (const file of agentImages) {
  t.test(`${file}: the agent is the entrypoint, as the contract names it`, async (t) => {
    const text = readFileSync(join(repo, 'images', file), 'utf8');
    t.match(text, new RegExp(`^COPY .*dist/starrocks-agent\\.mjs ${PATHS.agentBin}$`, 'm'), 'agent copied to PATHS.agentBin');
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(text)?.[1];
    t.ok(entrypoint !== undefined && (JSON.parse(entrypoint) as string[]).includes(PATHS.agentBin), 'ENTRYPOINT runs the agent');
    const cmd = /^CMD (\[.*\])$/m.exec(text)?.[1];
    t.same(cmd === undefined ? undefined : JSON.parse(cmd), [AGENT_COMMANDS.run], 'CMD is the run command');
    t.match(text, /^USER 1000:1000$/m, 'non-root by default');
    t.match(text, new RegExp(`ln -s ${PATHS.agentStateDir}/conf/(fe|be) `), 'conf links into the agent state dir (read-only root filesystem)');
  });
}

t.test('official entrypoint and preStop paths hand over to the agent', async (t) => {
  const entry = readFileSync(join(repo, 'images', 'entrypoint.sh'), 'utf8');
  const prestop = readFileSync(join(repo, 'images', 'prestop.sh'), 'utf8');
  t.match(entry, new RegExp(`^exec ${PATHS.agentBin} ${AGENT_COMMANDS.run}$`, 'm'));
  t.match(prestop, new RegExp(`^exec ${PATHS.agentBin} ${AGENT_COMMANDS.prestop}$`, 'm'));
});
