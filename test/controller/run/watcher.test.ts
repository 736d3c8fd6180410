import t from 'tap';
import { createLogger } from '../../../agent/contract/log.ts';
import type { KubeApi, WatchEvent } from '../../../controller/kube/kube-api.ts';
import { KubeCallError } from '../../../controller/kube/rest-api.ts';
import { runWatcher } from '../../../controller/run/watcher.ts';

t.test('the watcher relists after 410 at once, backs off after other errors, resumes from the last resourceVersion, and stops on abort', async (t) => {
  const calls: string[] = [];
  const abort = new AbortController();
  let watchCount = 0;
  const api: Pick<KubeApi, 'list' | 'watch'> = {
    async list() {
      calls.push('list');
      return { items: [{ metadata: { name: 'x' } }], resourceVersion: `${calls.length}` };
    },
    async watch(options) {
      watchCount += 1;
      calls.push(`watch@${options.resourceVersion}`);
      switch (watchCount) {
        case 1:
          throw new KubeCallError(500, 'boom');
        case 2:
          options.onEvent({ type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: '10' } } });
          options.onEvent({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '11' } } });
          return; // the server ended the stream (timeoutSeconds): resume from 11
        case 3:
          throw new KubeCallError(410, 'gone');
        default:
          abort.abort();
          return;
      }
    },
  };
  const events: WatchEvent[] = [];
  let lists = 0;
  await runWatcher({
    api: api as KubeApi,
    log: createLogger({ level: 'silent' }),
    kind: 'Pod',
    namespace: undefined,
    onList: () => (lists += 1),
    onEvent: (e) => events.push(e),
    signal: abort.signal,
    baseBackoffMs: 5,
  });
  t.same(calls, ['list', 'watch@1', 'list', 'watch@3', 'watch@11', 'list', 'watch@6']);
  t.equal(lists, 3);
  t.same(events.map((e) => e.type), ['ADDED'], 'bookmarks only move the resourceVersion');
});
