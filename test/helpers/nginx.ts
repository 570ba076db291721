// A real nginx for tests: Debian's package (installed here when missing and possible), run by the
// test itself with a private prefix, config, cache and logs, on a free loopback port.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freeLoopbackPort, httpStatus, Server, sleep } from '../../src/reference/processes';

const NGINX = '/usr/sbin/nginx';

function aptHas(pkg: string): boolean {
  const r = spawnSync('apt-cache', ['policy', pkg], { encoding: 'utf8' });
  return r.status === 0 && /Candidate: (?!\(none\))/.test(r.stdout);
}

/** The nginx binary, installing Debian's package if needed; `{ skip }` says why there is none. */
export function ensureNginx(): { bin: string } | { skip: string } {
  if (fs.existsSync(NGINX)) return { bin: NGINX };
  if (process.getuid?.() !== 0) return { skip: 'nginx is not installed and installing it needs root' };
  if (spawnSync('apt-get', ['--version']).status !== 0) return { skip: 'nginx is not installed and there is no apt-get' };
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = (): boolean => {
    const pkg = ['nginx', 'nginx-light'].find(aptHas);
    if (!pkg) return false;
    return spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], { env, stdio: 'ignore' }).status === 0;
  };
  if (!install()) {
    spawnSync('apt-get', ['update', '-qq'], { env, stdio: 'ignore' });
    install();
  }
  return fs.existsSync(NGINX) ? { bin: NGINX } : { skip: 'nginx is not installed and apt-get could not install nginx or nginx-light' };
}

export interface RunningNginx {
  url: string;
  errorLog(): string;
  stop(): Promise<void>;
}

/**
 * Starts nginx on a free 127.0.0.1 port with `http` lines in its http block and `server` lines in
 * its one server block, everything under `dir`. Runs as root without a `user` to switch to.
 */
export async function startNginx(bin: string, dir: string, parts: { http: string; server: string }): Promise<RunningNginx> {
  const port = await freeLoopbackPort();
  for (const sub of ['html', 'tmp', 'logs']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  const errorLog = path.join(dir, 'logs', 'error.log');
  const asRoot = process.getuid?.() === 0;
  fs.writeFileSync(path.join(dir, 'nginx.conf'), `${asRoot ? 'user root;\n' : ''}worker_processes 1;
error_log ${errorLog} info;
events { worker_connections 256; }
http {
    access_log ${path.join(dir, 'logs', 'access.log')};
    client_body_temp_path ${dir}/tmp/body;
    proxy_temp_path ${dir}/tmp/proxy;
    fastcgi_temp_path ${dir}/tmp/fastcgi;
    uwsgi_temp_path ${dir}/tmp/uwsgi;
    scgi_temp_path ${dir}/tmp/scgi;
    ${parts.http.split('\n').join('\n    ')}
    server {
        listen 127.0.0.1:${port};
        root ${dir}/html;
        ${parts.server.split('\n').join('\n        ')}
    }
}
`);
  execFileSync(bin, ['-t', '-p', dir, '-c', 'nginx.conf', '-e', errorLog], { stdio: 'pipe' });
  const server = new Server(bin, ['-p', dir, '-c', 'nginx.conf', '-e', errorLog, '-g', `daemon off; pid ${dir}/nginx.pid;`], { cwd: dir, env: process.env });
  const url = `http://127.0.0.1:${port}`;
  const readLog = (): string => (fs.existsSync(errorLog) ? fs.readFileSync(errorLog, 'utf8') : '');
  for (let i = 0; (await httpStatus(`${url}/`)) === 0; i++) {
    if (i > 100 || !server.alive) throw new Error(`nginx did not start:\n${server.output}\n${readLog()}`);
    await sleep(50);
  }
  return { url, errorLog: readLog, stop: () => server.stop() };
}
