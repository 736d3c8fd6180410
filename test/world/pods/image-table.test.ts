import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { VERSION } from '../../../agent/contract/version.ts';
import { AGENT_EXECUTABLE, containerArgv, findImage, imagePullFailure, parseImageReference } from './image-table.ts';

t.test('references are read as a registry client reads them', async (t) => {
  t.match(parseImageReference('busybox'), { registry: 'docker.io', repository: 'busybox', suffix: ':latest', full: 'docker.io/library/busybox:latest' });
  t.match(parseImageReference('starrocks/fe-ubuntu:3.5.8'), { repository: 'starrocks/fe-ubuntu', full: 'docker.io/starrocks/fe-ubuntu:3.5.8' });
  t.match(parseImageReference('localhost:5000/team/starrocks-controller:0.1.0'), { registry: 'localhost:5000', repository: 'team/starrocks-controller', suffix: ':0.1.0' });
  t.match(parseImageReference('docker.io/library/python:3@sha256:ab'), { repository: 'python', suffix: '@sha256:ab' });
});

t.test('the table knows the controller, the official and the agent images, and a few base images', async (t) => {
  t.equal(findImage('starrocks-controller:0.1.0')?.kind, 'starrocks-controller');
  t.equal(findImage('registry.example.com/ops/starrocks-controller:1')?.kind, 'starrocks-controller');
  for (const c of ['fe', 'be', 'cn']) t.equal(findImage(`starrocks/${c}-ubuntu:3.5.8`)?.kind, 'starrocks-official');
  t.equal(findImage('starrocks-fe-agent:3.5.8')?.kind, 'starrocks-agent');
  t.equal(findImage('starrocks-be-agent:3.5.8')?.kind, 'starrocks-agent');
  t.equal(findImage('busybox')?.kind, 'busybox');
  t.equal(findImage('python:3')?.kind, 'python');
  for (const unknown of ['any/fe:3.3', 'fe:1', 'none', '', undefined, 'starrocks/fe-centos:3.5']) t.equal(findImage(unknown), undefined, `${String(unknown)} is unknown`);
});

t.test('command replaces the entrypoint and drops CMD; args replace CMD', async (t) => {
  const agent = findImage('starrocks-be-agent:3.5.8');
  if (agent === undefined) throw new Error('no agent image');
  t.same(containerArgv(agent, undefined, undefined), ['/usr/bin/tini', '--', '/opt/starrocks-agent/starrocks-agent', 'run']);
  t.same(containerArgv(agent, undefined, ['--version']), ['/usr/bin/tini', '--', '/opt/starrocks-agent/starrocks-agent', '--version']);
  t.same(containerArgv(agent, ['sh'], undefined), ['sh']);
  t.same(containerArgv(agent, ['sh'], ['-c', 'true']), ['sh', '-c', 'true']);
  const official = findImage('starrocks/fe-ubuntu:3.5.8');
  if (official === undefined) throw new Error('no official image');
  t.same(containerArgv(official, undefined, undefined), ['/bin/bash'], 'ubuntu:22.04 sets CMD ["/bin/bash"] and no ENTRYPOINT');
});

t.test('the baseline images run the model of the official scripts where the agent images run the agent', async (t) => {
  const host = { nodePath: '/usr/bin/node', repoRoot: '/repo' };
  for (const reference of ['starrocks-fe-baseline:3.3', 'starrocks-be-baseline:3.3', 'registry.example.com/x/starrocks-be-baseline:3.5']) {
    const image = findImage(reference);
    t.equal(image?.kind, 'starrocks-baseline', reference);
    t.equal(image?.starrocksTree, true, `${reference} holds the install tree`);
    t.same(image?.programs['/opt/starrocks-agent/starrocks-agent']?.(['prestop'], host), { file: '/usr/bin/node', args: ['/repo/test/chaos/baseline/main.ts', 'prestop'] });
    t.same(image?.programs['/opt/starrocks/be_entrypoint.sh']?.(['sr-fe-service'], host), { exec: ['/opt/starrocks-agent/starrocks-agent', 'run', 'sr-fe-service'] });
  }
  t.same(findImage('starrocks-fe-agent:3.3')?.programs['/opt/starrocks-agent/starrocks-agent']?.(['run'], host), { file: '/usr/bin/node', args: ['/repo/agent/main.ts', 'run'] }, 'the agent images are unchanged');
  t.equal(findImage('starrocks-cn-baseline:3.3'), undefined, 'CN shares the be image, as with the agent images');
});

t.test('a failed pull alternates ErrImagePull and ImagePullBackOff, naming the image', async (t) => {
  t.same(imagePullFailure('any/fe:3.3', 1), {
    reason: 'ErrImagePull',
    message:
      'Failed to pull image "any/fe:3.3": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/any/fe:3.3": failed to resolve reference "docker.io/any/fe:3.3": docker.io/any/fe:3.3: not found',
  });
  t.same(imagePullFailure('any/fe:3.3', 2), { reason: 'ImagePullBackOff', message: 'Back-off pulling image "any/fe:3.3"' });
  t.equal(imagePullFailure('any/fe:3.3', 3).reason, 'ErrImagePull');
});

t.test('the agent image runs the real single executable, which installs itself where the stock images run it', async (t) => {
  const image = findImage('starrocks-agent:0.1.0');
  if (image === undefined) throw new Error('no agent image');
  t.equal(image.kind, 'starrocks-agent-executable');
  t.equal(findImage('registry.example.com/sr/starrocks-agent:0.1.0')?.kind, 'starrocks-agent-executable');
  t.equal(findImage('starrocks-fe-agent:3.5.8')?.kind, 'starrocks-agent', 'the combined images stay their own entry');
  // images/agent.Dockerfile: ENTRYPOINT ["/starrocks-agent"], CMD install --to /opt/starrocks-agent.
  t.same(containerArgv(image, undefined, undefined), ['/starrocks-agent', 'install', '--to', '/opt/starrocks-agent']);
  const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
  const host = { nodePath: process.execPath, repoRoot };
  // The pull builds dist/starrocks-agent when it is missing or older than agent/.
  await image.pull?.(host);
  const program = image.programs['/starrocks-agent']?.(['install', '--to', '/x'], host);
  t.same(program, { file: join(repoRoot, AGENT_EXECUTABLE), args: ['install', '--to', '/x'] }, 'the executable itself, not agent/main.ts');
  const header = Buffer.alloc(4);
  const fd = openSync(join(repoRoot, AGENT_EXECUTABLE), 'r');
  readSync(fd, header, 0, 4, 0);
  closeSync(fd);
  t.same([...header], [0x7f, 0x45, 0x4c, 0x46], 'an ELF file');

  const dir = mkdtempSync(join(tmpdir(), 'agent-image-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const out = execFileSync(join(repoRoot, AGENT_EXECUTABLE), ['install', '--to', dir], { encoding: 'utf8', timeout: 60_000 });
  t.match(out, /installed at/);
  t.equal(execFileSync(join(dir, 'starrocks-agent'), ['--version'], { encoding: 'utf8', timeout: 60_000 }).trim(), `starrocks-agent ${VERSION}`, 'the copy in the emptyDir runs');
});
