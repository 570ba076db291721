// The nftables bouncer's model without a kernel: the partition of overlapping ranges, the element
// text nft reads, the diff against what the kernel holds, and the table script.
import test from 'ava';
import { elementText, formatAddress, kernelSpan, spanOf } from '../../src/bouncers/nftables/addresses';
import { Allowlist } from '../../src/bouncers/nftables/allowlist';
import { partition, type TimedSpan } from '../../src/bouncers/nftables/intervals';
import { ownedScript, ownedSpecs } from '../../src/bouncers/nftables/ruleset';
import { TargetSet, wantedIntervals } from '../../src/bouncers/nftables/target-set';

function span(value: string, until: number): TimedSpan {
  const s = spanOf(value);
  if (!s) throw new Error(value);
  return { ...s.span, until };
}

const text4 = (spans: TimedSpan[]): string[] => spans.map((s) => `${elementText(4, s)}@${s.until}`);

test('addresses: v4 and v6 spans print back as nft writes them', (t) => {
  t.is(elementText(4, spanOf('10.0.0.0/8')!.span), '10.0.0.0-10.255.255.255');
  t.is(elementText(4, spanOf('192.0.2.7')!.span), '192.0.2.7');
  t.is(formatAddress(6, spanOf('2001:db8:0:0:1:0:0:1')!.span.start), '2001:db8::1:0:0:1');
  t.is(formatAddress(6, spanOf('::1')!.span.start), '::1');
  t.is(formatAddress(6, spanOf('2001:db8:1:2:3:4:5:6')!.span.start), '2001:db8:1:2:3:4:5:6');
  t.is(elementText(6, spanOf('2001:db8::/126')!.span), '2001:db8::-2001:db8::3');
  t.is(spanOf('::ffff:192.0.2.9')!.family, 4, 'an IPv4-mapped address is IPv4');
  t.deepEqual(kernelSpan({ prefix: { addr: '10.1.0.0', len: 16 } }), spanOf('10.1.0.0/16')!.span);
  t.deepEqual(kernelSpan({ range: ['10.0.0.5', '10.0.0.9'] }), { start: spanOf('10.0.0.5')!.span.start, end: spanOf('10.0.0.9')!.span.end });
  t.is(spanOf('not-an-ip'), null);
});

test('partition: a longer ban inside a shorter range splits it, a shorter one inside disappears', (t) => {
  const out = partition([span('10.0.0.0/8', 100), span('10.1.0.0/16', 300), span('10.2.0.0/16', 50)]);
  t.deepEqual(text4(out), ['10.0.0.0-10.0.255.255@100', '10.1.0.0-10.1.255.255@300', '10.2.0.0-10.255.255.255@100']);
});

test('partition: disjoint and touching spans, equal ends join, holes are cut out', (t) => {
  t.deepEqual(text4(partition([span('192.0.2.0/25', 9), span('192.0.2.128/25', 9), span('198.51.100.1', 5)])), ['192.0.2.0-192.0.2.255@9', '198.51.100.1@5']);
  const holes = [spanOf('10.0.0.5')!.span, spanOf('10.0.0.200/29')!.span, spanOf('11.0.0.0/8')!.span];
  t.deepEqual(text4(partition([span('10.0.0.0/24', 7)], holes)), ['10.0.0.0-10.0.0.4@7', '10.0.0.6-10.0.0.199@7', '10.0.0.208-10.0.0.255@7']);
  t.deepEqual(partition([span('10.0.0.5', 7)], holes), [], 'an address inside a hole is not written');
  t.deepEqual(partition([]), []);
});

test('partition: many nested and overlapping spans stay disjoint and keep the latest end', (t) => {
  const spans: TimedSpan[] = [];
  let seed = 7;
  const rnd = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  for (let i = 0; i < 300; i++) spans.push(span(`10.${rnd(4)}.${rnd(256)}.0/${16 + rnd(17)}`, 1 + rnd(1000)));
  const out = partition(spans);
  for (let i = 1; i < out.length; i++) t.true(out[i - 1].end < out[i].start, 'sorted and disjoint');
  // Every address of every input span is covered, with the latest end among its covering spans.
  for (const probe of spans.slice(0, 60)) {
    const at = probe.start + (probe.end - probe.start) / 2n;
    const want = Math.max(...spans.filter((s) => s.start <= at && s.end >= at).map((s) => s.until));
    t.is(out.find((s) => s.start <= at && s.end >= at)?.until, want);
  }
});

