import t from 'tap';
import { confPort, parseStarRocksConf } from '../../../agent/contract/starrocks-conf.ts';

t.test('official fe.conf shapes parse the way StarRocks reads them', async (t) => {
  const conf = parseStarRocksConf(
    [
      '# comment',
      'LOG_DIR = ${STARROCKS_HOME}/log',
      '  meta_dir = "${STARROCKS_HOME}/meta"   # trailing comment',
      'edit_log_port = 9010',
      'edit_log_port = 19010',
      "query_port:'9031'",
      'sys_log_verbose_modules = org.apache#starrocks',
      'JAVA_OPTS="-Xmx8g -Dlog4j2.formatMsgNoLookups=true"',
      'priority_networks = 10.0.0.0/8;192.168.0.0/16',
      'derived = $LOG_DIR/audit',
      'not a key value line',
      '#meta_dir = /wrong',
    ].join('\n'),
    { STARROCKS_HOME: '/opt/starrocks/fe' },
  );
  t.equal(conf.get('LOG_DIR'), '/opt/starrocks/fe/log');
  t.equal(conf.get('meta_dir'), '/opt/starrocks/fe/meta');
  t.equal(conf.get('edit_log_port'), '19010', 'last duplicate wins');
  t.equal(conf.get('query_port'), '9031');
  t.equal(conf.get('sys_log_verbose_modules'), 'org.apache#starrocks');
  t.equal(conf.get('JAVA_OPTS'), '-Xmx8g -Dlog4j2.formatMsgNoLookups=true');
  t.equal(conf.get('priority_networks'), '10.0.0.0/8;192.168.0.0/16');
  t.equal(conf.get('derived'), '/opt/starrocks/fe/log/audit', 'keys defined above expand');
  t.equal(confPort(conf, 'edit_log_port', 9010), 19010);
  t.equal(confPort(conf, 'http_port', 8030), 8030, 'absent key gives the default');
  t.equal(confPort(parseStarRocksConf('http_port = 80a'), 'http_port', 8030), undefined);
  t.equal(confPort(parseStarRocksConf('http_port = 0'), 'http_port', 8030), undefined);
});

t.test('unknown braced variables expand to empty, as the start scripts do', async (t) => {
  t.equal(parseStarRocksConf('a = ${NOPE}/x').get('a'), '/x');
  t.equal(parseStarRocksConf('pwd = p$ss').get('pwd'), 'p$ss');
});
