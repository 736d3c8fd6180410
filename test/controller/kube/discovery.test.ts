import { Writable } from 'node:stream';
import t from 'tap';
import { createLogger } from '../../../agent/contract/log.ts';
import { startApiDiscovery } from '../../../controller/kube/discovery.ts';
import type { ServedApis } from '../../../controller/kube/served-apis.ts';

const quiet = () => createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });

t.test('discovery reads at start, refreshes, reports changes only, keeps the last answer on a failure', async (t) => {
  const answers: (ServedApis | Error)[] = [
    { groupVersions: ['autoscaling/v2'] },
    { groupVersions: ['autoscaling/v2'] },
    new Error('connection refused'),
    { groupVersions: ['autoscaling/v2', 'monitoring.coreos.com/v1'] },
  ];
  let reads = 0;
  const abort = new AbortController();
  t.teardown(() => abort.abort());
  const changes: string[][] = [];
  let allRead: () => void = () => {};
  const done = new Promise<void>((resolve) => (allRead = resolve));
  const discovery = startApiDiscovery({
    read: async () => {
      const answer = answers[reads++];
      if (reads >= answers.length) setImmediate(allRead);
      if (answer === undefined || answer instanceof Error) throw answer ?? new Error('no more answers');
      return answer;
    },
    refreshMs: 5,
    log: quiet(),
    signal: abort.signal,
  });
  discovery.onChange((served) => changes.push([...served.groupVersions]));
  t.same(discovery.current().groupVersions, ['autoscaling/v2'], 'assumed before the first answer');
  await discovery.ready;
  t.same(discovery.current().groupVersions, ['autoscaling/v2']);
  await done;
  await new Promise((resolve) => setImmediate(resolve));
  abort.abort();
  t.same(discovery.current().groupVersions, ['autoscaling/v2', 'monitoring.coreos.com/v1']);
  // The first answer equals the assumed APIs, the second the first, a failure keeps them: one change.
  t.same(changes, [['autoscaling/v2', 'monitoring.coreos.com/v1']]);
});

t.test('a first read that fails leaves the assumed APIs and still resolves ready', async (t) => {
  const abort = new AbortController();
  const discovery = startApiDiscovery({ read: () => Promise.reject(new Error('down')), refreshMs: 60_000, log: quiet(), signal: abort.signal });
  await discovery.ready;
  abort.abort();
  t.same(discovery.current().groupVersions, ['autoscaling/v2']);
});
