/**
 * What this world changes in a pod's nginx.conf before its nginx starts, and only that: every pod
 * shares the host's network, /tmp and resolv.conf, and nothing routes ClusterIPs. So the listen
 * port gets the pod's own address, the resolver is the world's CoreDNS, the /tmp paths move to the
 * container's own directory, and a `<cluster>-fe-service` upstream (a ClusterIP Service) becomes
 * its headless `<cluster>-fe-search` twin, which resolves to the same FE pods. Pure.
 */

/** Where the container really is. */
export interface NginxWorldSite {
  /** The pod's address. */
  podIP: string;
  /** CoreDNS, `host:port`. */
  dns: string;
  /** A directory of this container only, writable by the user nginx runs as. */
  runDir: string;
}

/** The configuration as this world runs it. */
export function worldNginxConf(conf: string, site: NginxWorldSite): string {
  return conf
    .replace(/^(\s*listen\s+)(\d+)(\s*;)/gm, `$1${site.podIP}:$2$3`)
    .replace(/^(\s*resolver\s+)\S+/gm, `$1${site.dns}`)
    .replace(/(^|[\s"'])\/tmp\//gm, `$1${site.runDir}/`)
    .replace(/(set \$fe_service "http:\/\/[a-z0-9.-]*?)-fe-service\./g, '$1-fe-search.')
    // The image logs to /var/log/nginx, which the pods share: this container's directory instead.
    .replace(/^(http\s*\{)/m, `$1\n  access_log ${site.runDir}/access.log;`);
}
