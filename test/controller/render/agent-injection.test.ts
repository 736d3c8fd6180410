/**
 * Issue 13 item 2: the agent is injected into pods that run the user's image unchanged. The
 * install-agent init container runs the agent image and copies the executable into an emptyDir
 * that the StarRocks containers mount at /opt/starrocks-agent; a CR's `command`/`args` and
 * preStop command are kept, run by the agent instead of replacing it.
 */
import t from 'tap';
import { AGENT_COMMANDS, CONTAINERS, PATHS } from '../../../agent/contract/index.ts';
import { parseRunArgs, parsePrestopArgs } from '../../../agent/config.ts';
import { VERSION } from '../../../agent/contract/version.ts';
import { DEFAULT_AGENT_IMAGE } from '../../../controller/cr/defaults.ts';
import { parseCluster } from '../../../controller/cr/parse.ts';
import type { StarRocksCluster } from '../../../controller/cr/types.ts';
import { mainCommand, prestopCommand, userPrestopSeconds } from '../../../controller/render/statefulset.ts';
import { render } from '../../../controller/render/render.ts';
import { baseCluster } from '../fixtures/manifests.ts';
import { container, find, podSpec } from '../fixtures/objects.ts';

type Loose = Record<string, unknown>;

function parsed(raw: unknown): StarRocksCluster {
  const { cluster, problems } = parseCluster(raw);
  if (cluster === undefined || problems.length > 0) throw new Error(JSON.stringify(problems));
  return cluster;
}

function stock(): Record<string, unknown> {
  const raw = baseCluster('stock');
  const spec = raw.spec as Record<string, Loose>;
  spec.starRocksFeSpec = { image: 'starrocks/fe-ubuntu:3.5.8', replicas: 3 };
  spec.starRocksBeSpec = { image: 'starrocks/be-ubuntu:3.5.8', replicas: 3 };
  delete spec.starRocksCnSpec;
  return raw;
}

t.test('every pod gets install-agent first, copying the agent into an emptyDir the other containers run it from', async (t) => {
  const objects = render({ cluster: parsed(stock()) });
  for (const component of ['fe', 'be'] as const) {
    const sts = find(objects, 'StatefulSet', `stock-${component}`);
    const pod = podSpec(sts);
    const inits = pod.initContainers as Loose[];
    t.same(inits.map((c) => c.name), [CONTAINERS.install, CONTAINERS.init], `${component}: install-agent, then the agent's init`);
    const install = container(sts, CONTAINERS.install);
    t.equal(install.image, DEFAULT_AGENT_IMAGE, 'the agent image by default');
    t.equal(DEFAULT_AGENT_IMAGE, `starrocks-agent:${VERSION}`, 'named and tagged as images/agent.Dockerfile builds it');
    t.notOk('command' in install, "the agent image's ENTRYPOINT (the executable) runs");
    t.same(install.args, [AGENT_COMMANDS.install, '--to', PATHS.agentBinDir]);
    t.same(install.volumeMounts, [{ name: 'agent-bin', mountPath: PATHS.agentBinDir }], 'install-agent mounts only the folder it fills');

    t.same((pod.volumes as Loose[]).find((v) => v.name === 'agent-bin'), { name: 'agent-bin', emptyDir: {} });
    const user = `starrocks/${component}-ubuntu:3.5.8`;
    for (const name of [CONTAINERS.init, component]) {
      const c = container(sts, name);
      t.equal(c.image, user, `${name} runs the user's image unchanged`);
      t.same((c.volumeMounts as Loose[]).find((m) => m.name === 'agent-bin'), { name: 'agent-bin', mountPath: PATHS.agentBinDir, readOnly: true }, `${name} runs the copy, read-only`);
    }
    t.same(container(sts, CONTAINERS.init).command, [PATHS.agentBin, AGENT_COMMANDS.init]);
    t.same(container(sts, component).command, [PATHS.agentBin, AGENT_COMMANDS.run]);
    t.notOk('args' in container(sts, component));
    t.same(((container(sts, component).lifecycle as Loose).preStop as Loose), { exec: { command: [PATHS.agentBin, AGENT_COMMANDS.prestop] } });
    t.equal(PATHS.agentBin, `${PATHS.agentBinDir}/starrocks-agent`, 'the executable lies in the injected folder');
  }
});

