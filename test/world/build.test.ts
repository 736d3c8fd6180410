import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BINARY_NAMES, HELM, PROMTOOL, cacheBinDir, helmBinDir, locateBinaries, locateHelm, locatePromtool, promtoolBinDir, versionsKey } from './binaries.ts';
import { NO_GO_MESSAGE, buildMissing, findGo, helmVersionStamps, kubernetesVersionStamps, promtoolVersionStamps, stagingReplaces } from './build.ts';
import { addressPlan } from './address-plan.ts';
import { corefileText } from './control-plane/control-plane.ts';

t.test('staging modules of k8s.io/kubernetes are replaced by their published v0 versions', async (t) => {
  const goMod = 'replace (\n\tk8s.io/api => ./staging/src/k8s.io/api\n\tk8s.io/client-go => ./staging/src/k8s.io/client-go\n\tgithub.com/x/y => github.com/x/z v1.0.0\n)\n';
  t.same(stagingReplaces(goMod, 'v1.35.4'), ['\tk8s.io/api => k8s.io/api v0.35.4', '\tk8s.io/client-go => k8s.io/client-go v0.35.4']);
});

t.test('the cache is keyed by versions and platform, and KUBEBUILDER_ASSETS wins per binary', async (t) => {
  t.not(versionsKey('linux-x64'), versionsKey('linux-arm64'));
  const root = mkdtempSync(join(tmpdir(), 'world-bin-test-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const env = { STARROCKS_WORLD_CACHE: join(root, 'cache'), KUBEBUILDER_ASSETS: join(root, 'assets') };
  t.equal(cacheBinDir(env), join(root, 'cache', versionsKey(), 'bin'));
  t.same(locateBinaries(env).missing, [...BINARY_NAMES]);
  mkdirSync(env.KUBEBUILDER_ASSETS);
  writeFileSync(join(env.KUBEBUILDER_ASSETS, 'etcd'), '');
  mkdirSync(cacheBinDir(env), { recursive: true });
  for (const name of BINARY_NAMES.filter((n) => n !== 'etcd')) writeFileSync(join(cacheBinDir(env), name), '');
  const located = locateBinaries(env);
  t.same(located.missing, []);
  t.equal(located.paths.etcd, join(env.KUBEBUILDER_ASSETS, 'etcd'));
  t.equal(located.paths['kube-apiserver'], join(cacheBinDir(env), 'kube-apiserver'));
});

t.test('address plans stay inside 127.128.0.0/10', async (t) => {
  for (const r of [0, 0.5, 0.999999]) {
    const plan = addressPlan(() => r);
    const [a, b] = plan.prefix.split('.').map(Number);
    t.equal(a, 127);
    t.ok(b !== undefined && b >= 128 && b <= 191, plan.prefix);
  }
});

t.test('CoreDNS serves the cluster domain and reverse zones from the API, bound to loopback', async (t) => {
  const text = corefileText({ ip: '127.140.1.1', port: 5353, readyPort: 8181, kubeconfigPath: '/w/kubeconfig' });
  t.match(text, /^\.:5353 \{/);
  t.match(text, /bind 127\.140\.1\.1/);
  t.match(text, /kubernetes cluster\.local in-addr\.arpa ip6\.arpa/);
  t.match(text, /kubeconfig \/w\/kubeconfig/);
  t.notMatch(text, /forward/);
});

t.test('without a Go toolchain the build stops with one line saying what to install', async (t) => {
  t.equal(findGo(['/nonexistent/go']), undefined);
  t.ok(findGo() !== undefined, 'this machine has Go');
  t.notMatch(NO_GO_MESSAGE, /\n/);
  t.match(NO_GO_MESSAGE, /install it from https:\/\/go\.dev\/dl/);
  const root = mkdtempSync(join(tmpdir(), 'world-nogo-test-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const saved = { cache: process.env.STARROCKS_WORLD_CACHE, go: process.env.STARROCKS_WORLD_GO, assets: process.env.KUBEBUILDER_ASSETS };
  process.env.STARROCKS_WORLD_CACHE = root;
  process.env.STARROCKS_WORLD_GO = '/nonexistent/go';
  delete process.env.KUBEBUILDER_ASSETS;
  t.teardown(() => {
    for (const [key, value] of [['STARROCKS_WORLD_CACHE', saved.cache], ['STARROCKS_WORLD_GO', saved.go], ['KUBEBUILDER_ASSETS', saved.assets]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
  const lines: string[] = [];
  t.equal(buildMissing((line) => lines.push(line)), NO_GO_MESSAGE);
  t.same(lines, []);
});

t.test('a Kubernetes build is stamped with its release, as hack/lib/version.sh does', async (t) => {
  const stamps = kubernetesVersionStamps({ version: 'v1.35.4', commit: 'a'.repeat(40), time: '2026-04-14T10:01:02.123Z' });
  for (const pkg of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
    t.ok(stamps.includes(`-X ${pkg}.gitVersion=v1.35.4`), `${pkg} gitVersion`);
    t.ok(stamps.includes(`-X ${pkg}.gitMajor=1`), `${pkg} gitMajor`);
    t.ok(stamps.includes(`-X ${pkg}.gitMinor=35`), `${pkg} gitMinor`);
    t.ok(stamps.includes(`-X ${pkg}.gitCommit=${'a'.repeat(40)}`), `${pkg} gitCommit`);
    t.ok(stamps.includes(`-X ${pkg}.gitTreeState=clean`), `${pkg} gitTreeState`);
    t.ok(stamps.includes(`-X ${pkg}.buildDate=2026-04-14T10:01:02Z`), `${pkg} buildDate, RFC 3339 without fractions`);
  }
  t.equal(stamps.length, 12);
  t.ok(stamps.every((s) => !s.includes(' ', 3)), 'no value holds a space (ldflags are split on spaces)');
  const bare = kubernetesVersionStamps({ version: 'v1.35.4' });
  t.ok(bare.includes(`-X k8s.io/component-base/version.gitCommit=${'0'.repeat(40)}`), 'a zero commit when the proxy gave none');
  t.ok(bare.includes('-X k8s.io/component-base/version.buildDate=1970-01-01T00:00:00Z'));
  t.throws(() => kubernetesVersionStamps({ version: 'master' }), /not a Kubernetes release version/);
});

t.test('helm has its own cache folder, keyed by its version and platform, beside the Kubernetes binaries', async (t) => {
  const env = { STARROCKS_WORLD_CACHE: mkdtempSync(join(tmpdir(), 'world-helm-test-')) };
  t.teardown(() => rmSync(env.STARROCKS_WORLD_CACHE, { recursive: true, force: true }));
  t.equal(helmBinDir(env, 'linux-x64'), join(env.STARROCKS_WORLD_CACHE, `helm-${HELM.version}-r${HELM.recipe}-linux-x64`, 'bin'));
  t.not(helmBinDir(env, 'linux-x64'), helmBinDir(env, 'linux-arm64'));
  t.not(join(helmBinDir(env), '..'), join(cacheBinDir(env), '..'), 'not inside the Kubernetes binaries\' folder');
  t.equal(locateHelm(env), undefined);
  mkdirSync(helmBinDir(env), { recursive: true });
  writeFileSync(join(helmBinDir(env), 'helm'), '');
  t.equal(locateHelm(env), join(helmBinDir(env), 'helm'));
  t.same(locateBinaries(env).missing, [...BINARY_NAMES], 'helm does not stand in for a Kubernetes binary');
});

t.test('a Helm build is stamped as its Makefile does: version, and the Kubernetes minor of its client-go', async (t) => {
  const stamps = helmVersionStamps({ version: 'v3.22.0', clientGo: 'v0.37.0' });
  t.ok(stamps.includes('-X helm.sh/helm/v3/internal/version.version=v3.22.0'));
  for (const pkg of ['helm.sh/helm/v3/pkg/lint/rules', 'helm.sh/helm/v3/pkg/chartutil']) {
    t.ok(stamps.includes(`-X ${pkg}.k8sVersionMajor=1`), `${pkg} major`);
    t.ok(stamps.includes(`-X ${pkg}.k8sVersionMinor=37`), `${pkg} minor`);
  }
  t.throws(() => helmVersionStamps({ version: 'v3.22.0', clientGo: 'v1.2.3' }), /not a client-go version/);
});

t.test('the cached helm is the pinned release', async (t) => {
  const helm = locateHelm();
  if (helm === undefined) throw new Error('helm is not built: run node test/world/build.ts');
  t.match(execFileSync(helm, ['version', '--short'], { encoding: 'utf8' }), new RegExp(`^${HELM.version.replaceAll('.', '\\.')}`));
});

t.test('promtool has its own cache folder, keyed by its version and platform, beside helm and the Kubernetes binaries', async (t) => {
  const env = { STARROCKS_WORLD_CACHE: mkdtempSync(join(tmpdir(), 'world-promtool-test-')) };
  t.teardown(() => rmSync(env.STARROCKS_WORLD_CACHE, { recursive: true, force: true }));
  t.equal(promtoolBinDir(env, 'linux-x64'), join(env.STARROCKS_WORLD_CACHE, `promtool-${PROMTOOL.version}-r${PROMTOOL.recipe}-linux-x64`, 'bin'));
  t.not(promtoolBinDir(env, 'linux-x64'), promtoolBinDir(env, 'linux-arm64'));
  t.not(join(promtoolBinDir(env), '..'), join(cacheBinDir(env), '..'), "not inside the Kubernetes binaries' folder");
  t.not(promtoolBinDir(env), helmBinDir(env));
  t.equal(locatePromtool(env), undefined);
  mkdirSync(promtoolBinDir(env), { recursive: true });
  writeFileSync(join(promtoolBinDir(env), 'promtool'), '');
  t.equal(locatePromtool(env), join(promtoolBinDir(env), 'promtool'));
  t.equal(locateHelm(env), undefined, 'promtool does not stand in for helm');
});

t.test('a promtool build is stamped with the Prometheus release its Go module version stands for', async (t) => {
  t.ok(promtoolVersionStamps('v0.316.0').includes('-X github.com/prometheus/common/version.Version=3.16.0'));
  t.ok(promtoolVersionStamps('v0.305.2').includes('-X github.com/prometheus/common/version.Version=3.5.2'));
  t.throws(() => promtoolVersionStamps('v3.16.0'), /not a Prometheus module version/);
});

t.test('the cached promtool is the pinned release', async (t) => {
  const promtool = locatePromtool();
  if (promtool === undefined) throw new Error('promtool is not built: run node test/world/build.ts');
  const release = promtoolVersionStamps(PROMTOOL.version)[0]?.split('=')[1] ?? '';
  t.match(execFileSync(promtool, ['--version'], { encoding: 'utf8' }), new RegExp(`^promtool, version ${release.replaceAll('.', '\\.')} `));
});
