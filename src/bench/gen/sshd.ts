// Deterministic syslog auth logs (`Nov 24 10:00:00 host sshd[1234]: ...`): benign logins,
// sessions, disconnects, internet background noise and other daemons, mixed with brute-force
// bursts that trip the hub's ssh scenarios. Returns the manifest of attacks generated.
import { overflows, type Pour } from './buckets';
import {
  AttackerPool,
  attackCount,
  attackStart,
  benignPool,
  resolveStart,
  syslogTime,
  timeFormatter,
  writeTimeline,
  type GenerateOptions,
  type GenerateResult,
  type PlannedAttack,
  type TimedLine,
} from './common';
import { Rng } from './prng';

export type SshdAttackKind = 'ssh-bf' | 'ssh-user-enum' | 'ssh-slow-bf';

export interface SshdOptions extends GenerateOptions {
  /** Syslog host name (default `bastion`). */
  host?: string;
  /** Attack kinds to draw from (default all). */
  kinds?: SshdAttackKind[];
}

const USERS = ['alice', 'bob', 'carol', 'deploy', 'git', 'backup', 'ops', 'dave', 'erin', 'frank'];
const ENUM_USERS = ['admin', 'test', 'user', 'oracle', 'postgres', 'ubuntu', 'guest', 'ftpuser', 'pi', 'support', 'hadoop', 'minecraft', 'teamspeak', 'nagios', 'jenkins', 'tomcat', 'demo', 'dev'];
const BF_USERS = ['root', 'root', 'root', 'admin'];
const KEY_TYPES = ['RSA', 'ED25519', 'ECDSA'];
const BENIGN_KINDS = [['login', 30], ['logout', 25], ['typo', 3], ['noise', 25], ['cron', 12], ['logind', 5]] as const;
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

interface Failure {
  sec: number;
  user: string;
}

/** Expected ssh alerts for a set of failed-auth events from one source (hub ssh-bf.yaml, ssh-slow-bf.yaml). */
export function expectedSshScenarios(failures: Failure[]): string[] {
  const all: Pour[] = failures.map((f) => ({ sec: f.sec }));
  const byUser: Pour[] = failures.map((f) => ({ sec: f.sec, distinct: f.user }));
  const out: string[] = [];
  if (overflows(all, 5, 10)) out.push('crowdsecurity/ssh-bf');
  if (overflows(byUser, 5, 10)) out.push('crowdsecurity/ssh-bf_user-enum');
  if (overflows(all, 10, 60)) out.push('crowdsecurity/ssh-slow-bf');
  if (overflows(byUser, 10, 60)) out.push('crowdsecurity/ssh-slow-bf_user-enum');
  return out;
}

export function generateSshd(opts: SshdOptions): GenerateResult {
  const rng = new Rng(opts.seed ?? 1);
  const lps = opts.linesPerSecond ?? 20;
  const startMs = resolveStart(opts.start);
  const host = opts.host ?? 'bastion';
  const time = timeFormatter(startMs, syslogTime);
  const duration = Math.max(1, Math.ceil(opts.lines / lps));
  // ~1 benign line per client every 2 minutes: typos never add up to a brute force.
  const clients = benignPool(rng, opts.clients ?? Math.max(300, Math.ceil(lps * 120)));
  const noise = benignPool(rng, Math.max(200, Math.ceil(lps * 60)));
  let pid = 1000 + rng.int(5000);
  const port = () => rng.range(32768, 60999);
  const fingerprint = () => {
    let s = '';
    for (let i = 0; i < 43; i++) s += B64[rng.int(64)];
    return s;
  };
  const sshd = (sec: number, p: number, msg: string) => `${time(sec)} ${host} sshd[${p}]: ${msg}`;

  // Benign lines come in small groups (a login is accepted + session opened); `count` is met exactly.
  const benign = (sec: number, count: number, out: string[]): void => {
    const target = out.length + count;
    while (out.length < target) {
      const kind = rng.weighted(BENIGN_KINDS);
      const ip = rng.pick(clients);
      const user = rng.pick(USERS);
      const p = ++pid;
      const group: string[] = [];
      switch (kind) {
        case 'login':
          group.push(
            rng.chance(0.7)
              ? sshd(sec, p, `Accepted publickey for ${user} from ${ip} port ${port()} ssh2: ${rng.pick(KEY_TYPES)} SHA256:${fingerprint()}`)
              : sshd(sec, p, `Accepted password for ${user} from ${ip} port ${port()} ssh2`),
            sshd(sec, p, `pam_unix(sshd:session): session opened for user ${user}(uid=${1000 + USERS.indexOf(user)}) by (uid=0)`),
          );
          break;
        case 'logout': {
          const pt = port();
          group.push(
            sshd(sec, p, `Received disconnect from ${ip} port ${pt}:11: disconnected by user`),
            sshd(sec, p, `Disconnected from user ${user} ${ip} port ${pt}`),
            sshd(sec, p, `pam_unix(sshd:session): session closed for user ${user}`),
          );
          break;
        }
        case 'typo':
          group.push(sshd(sec, p, `Failed password for ${user} from ${ip} port ${port()} ssh2`));
          break;
        case 'noise': {
          const nip = rng.pick(noise);
          const pt = port();
          group.push(
            rng.weighted<string>([
              [sshd(sec, p, `Connection closed by ${nip} port ${pt} [preauth]`), 4],
              [sshd(sec, p, `Received disconnect from ${nip} port ${pt}:11: Bye Bye [preauth]`), 3],
              [sshd(sec, p, `Disconnected from ${nip} port ${pt} [preauth]`), 3],
              [sshd(sec, p, 'error: kex_exchange_identification: Connection closed by remote host'), 2],
              [sshd(sec, p, `Connection reset by ${nip} port ${pt} [preauth]`), 1],
            ]),
          );
          break;
        }
        case 'cron':
          group.push(`${time(sec)} ${host} CRON[${p}]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)`);
          if (rng.chance(0.8)) group.push(`${time(sec)} ${host} CRON[${p}]: pam_unix(cron:session): session closed for user root`);
          break;
        default:
          group.push(`${time(sec)} ${host} systemd-logind[${512}]: New session ${p % 9000} of user ${user}.`);
      }
      for (const line of group) {
        if (out.length < target) out.push(line);
      }
    }
  };

  const kinds = opts.kinds ?? ['ssh-bf', 'ssh-user-enum', 'ssh-slow-bf'];
  const attackers = new AttackerPool(rng);
  const attacks: PlannedAttack[] = [];
  const n = attackCount(opts, 12);
  for (let i = 0; i < n; i++) attacks.push(planAttack(rng, rng.pick(kinds), attackers.next(), duration, () => ++pid, port, sshd));
  return writeTimeline({ rng, lines: opts.lines, linesPerSecond: lps, startMs, attacks, benign, out: opts.out });
}

