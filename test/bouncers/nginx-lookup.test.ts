// The nginx bouncer's lookups without nginx: the address index (exact addresses, IPv4 and IPv6
// ranges, expiry, ban before captcha), the client address header and the cache time of an answer.
import test from 'ava';
import type { StreamDecision } from '../../src/bouncers/common/decision-stream';
import { AddressIndex } from '../../src/bouncers/nginx/address-index';
import { cacheSeconds } from '../../src/bouncers/nginx/auth-server';
import { clientAddress } from '../../src/bouncers/nginx/client-address';

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

function decision(id: number, value: string, until = T0 + HOUR, type = 'ban'): StreamDecision {
  return { id, value, until, type, scope: value.includes('/') ? 'Range' : 'Ip', origin: 'cscli', scenario: 'test' };
}

function indexOf(...decisions: StreamDecision[]): AddressIndex {
  const index = new AddressIndex(new Set(['ban', 'captcha']));
  index.apply({ full: true, fresh: decisions, deleted: [] });
  return index;
}

const idAt = (index: AddressIndex, address: string, now = T0) => index.verdict(address, now)?.decision.id;

test('exact addresses: IPv4, IPv6 however it is written, IPv4-mapped IPv6', (t) => {
  const index = indexOf(decision(1, '203.0.113.5'), decision(2, '2001:db8::5'));
  t.is(idAt(index, '203.0.113.5'), 1);
  t.is(idAt(index, '203.0.113.6'), undefined);
  t.is(idAt(index, '2001:0db8:0000::0005'), 2);
  t.is(idAt(index, '2001:db8::6'), undefined);
  t.is(idAt(index, '::ffff:203.0.113.5'), 1, 'an IPv4-mapped client is the IPv4 address');
});

test('ranges contain their addresses, per family, and the longest-lasting decision wins', (t) => {
  const index = indexOf(
    decision(1, '198.51.100.0/24'),
    decision(2, '198.51.0.0/16', T0 + 2 * HOUR),
    decision(3, '2001:db8:aa::/48'),
    decision(4, '0.0.0.0/0', T0 + 1000),
  );
  t.is(idAt(index, '198.51.100.77'), 2, 'inside both: the /16 lasts longer');
  t.is(idAt(index, '198.51.7.1'), 2);
  t.is(idAt(index, '192.0.2.1'), 4, '/0 covers every IPv4 address');
  t.is(idAt(index, '192.0.2.1', T0 + 1000), undefined, 'until it ends');
  t.is(idAt(index, '2001:db8:aa:ffff::1'), 3);
  t.is(idAt(index, '2001:db8:ab::1'), undefined);
  t.is(idAt(index, '2001:db9::1'), undefined, 'an IPv4 /0 holds no IPv6 address');
});

test('ended decisions are ignored at once and dropped by expire; deletions and full lists update the index', (t) => {
  const index = indexOf(decision(1, '203.0.113.5', T0 + 1000), decision(2, '198.51.100.0/24', T0 + 1000), decision(3, '192.0.2.1'));
  t.is(idAt(index, '198.51.100.1', T0 + 999), 2);
  t.is(idAt(index, '198.51.100.1', T0 + 1000), undefined);
  t.is(index.size, 3);
  index.expire(T0 + 1000);
  t.is(index.size, 1);
  index.apply({ full: false, fresh: [], deleted: [decision(3, '192.0.2.1')] });
  t.is(idAt(index, '192.0.2.1'), undefined);
  t.is(index.size, 0);
  index.apply({ full: false, fresh: [decision(4, '192.0.2.1')], deleted: [] });
  t.is(idAt(index, '192.0.2.1'), 4);
  index.apply({ full: true, fresh: [decision(5, '192.0.2.2')], deleted: [] });
  t.is(idAt(index, '192.0.2.1'), undefined, 'a full list replaces everything');
  t.is(idAt(index, '192.0.2.2'), 5);
});

test('a ban beats a captcha that lasts longer; types outside the set are not enforced', (t) => {
  const index = indexOf(decision(1, '203.0.113.9', T0 + 2 * HOUR, 'captcha'), decision(2, '203.0.113.0/24', T0 + HOUR), decision(3, '192.0.2.3', T0 + HOUR, 'throttle'));
  t.deepEqual(index.verdict('203.0.113.9', T0)?.remediation, 'ban');
  t.deepEqual(index.verdict('203.0.113.9', T0 + HOUR)?.remediation, 'captcha');
  t.is(index.verdict('192.0.2.3', T0), undefined);
  const banOnly = new AddressIndex(new Set(['ban']));
  banOnly.apply({ full: true, fresh: [decision(1, '203.0.113.9', T0 + HOUR, 'captcha')], deleted: [] });
  t.is(banOnly.verdict('203.0.113.9', T0), undefined);
});

test('bad values: a decision on a non-address is ignored with a warning; a non-address client is free', (t) => {
  const warnings: string[] = [];
  const index = new AddressIndex(new Set(['ban']), (m) => warnings.push(m));
  index.apply({ full: true, fresh: [decision(1, 'example.com'), decision(2, '192.0.2.0/24')], deleted: [] });
  t.regex(warnings.join('\n'), /ignoring decision on 'example.com'/);
  t.is(idAt(index, 'example.com'), undefined);
  t.is(idAt(index, '192.0.2.0/24'), undefined, 'a range is no client');
  t.is(idAt(index, ''), undefined);
  t.is(idAt(index, '192.0.2.300'), undefined);
});

test('the client address comes from one header, the last entry of a list, without brackets or port', (t) => {
  t.deepEqual(clientAddress({ 'x-real-ip': '203.0.113.5' }, 'x-real-ip'), { address: '203.0.113.5' });
  t.deepEqual(clientAddress({ 'x-forwarded-for': '10.0.0.1, 2001:db8::1' }, 'x-forwarded-for'), { address: '2001:db8::1' });
  t.deepEqual(clientAddress({ 'x-forwarded-for': '[2001:db8::1]:443' }, 'x-forwarded-for'), { address: '2001:db8::1' });
  t.deepEqual(clientAddress({ 'x-forwarded-for': '192.0.2.1:8080' }, 'x-forwarded-for'), { address: '192.0.2.1' });
  t.regex((clientAddress({}, 'x-real-ip') as { problem: string }).problem, /no x-real-ip header/);
  t.regex((clientAddress({ 'x-real-ip': 'unknown' }, 'x-real-ip') as { problem: string }).problem, /'unknown' is not an IP address/);
  t.regex((clientAddress({ 'x-real-ip': '1'.repeat(5000) }, 'x-real-ip') as { problem: string }).problem, /header of 5000 bytes/);
});

test('an answer is cached for the cache time, never past the end of its decision', (t) => {
  t.is(cacheSeconds(undefined, T0, 10), 10);
  t.is(cacheSeconds({ remediation: 'ban', decision: decision(1, '192.0.2.1') }, T0, 10), 10);
  t.is(cacheSeconds({ remediation: 'ban', decision: decision(1, '192.0.2.1', T0 + 4500) }, T0, 10), 4);
  t.is(cacheSeconds({ remediation: 'ban', decision: decision(1, '192.0.2.1', T0 + 400) }, T0, 10), 0);
});
