import t from 'tap';
import { DNS_LABEL_PATTERN, DNS_SUBDOMAIN_PATTERN, isDnsLabel, isDnsSubdomain } from '../../../agent/contract/dns-name.ts';

t.test('a DNS label is 1-63 lowercase letters, digits and inner hyphens', async (t) => {
  for (const good of ['a', '0', 'sr-fe-0', 'a'.repeat(63), '1a']) t.ok(isDnsLabel(good), good);
  for (const bad of ['', 'A', '-a', 'a-', 'a.b', 'a_b', 'a'.repeat(64), 'é']) t.notOk(isDnsLabel(bad), JSON.stringify(bad));
});

t.test('a DNS subdomain is dot-separated labels, at most 253 characters', async (t) => {
  for (const good of ['cluster.local', 'sr-fe-search.ns.svc.cluster.local', 'a', `${'a'.repeat(63)}.${'b'.repeat(63)}`]) t.ok(isDnsSubdomain(good), good);
  const long = Array.from({ length: 64 }, () => 'abc').join('.'); // 255 characters
  for (const bad of ['', '.', 'a..b', 'a.', '.a', 'A.b', 'a b', long, `${'a'.repeat(64)}.b`]) t.notOk(isDnsSubdomain(bad), JSON.stringify(bad));
});

t.test('the schema patterns say the same as the functions, without the length limits', async (t) => {
  const label = new RegExp(DNS_LABEL_PATTERN);
  const subdomain = new RegExp(DNS_SUBDOMAIN_PATTERN);
  for (const value of ['sr-fe-0', '-a', 'A', 'a.b', 'a-b.c-d', 'a..b', 'x']) {
    t.equal(label.test(value), isDnsLabel(value), `label ${value}`);
    t.equal(subdomain.test(value), isDnsSubdomain(value), `subdomain ${value}`);
  }
});