type SshdLine = (sec: number, pid: number, msg: string) => string;

function planAttack(
  rng: Rng,
  kind: SshdAttackKind,
  ip: string,
  duration: number,
  nextPid: () => number,
  port: () => number,
  sshd: SshdLine,
): PlannedAttack {
  const lines: TimedLine[] = [];
  const failures: Failure[] = [];
  const fail = (sec: number, user: string, render: (s: number) => string) => {
    failures.push({ sec, user });
    lines.push({ sec, render });
  };
  const say = (sec: number, render: (s: number) => string) => lines.push({ sec, render });

  if (kind === 'ssh-bf') {
    // 6-9 password failures within 9 s from one connection burst: ssh-bf only.
    const total = rng.range(6, 9);
    let sec = attackStart(rng, duration, 12);
    let p = nextPid();
    for (let i = 0; i < total; i++) {
      if (i % 3 === 0) p = nextPid();
      const user = rng.pick(BF_USERS);
      const pt = port();
      const msg = user === 'root' ? `Failed password for root from ${ip} port ${pt} ssh2` : `Failed password for invalid user ${user} from ${ip} port ${pt} ssh2`;
      const pp = p;
      fail(sec, user, (s) => sshd(s, pp, msg));
      if (i < total - 1 && rng.chance(0.6)) sec += 1;
    }
    const pp = p;
    const pt = port();
    say(sec, (s) => sshd(s, pp, `Received disconnect from ${ip} port ${pt}:11: Bye Bye [preauth]`));
  } else if (kind === 'ssh-user-enum') {
    // 6-8 distinct invalid users, some with a failed password too, within 9 s.
    const users = rng.sample(ENUM_USERS, rng.range(6, 8));
    let sec = attackStart(rng, duration, 12);
    for (const user of users) {
      const p = nextPid();
      const pt = port();
      fail(sec, user, (s) => sshd(s, p, `Invalid user ${user} from ${ip} port ${pt}`));
      if (rng.chance(0.4)) fail(sec, user, (s) => sshd(s, p, `Failed password for invalid user ${user} from ${ip} port ${pt} ssh2`));
      say(sec, (s) => sshd(s, p, `Received disconnect from ${ip} port ${pt}:11: Bye Bye [preauth]`));
      if (rng.chance(0.7)) sec += 1;
    }
  } else {
    // 14-16 failures 12-14 s apart (~3 min): too slow for ssh-bf, enough for ssh-slow-bf.
    const total = rng.range(14, 16);
    let sec = attackStart(rng, duration, 16 * 14);
    for (let i = 0; i < total; i++) {
      const p = nextPid();
      const pt = port();
      fail(sec, 'root', (s) => sshd(s, p, `Failed password for root from ${ip} port ${pt} ssh2`));
      sec += rng.range(12, 14);
    }
  }
  const scenarioKind = { 'ssh-bf': 'crowdsecurity/ssh-bf', 'ssh-user-enum': 'crowdsecurity/ssh-bf_user-enum', 'ssh-slow-bf': 'crowdsecurity/ssh-slow-bf' }[kind];
  return { record: { scenarioKind, source_ip: ip, expected: expectedSshScenarios(failures) }, lines };
}