t.test('the agent image: spec.agent.image wins over the controller flag, which wins over the default', async (t) => {
  const image = (raw: Record<string, unknown>, flag?: string): unknown => container(find(render({ cluster: parsed(raw), agentImage: flag }), 'StatefulSet', 'stock-fe'), CONTAINERS.install).image;
  t.equal(image(stock()), DEFAULT_AGENT_IMAGE);
  t.equal(image(stock(), 'registry.example/sr/starrocks-agent:0.1.0'), 'registry.example/sr/starrocks-agent:0.1.0');
  const own = stock();
  (own.spec as Loose).agent = { image: 'mirror.example/starrocks-agent:0.1.0' };
  t.equal(image(own, 'registry.example/sr/starrocks-agent:0.1.0'), 'mirror.example/starrocks-agent:0.1.0');
  t.equal(parsed(own).agent.image, 'mirror.example/starrocks-agent:0.1.0');
});

t.test("a CR command is supervised by the agent, with the CR's args after it", async (t) => {
  const raw = stock();
  const fe = (raw.spec as Record<string, Loose>).starRocksFeSpec as Loose;
  fe.command = ['/opt/starrocks/fe_entrypoint.sh'];
  fe.args = ['$(FE_SERVICE_NAME)'];
  const main = container(find(render({ cluster: parsed(raw) }), 'StatefulSet', 'stock-fe'), 'fe');
  // Before issue 13 the CR command replaced the agent: no probes' server, no registration.
  t.same(main.command, [PATHS.agentBin, AGENT_COMMANDS.run, '--', '/opt/starrocks/fe_entrypoint.sh']);
  t.same(main.args, ['$(FE_SERVICE_NAME)'], 'kubelet appends args (expanding $(VAR)) after the command');
  t.ok('readinessProbe' in main && 'startupProbe' in main, "the probes still ask the agent");
  // What the agent parses from the argv kubelet builds.
  t.same(parseRunArgs([...(main.command as string[]).slice(2), 'sr-fe-service']), { command: ['/opt/starrocks/fe_entrypoint.sh', 'sr-fe-service'] });

  t.same(mainCommand({ component: 'be', command: ['bash', '-c', 'exec "$0" "$@"'], args: undefined }), { command: [PATHS.agentBin, 'run', '--', 'bash', '-c', 'exec "$0" "$@"'] });
  t.same(mainCommand({ component: 'be', command: undefined, args: ['--debug'] }), { command: [PATHS.agentBin, 'run', '--', '/opt/starrocks/be/bin/start_be.sh'], args: ['--debug'] }, 'args alone go to the start script');
  t.same(mainCommand({ component: 'cn', command: [], args: [] }), { command: [PATHS.agentBin, 'run'] }, 'empty lists are no command');
});

t.test("a CR's exec preStop runs inside the agent's, bounded by half the grace period", async (t) => {
  const raw = stock();
  const be = (raw.spec as Record<string, Loose>).starRocksBeSpec as Loose;
  be.lifecycle = { preStop: { exec: { command: ['/bin/sh', '-c', 'echo bye'] } }, postStart: { exec: { command: ['true'] } } };
  be.terminationGracePeriodSeconds = 300;
  const main = container(find(render({ cluster: parsed(raw) }), 'StatefulSet', 'stock-be'), 'be');
  const hook = ((main.lifecycle as Loose).preStop as { exec: { command: string[] } }).exec.command;
  t.same(hook, [PATHS.agentBin, AGENT_COMMANDS.prestop, '--timeout-seconds', '150', '--', '/bin/sh', '-c', 'echo bye']);
  t.same((main.lifecycle as Loose).postStart, { exec: { command: ['true'] } }, 'postStart is the CR\'s');
  t.same(parsePrestopArgs(hook.slice(2)), { hook: { command: ['/bin/sh', '-c', 'echo bye'], timeoutMs: 150_000 } }, 'the agent reads back what was rendered');

  t.equal(userPrestopSeconds(120), 60);
  t.equal(userPrestopSeconds(1), 1, 'at least a second');
  t.equal(userPrestopSeconds(0), 1);
  const own = [PATHS.agentBin, AGENT_COMMANDS.prestop];
  t.same(prestopCommand({ lifecycle: { preStop: { httpGet: { path: '/x', port: 80 } } }, terminationGracePeriodSeconds: 30 }), own, 'httpGet is not run');
  t.same(prestopCommand({ lifecycle: { preStop: { exec: { command: [] } } }, terminationGracePeriodSeconds: 30 }), own);
  t.same(prestopCommand({ lifecycle: undefined, terminationGracePeriodSeconds: 30 }), own);
});
