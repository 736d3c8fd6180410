import t from 'tap';
import fc from 'fast-check';
import { isAgentError } from '../../../agent/contract/errors.ts';
import {
  hostPort,
  hostPortText,
  hostProblem,
  isValidHost,
  parseHostPort,
  sameHost,
  sameHostPort,
  tryHostPort,
  validPortOf,
} from '../../../agent/sql/host-port.ts';

t.test('hosts StarRocks accepts are valid', async (t) => {
  for (const host of [
    'kube-starrocks-fe-0.kube-starrocks-fe-search.default.svc.cluster.local',
    'fe-0',
    'A1.example.COM',
    '127.64.3.4',
    '0.0.0.0',
    '::1',
    'fe80::1',
    '2001:db8::ff00:42:8329',
    '::ffff:10.0.0.1',
    'a'.repeat(63) + '.b',
  ]) {
    t.equal(hostProblem(host), undefined, host);
  }
});

t.test('anything else is rejected with a reason', async (t) => {
  for (const host of [
    '',
    'fe 0',
    'fe-0.',
    '.fe-0',
    '-fe',
    'fe-',
    'fe_0',
    'a'.repeat(64),
    `${'a.'.repeat(127)}ab`,
    '1.2.3',
    '256.1.1.1',
    '01.2.3.4',
    'fe80::1%eth0',
    '[::1]',
    ':::1',
    'fe"0',
    "fe'0",
    'fe\\0',
    'fe;0',
    'fe\n0',
    'fe0--',
    'héllo',
  ]) {
    t.not(hostProblem(host), undefined, JSON.stringify(host));
  }
});

t.test('ports are whole numbers 1-65535', async (t) => {
  t.equal(validPortOf(1), 1);
  t.equal(validPortOf(65535), 65535);
  for (const port of [0, -1, 65536, 9010.5, Number.NaN, Infinity]) {
    t.throws(() => validPortOf(port), { code: 'ERR_HOST_INVALID' }, String(port));
  }
  t.equal(tryHostPort('fe-0', 0), undefined);
  t.equal(tryHostPort('fe 0', 9010), undefined);
  t.same(tryHostPort('fe-0', 9010), { host: 'fe-0', port: 9010 });
});

t.test('host:port text and parsing round-trip, IPv6 in brackets', async (t) => {
  t.equal(hostPortText(hostPort('fe-0.svc', 9010)), 'fe-0.svc:9010');
  t.equal(hostPortText(hostPort('::1', 9010)), '[::1]:9010');
  t.same(parseHostPort('[fe80::1]:9050'), { host: 'fe80::1', port: 9050 });
  t.same(parseHostPort('10.0.0.1:9050'), { host: '10.0.0.1', port: 9050 });
  for (const raw of ['fe-0', 'fe-0:', ':9010', 'fe-0:99999', 'fe-0:90a', '::1:9010', 'fe-0:9010;DROP', '[fe-0]:9010']) {
    try {
      parseHostPort(raw);
      t.fail(`accepted ${raw}`);
    } catch (error) {
      t.ok(isAgentError(error, 'ERR_HOST_INVALID'), raw);
    }
  }
  fc.assert(
    fc.property(fc.oneof(fc.domain(), fc.ipV4(), fc.ipV6()), fc.integer({ min: 1, max: 65535 }), (host, port) => {
      fc.pre(isValidHost(host));
      const parsed = parseHostPort(hostPortText(hostPort(host, port)));
      return parsed.host === host && parsed.port === port;
    }),
  );
});

t.test('sameHost compares IPs by value and names without case', async (t) => {
  t.ok(sameHost('::1', '0:0:0:0:0:0:0:1'));
  t.ok(sameHost('::ffff:10.0.0.1', '0:0:0:0:0:ffff:a00:1'));
  t.ok(sameHost('2001:DB8::1', '2001:db8:0:0:0:0:0:1'));
  t.ok(sameHost('Fe-0.Svc', 'fe-0.svc'));
  t.notOk(sameHost('fe-0.svc', 'fe-1.svc'));
  t.notOk(sameHost('::1', '::2'));
  t.notOk(sameHost('10.0.0.1', '10.0.0.10'));
  t.ok(sameHostPort({ host: 'fe-0', port: 9010 }, { host: 'FE-0', port: 9010 }));
  t.notOk(sameHostPort({ host: 'fe-0', port: 9010 }, { host: 'fe-0', port: 9011 }));
});

t.test('property: validation accepts exactly the documented shapes', async (t) => {
  // Generated DNS names, IPv4 and IPv6 addresses are accepted; any string with a character outside
  // [A-Za-z0-9.:-] is rejected.
  fc.assert(fc.property(fc.ipV4(), (ip) => isValidHost(ip)));
  fc.assert(fc.property(fc.ipV6(), (ip) => isValidHost(ip)));
  fc.assert(
    fc.property(fc.domain(), (name) => {
      const last = name.split('.').at(-1) as string;
      return isValidHost(name) === !/^[0-9]+$/.test(last);
    }),
  );
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (raw) => {
      fc.pre(/[^A-Za-z0-9.:-]/.test(raw));
      return !isValidHost(raw);
    }),
  );
  t.pass('properties hold');
});