test('allowlist: covers addresses and ranges wholly inside an entry', (t) => {
  const allow = new Allowlist(['127.0.0.0/8', '::1/128', '192.0.2.0/24']);
  t.true(allow.covers(4, spanOf('127.0.0.1')!.span));
  t.true(allow.covers(4, spanOf('192.0.2.128/25')!.span));
  t.false(allow.covers(4, spanOf('192.0.0.0/16')!.span), 'a range reaching outside is not covered (it gets a hole instead)');
  t.true(allow.covers(6, spanOf('::1')!.span));
  t.false(allow.covers(6, spanOf('::2')!.span));
  t.throws(() => new Allowlist(['nope']), { message: /not an IP address/ });
});

test('target set: the diff leaves right elements alone, replaces changed ends, respects the size', (t) => {
  const [v4] = ownedSpecs({ mode: 'owned', table: 'cw', hooks: ['input'], priority: -10, size: 3 });
  const set = new TargetSet(v4);
  const now = 1_000_000;
  set.loadKernel([{ set: { elem: [{ elem: { val: '192.0.2.1', timeout: 3600, expires: 3000 } }, { elem: { val: '192.0.2.2', timeout: 60, expires: 60 } }, '192.0.2.3'] } }], now);
  t.is(set.installed.size, 3);
  const want = (v: string, ms: number): [string, TimedSpan] => {
    const s = span(v, now + ms);
    return [`${s.start.toString(16)}-${s.end.toString(16)}`, s];
  };
  // .1 is right (within tolerance), .2 is extended, .3 (no timeout) is gone, .4 and .5 are new.
  const changes = set.diff(new Map([want('192.0.2.1', 3_000_500), want('192.0.2.2', 600_000), want('192.0.2.4', 60_000), want('192.0.2.5', 60_000)]), now);
  t.deepEqual(changes.removes.map((s) => elementText(4, s)).sort(), ['192.0.2.2', '192.0.2.3']);
  t.deepEqual(changes.adds.map((s) => elementText(4, s)), ['192.0.2.2', '192.0.2.4'], 'size 3: one element left out');
  t.is(set.overflow, 1);
  const script = set.script(changes, now);
  t.deepEqual(script, [
    'add element inet cw banned-v4 { 192.0.2.2 timeout 1s, 192.0.2.3 timeout 1s }',
    'delete element inet cw banned-v4 { 192.0.2.2, 192.0.2.3 }',
    'add element inet cw banned-v4 { 192.0.2.2 timeout 600000ms, 192.0.2.4 timeout 60000ms }',
  ]);
  set.commit(changes);
  t.deepEqual([...set.installed.values()].map((s) => elementText(4, s)).sort(), ['192.0.2.1', '192.0.2.2', '192.0.2.4']);
});

test('target set: interval sets delete without the add-first guard (nft refuses it on ranges)', (t) => {
  const [, ranges4] = ownedSpecs({ mode: 'owned', table: 'cw', hooks: ['input'], priority: -10, size: 10 });
  const set = new TargetSet(ranges4);
  set.commit({ removes: [], adds: [span('10.0.0.0/8', 5_000_000)] });
  const wanted = wantedIntervals([span('10.0.0.0/8', 5_000_000), span('10.1.2.3', 9_000_000)], []);
  const lines = set.script(set.diff(wanted, 0), 0);
  t.deepEqual(lines, [
    'delete element inet cw banned-ranges-v4 { 10.0.0.0-10.255.255.255 }',
    'add element inet cw banned-ranges-v4 { 10.0.0.0-10.1.2.2 timeout 5000000ms, 10.1.2.3 timeout 9000000ms, 10.1.2.4-10.255.255.255 timeout 5000000ms }',
  ]);
});

test('table script: created whole, repaired in place, started over when a set changed kind', (t) => {
  const layout = { mode: 'owned' as const, table: 'cw', hooks: ['input', 'forward'], priority: -5, size: 1000 };
  const fresh = ownedScript(layout, null);
  t.regex(fresh, /^add table inet cw$/m);
  t.regex(fresh, /^add set inet cw banned-ranges-v6 \{ type ipv6_addr; flags interval, timeout; size 1000; \}$/m);
  t.regex(fresh, /^add chain inet cw forward \{ type filter hook forward priority -5; policy accept; \}$/m);
  t.regex(fresh, /^add rule inet cw input ip6 saddr @banned-v6 counter drop$/m);
  t.notRegex(fresh, /delete/);
  const same = [{ set: { name: 'banned-v4', type: 'ipv4_addr', flags: ['timeout'] } }, { chain: { name: 'input' } }, { chain: { name: 'output' } }];
  const repaired = ownedScript(layout, same);
  t.notRegex(repaired, /delete table/);
  t.regex(repaired, /^delete chain inet cw output$/m, 'a chain no longer configured goes');
  const changed = [{ set: { name: 'banned-v4', type: 'ipv4_addr', flags: ['interval', 'timeout'] } }];
  t.regex(ownedScript(layout, changed), /^delete table inet cw\nadd table inet cw$/m);
});
