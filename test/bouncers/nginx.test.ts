// `crowdwatch bouncer nginx` behind a real nginx (Debian's, run by the test with the configuration
// `--print-config` prints). nginx's realip module takes the client from X-Forwarded-For, so each
// request can play a different client.
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { packageRoot } from '../../src/engine/package-root';
import { freeLoopbackPort, Server, sleep } from '../../src/reference/processes';
import { startTestApi, type TestApi } from '../helpers/api';
import { ensureNginx, type RunningNginx, startNginx } from '../helpers/nginx';
import { runCli, tempDir } from '../helpers/run-cli';
import { requires } from '../helpers/requirement';

const CACHE_S = 2;
/** The API rechecks its database each second for a long-polling bouncer; allow for a slow machine. */
const STREAM_LATENCY_MS = 3000;
const nginx = ensureNginx();
const serial = requires(test.serial, 'skip' in nginx ? nginx.skip : null);

let api: TestApi;
let bouncer: Server;
let web: RunningNginx;
let checkUrl: string;
let dir: string;

async function cli(...args: string[]): Promise<void> {
  const r = await runCli(...args, ...api.flags);
  if (r.code !== 0) throw new Error(r.stderr);
}

interface Answer {
  status: number;
  body: string;
  cache: string | null;
  remediation: string | null;
  headers: Headers;
}

async function visit(client: string, page = '/index.html', headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${web.url}${page}`, { headers: { 'x-forwarded-for': client, ...headers } });
  return { status: res.status, body: await res.text(), cache: res.headers.get('x-crowdwatch-cache'), remediation: res.headers.get('x-crowdwatch-remediation'), headers: res.headers };
}

test.before(async () => {
  if ('skip' in nginx) return;
  api = await startTestApi();
  dir = tempDir('nginx');
  const key = await api.bouncerKey('nginx');
  await cli('decisions', 'add', '--ip', '203.0.113.5', '--duration', '1h');
  await cli('decisions', 'add', '--ip', '203.0.113.9', '--duration', '1h', '--type', 'captcha');
  await cli('decisions', 'add', '--range', '198.51.100.0/24', '--duration', '1h');
  await cli('decisions', 'add', '--ip', '2001:db8::5', '--duration', '1h');
  await cli('decisions', 'add', '--ip', '203.0.113.20', '--duration', '1h');
  const captchaPage = path.join(dir, 'captcha.html');
  fs.writeFileSync(captchaPage, '<html><body>prove-you-are-human</body></html>\n');
  const listen = `127.0.0.1:${await freeLoopbackPort()}`;
  checkUrl = `http://${listen}/crowdwatch/check`;
  const common = ['--listen', listen, '--cache-time', `${CACHE_S}s`];
  bouncer = new Server(process.execPath, [path.join(packageRoot, 'bin/crowdwatch.js'), 'bouncer', 'nginx', ...common, '--captcha-page', captchaPage, '--api-url', api.url, '--api-key', key], { cwd: dir, env: process.env });
  for (let i = 0; !/decision list loaded: 5 /.test(bouncer.output); i++) {
    if (i > 200 || !bouncer.alive) throw new Error(`the bouncer did not load its decisions:\n${bouncer.output}`);
    await sleep(50);
  }
  const printed = await runCli('bouncer', 'nginx', '--print-config', ...common, '--cache-path', path.join(dir, 'cache'));
  const [http, server] = printed.stdout.split(/^# ---- in each server \{ \} block to protect ----$/m);
  if (server === undefined) throw new Error(`unexpected --print-config output:\n${printed.stdout}`);
  fs.mkdirSync(path.join(dir, 'html', 'private'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'html', 'index.html'), 'the protected site\n');
  fs.writeFileSync(path.join(dir, 'htpasswd'), 'user:{PLAIN}secret\n');
  web = await startNginx(nginx.bin, dir, {
    http,
    server: `${server}
set_real_ip_from 127.0.0.1;
real_ip_header X-Forwarded-For;
# For the test: whether nginx answered the check from its cache.
auth_request_set $crowdwatch_cache $upstream_cache_status;
add_header X-Crowdwatch-Cache $crowdwatch_cache always;
location /private/ { auth_basic "members"; auth_basic_user_file ${dir}/htpasswd; }
location /closed/ { deny all; }`,
  });
});

