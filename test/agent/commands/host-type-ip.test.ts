// Issue 11 item 5: IP host mode leaves ghosts on Kubernetes (a re-created BE is added again under
// its new pod IP while its old row keeps the tablets), so the real agent refuses it before it
// touches anything: one line, exit code 69 (ERR_ENV_HOST_TYPE), for every command.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { ERROR_CODES } from '../../../agent/contract/errors.ts';

const env = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  COMPONENT_NAME: 'be',
  POD_NAME: 'prod-be-1',
  POD_NAMESPACE: 'data',
  POD_IP: '127.0.0.21',
  FE_SERVICE_NAME: 'prod-fe-service.data',
  HOST_TYPE: 'IP',
};

for (const command of ['init', 'run', 'prestop']) {
  t.test(`starrocks-agent ${command} with HOST_TYPE=IP stops with one line and exit code 69`, async (t) => {
    const result = spawnSync(process.execPath, ['agent/main.ts', command], { env, encoding: 'utf8', timeout: 30_000 });
    t.equal(result.status, ERROR_CODES.ERR_ENV_HOST_TYPE);
    t.equal(result.status, 69);
    const lines = result.stderr.trim().split('\n');
    t.equal(lines.length, 1, result.stderr);
    t.match(lines[0], /^starrocks-agent: ERR_ENV_HOST_TYPE: HOST_TYPE=IP is refused on Kubernetes/);
    t.equal(result.stdout, '');
  });
}
