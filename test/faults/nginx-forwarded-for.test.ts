// Fault: with `--client-header x-forwarded-for` the nginx bouncer took the left-most address,
// which the client writes itself: a banned client sending `X-Forwarded-For: <anyone>` walked
// through. Now the list is read from the right (the end the nearest proxy wrote), past the
// configured trusted proxies only.
import test from 'ava';
import { NginxBouncer } from '../../src/bouncers/nginx/nginx-bouncer';
import { clientAddress } from '../../src/bouncers/nginx/client-address';
import { DEFAULT_BAN_PAGE, DEFAULT_CAPTCHA_PAGE } from '../../src/bouncers/nginx/pages';
import { IpRangeSet } from '../../src/store/ip-range';

const BANNED = '203.0.113.7';

async function bouncer(trusted: string[]) {
  const b = new NginxBouncer({
    types: new Set(['ban']),
    clientHeader: 'x-forwarded-for',
    trustedProxies: new IpRangeSet(trusted),
    cacheSeconds: 10,
    pages: { ban: DEFAULT_BAN_PAGE, captcha: DEFAULT_CAPTCHA_PAGE },
    log: () => undefined,
  });
  await b.apply({ full: true, fresh: [{ id: 1, value: BANNED, scope: 'Ip', type: 'ban', origin: 'crowdsec', scenario: 'ssh-bf', until: Date.now() + 3_600_000 }], deleted: [] });
  const bound = await b.listen('127.0.0.1', 0);
  const check = async (xff: string) => (await fetch(`http://127.0.0.1:${bound.port}/crowdwatch/check`, { headers: { 'x-forwarded-for': xff } })).status;
  return { b, check };
}

test('a banned client that writes its own X-Forwarded-For entry is still refused', async (t) => {
  // nginx's $proxy_add_x_forwarded_for appends the peer address to what the client sent.
  const { b, check } = await bouncer([]);
  try {
    t.is(await check(`198.51.100.1, ${BANNED}`), 403);
    t.is(await check(`${BANNED}, 198.51.100.1, ${BANNED}`), 403);
    t.is(await check(`${BANNED}`), 403);
    t.is(await check(`${BANNED}, 198.51.100.1`), 204, 'the nearest hop is not banned (and not a trusted proxy)');
  } finally {
    await b.close();
  }
});

test('behind trusted proxies, their entries are skipped and the client before them is checked', async (t) => {
  const { b, check } = await bouncer(['10.0.0.0/8', '2001:db8:ffff::/48']);
  try {
    t.is(await check(`${BANNED}, 10.0.0.5`), 403);
    t.is(await check(`${BANNED}, 10.1.2.3, 2001:db8:ffff::9`), 403);
    // A forged entry left of the real client is never reached.
    t.is(await check(`${BANNED}, 198.51.100.1, 10.0.0.5`), 204);
    t.is(await check(`198.51.100.1, ${BANNED}, 10.0.0.5`), 403);
  } finally {
    await b.close();
  }
});

test('clientAddress: from the right, past trusted proxies; junk anywhere it looks is a problem, not a client', (t) => {
  const trusted = new IpRangeSet(['10.0.0.0/8']);
  t.deepEqual(clientAddress({ 'x-forwarded-for': '192.0.2.9, 10.0.0.1, 10.0.0.2' }, 'x-forwarded-for', trusted), { address: '192.0.2.9' });
  t.deepEqual(clientAddress({ 'x-forwarded-for': '10.0.0.1, 10.0.0.2' }, 'x-forwarded-for', trusted), { address: '10.0.0.1' }, 'all trusted: the left-most');
  t.deepEqual(clientAddress({ 'x-forwarded-for': ['192.0.2.1', `${BANNED}`] }, 'x-forwarded-for'), { address: BANNED }, 'repeated headers: the last one');
  t.regex((clientAddress({ 'x-forwarded-for': 'junk, 10.0.0.1' }, 'x-forwarded-for', trusted) as { problem: string }).problem, /'junk' is not an IP address/);
  t.deepEqual(clientAddress({ 'x-forwarded-for': 'junk, 192.0.2.4' }, 'x-forwarded-for', trusted), { address: '192.0.2.4' }, 'what is left of the client is not read');
});
