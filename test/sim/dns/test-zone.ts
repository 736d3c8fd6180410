/**
 * The DNS world DNS tests share: a cluster DNS with the Services of cluster `sr` in namespace
 * `ns` and three FE pods (127.64.1.10-12, only FE 0 ready), stopped when the test ends.
 */
import type { Test } from 'tap';
import { startClusterDns } from './cluster-dns.ts';
import type { ClusterDns, ClusterDnsOptions } from './cluster-dns.ts';
import { addStarRocksCluster } from './starrocks-services.ts';

/** Start the shared DNS world for one test. */
export async function startTestZone(t: Test, options: ClusterDnsOptions = {}): Promise<ClusterDns> {
  const dns = await startClusterDns(options);
  t.teardown(() => dns.stop());
  addStarRocksCluster(dns, { namespace: 'ns', cluster: 'sr', pods: [0, 1, 2].map((ordinal) => ({ component: 'fe', ordinal, ip: `127.64.1.${ordinal + 10}`, ready: ordinal === 0 })) });
  dns.propagateNow();
  return dns;
}