test.after.always(async () => {
  await web?.stop();
  await bouncer?.stop();
  await api?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

serial('a banned client gets the ban page with 403, its neighbour the site', async (t) => {
  const banned = await visit('203.0.113.5');
  t.is(banned.status, 403);
  t.regex(banned.body, /Access denied/);
  t.is(banned.remediation, 'ban');
  const neighbour = await visit('203.0.113.6');
  t.is(neighbour.status, 200);
  t.is(neighbour.body, 'the protected site\n');
});

serial('a captcha decision shows the captcha page (--captcha-page) with 403', async (t) => {
  const held = await visit('203.0.113.9');
  t.is(held.status, 403);
  t.is(held.body, '<html><body>prove-you-are-human</body></html>\n');
  t.is(held.remediation, 'captcha');
});

serial('a range decision blocks the addresses inside it only; IPv6 clients are checked too', async (t) => {
  t.is((await visit('198.51.100.77')).status, 403);
  t.is((await visit('198.51.100.0')).status, 403);
  t.is((await visit('198.51.101.1')).status, 200);
  t.is((await visit('2001:db8::5')).status, 403);
  t.is((await visit('2001:db8::6')).status, 200);
});

serial('answers are cached per client: the next request of a client is answered by nginx alone', async (t) => {
  const first = await visit('192.0.2.44');
  const again = await visit('192.0.2.44');
  t.is(first.cache, 'MISS');
  t.is(again.cache, 'HIT');
  t.is(again.status, 200);
  const bannedAgain = await visit('198.51.100.200');
  t.is((await visit('198.51.100.200')).cache, 'HIT');
  t.is(bannedAgain.status, 403);
});

serial('the site\'s own 401 and 403 keep their status and nginx\'s pages', async (t) => {
  const auth = await visit('192.0.2.50', '/private/');
  t.is(auth.status, 401);
  t.is(auth.headers.get('www-authenticate'), 'Basic realm="members"');
  t.regex(auth.body, /401 Authorization Required/);
  const closed = await visit('192.0.2.50', '/closed/');
  t.is(closed.status, 403);
  t.regex(closed.body, /403 Forbidden/);
  t.is(closed.remediation, null);
});

serial('hostile input through nginx: a big header changes nothing, a garbage X-Forwarded-For is ignored by realip', async (t) => {
  t.is((await visit('203.0.113.5', '/index.html', { 'x-junk': 'a'.repeat(6000) })).status, 403);
  t.is((await visit('192.0.2.60', '/index.html', { 'x-junk': 'a'.repeat(6000) })).status, 200);
  t.is((await visit('not-an-address')).status, 200, 'the client is then 127.0.0.1');
});

serial('hostile input to the endpoint: a bad address fails open with a warning; oversized requests are refused', async (t) => {
  const ask = (headers: Record<string, string>, init: RequestInit = {}) => fetch(checkUrl, { headers, ...init });
  t.is((await ask({ 'x-real-ip': '203.0.113.5', 'x-junk': 'b'.repeat(40_000) })).status, 403);
  const garbage = await ask({ 'x-real-ip': 'garbage' });
  t.is(garbage.status, 204);
  t.is(garbage.headers.get('x-accel-expires'), '0', 'a fail-open answer is not cached');
  t.is((await ask({})).status, 204);
  await sleep(200);
  t.regex(bouncer.output, /letting a request through: x-real-ip 'garbage' is not an IP address/);
  t.is((await ask({ 'x-real-ip': '203.0.113.5', 'x-junk': 'c'.repeat(100_000) })).status, 431);
  t.is((await ask({ 'x-real-ip': '203.0.113.5' }, { method: 'POST', body: 'x' })).status, 405);
  t.is((await fetch(checkUrl.replace('/check', '/other'))).status, 404);
  const ban = await ask({ 'x-real-ip': '203.0.113.5' });
  t.is(ban.headers.get('x-accel-expires'), String(CACHE_S));
  t.true(bouncer.alive);
});

serial('deleting a decision lets the client in within the cache time plus the stream latency', async (t) => {
  const client = '203.0.113.20';
  t.is((await visit(client)).status, 403); // the cache now holds the refusal
  const deleted = Date.now();
  await cli('decisions', 'delete', '--ip', client);
  const right = await visit(client);
  if (right.cache === 'HIT') t.is(right.status, 403, 'a cached refusal stands until it expires');
  let last = right;
  while (last.status !== 200 && Date.now() - deleted < 15_000) {
    await sleep(100);
    last = await visit(client);
  }
  const took = Date.now() - deleted;
  t.log(`right after the deletion: ${right.status} (cache ${right.cache}); open after ${took} ms`);
  t.is(last.status, 200, bouncer.output);
  t.true(took <= CACHE_S * 1000 + STREAM_LATENCY_MS, `took ${took} ms`);
});

serial('with the bouncer down, nginx lets clients without a cached answer through (fail open)', async (t) => {
  await bouncer.stop();
  const fresh = await visit('192.0.2.99');
  t.is(fresh.status, 200);
  t.regex(web.errorLog(), /connect\(\) failed .* subrequest: "\/crowdwatch-auth"/);
});

test('usage: --print-config needs no API; bad flags are usage errors', async (t) => {
  const printed = await runCli('bouncer', 'nginx', '--print-config', '--listen', '[::1]:9000', '--cache-time', '1m');
  t.is(printed.code, 0);
  t.regex(printed.stdout, /server \[::1\]:9000;/);
  t.regex(printed.stdout, /proxy_cache_valid 204 401 403 60s;/);
  for (const [flags, message] of [
    [['--listen', 'nowhere'], /invalid listen address 'nowhere'/],
    [['--cache-time', '1.5s'], /expected whole seconds/],
    [['--client-header', 'x y'], /'x y' is not a header name/],
    [['--captcha-page', '/nonexistent/captcha.html', '--api-url', 'http://127.0.0.1:1', '--api-key', 'k'], /--captcha-page: .*no such file/],
  ] as const) {
    const r = await runCli('bouncer', 'nginx', ...flags);
    t.is(r.code, 2, r.stderr);
    t.regex(r.stderr, message);
  }
});
