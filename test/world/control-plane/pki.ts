/**
 * The world's keys and certificates, made with the openssl CLI: a CA, kube-apiserver's serving
 * certificate for its loopback address, and the service-account signing key pair. Clients
 * authenticate with a static admin token (group `system:masters`), which both
 * `@kubernetes/client-node` and `kubectl` accept from a kubeconfig.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Files written by `writePki`, all inside one folder. */
export interface Pki {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
  /** kube-apiserver's `--token-auth-file`. */
  tokenFile: string;
  /** The admin bearer token (a random value for this world only). */
  adminToken: string;
}

/** Writes a CA, a serving cert for `ips` and the service-account keys into `dir`. */
export async function writePki(dir: string, ips: readonly string[]): Promise<Pki> {
  const p = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): Promise<unknown> => run('openssl', args, { cwd: dir });
  const days = '30';
  await openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.crt'), '-days', days, '-subj', '/CN=starrocks-world-ca');
  await openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', p('apiserver.key'), '-out', p('apiserver.csr'), '-subj', '/CN=kube-apiserver');
  const sans = ['DNS:localhost', 'DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc', 'DNS:kubernetes.default.svc.cluster.local', ...ips.map((ip) => `IP:${ip}`)];
  await writeFile(p('apiserver.ext'), `subjectAltName=${sans.join(',')}\nextendedKeyUsage=serverAuth\n`);
  await openssl('x509', '-req', '-in', p('apiserver.csr'), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p('apiserver.crt'), '-days', days, '-extfile', p('apiserver.ext'));
  await openssl('genrsa', '-out', p('sa.key'), '2048');
  await openssl('rsa', '-in', p('sa.key'), '-pubout', '-out', p('sa.pub'));
  const adminToken = randomBytes(24).toString('hex');
  await writeFile(p('tokens.csv'), `${adminToken},world-admin,world-admin,"system:masters"\n`, { mode: 0o600 });
  return {
    caCert: p('ca.crt'),
    caKey: p('ca.key'),
    serverCert: p('apiserver.crt'),
    serverKey: p('apiserver.key'),
    serviceAccountKey: p('sa.key'),
    serviceAccountPub: p('sa.pub'),
    tokenFile: p('tokens.csv'),
    adminToken,
  };
}
