// The monitor keeps the pod's membership record current: an FE's role as SHOW FRONTENDS reports
// it, written once per change, through the codec the controller's status reads.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { Context } from '../../../agent/commands/context.ts';
import { startMonitor } from '../../../agent/commands/monitor.ts';
import { sleep } from '../../../agent/contract/backoff.ts';
import { ANNOTATIONS } from '../../../agent/contract/index.ts';
import { createLogger } from '../../../agent/contract/log.ts';
import { decodeMembership } from '../../../agent/contract/membership-annotation.ts';
import type { AgentKube } from '../../../agent/kube/agent-kube.ts';
import type { FeClient } from '../../../agent/sql/fe-client.ts';
import { CLUSTER, fe, rows } from '../fixtures/plan.ts';

const health = createServer((_req, res) => res.end('{"status":"OK"}'));
await new Promise<void>((resolve) => health.listen(0, '127.0.0.1', resolve));
t.teardown(() => health.close());
const stateDir = await mkdtemp(join(tmpdir(), 'monitor-'));
t.teardown(() => rm(stateDir, { recursive: true, force: true }));

t.test('an FE: the membership record follows its role, written once per change, with agent-fe-role', async (t) => {
  const writes: Record<string, string | null>[] = [];
  const kube = { annotateSelf: async (changes: Record<string, string | null>) => void writes.push({ ...changes }) } as unknown as AgentKube;
  let role: 'FOLLOWER' | 'LEADER' = 'FOLLOWER';
  let reads = 0;
  const client = {
    showFrontends: async () => {
      reads++;
      return { ok: true, value: rows([{ host: fe(0), role, clusterId: CLUSTER }, { host: fe(1), role: role === 'LEADER' ? 'FOLLOWER' : 'LEADER', clusterId: CLUSTER }]) };
    },
    close: async () => undefined,
  } as unknown as FeClient;
  const ctx = {
    config: { component: 'fe', podName: 'prod-fe-0', podIp: '127.0.0.1', probeIntervalMs: 20, stateDir, tabletHealthMaxWaitMs: 0 },
    conf: { component: 'fe', ports: { http: (health.address() as AddressInfo).port, query: 9030, editLog: 9010 } },
    selfHost: fe(0),
    kube,
    log: createLogger({ level: 'silent', secrets: [], base: {} }),
    feClient: () => client,
  } as unknown as Context;
  const monitor = startMonitor({ ctx, plan: { component: 'fe', hostType: 'FQDN', start: 'join', helper: undefined, clusterId: CLUSTER, createdAt: new Date().toISOString() } as never, processRunning: () => true });
  t.teardown(() => monitor.stop());

  const until = async (what: string, predicate: () => boolean): Promise<void> => {
    for (let i = 0; i < 500 && !predicate(); i++) await sleep(10);
    if (!predicate()) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(writes)}`);
  };
  const records = (): unknown[] => writes.flatMap((w) => (w[ANNOTATIONS.membership] === undefined ? [] : [decodeMembership(w[ANNOTATIONS.membership] ?? undefined)]));
  await until('the first record', () => records().length === 1);
  const readsThen = reads;
  await until('more rounds', () => reads >= readsThen + 5);
  t.equal(records().length, 1, 'an unchanged role is not written again');
  role = 'LEADER';
  await until('the new role', () => records().length === 2);
  t.match(records(), [
    { kind: 'ok', record: { component: 'fe', registeredAs: { host: fe(0), port: 9010 }, role: 'FOLLOWER', clusterId: CLUSTER } },
    { kind: 'ok', record: { component: 'fe', registeredAs: { host: fe(0), port: 9010 }, role: 'LEADER', clusterId: CLUSTER } },
  ]);
  t.same(writes.map((w) => w[ANNOTATIONS.feRole]), ['FOLLOWER', 'LEADER'], 'agent-fe-role is written in the same patch');
  t.ok(writes.every((w) => w[ANNOTATIONS.phase] === undefined), 'membership says nothing about the phase');
});
