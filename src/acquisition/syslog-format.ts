// Syslog messages (RFC 3164 and RFC 5424) re-rendered as the classic line
// `Mon D HH:MM:SS host prog[pid]: msg`, so the same syslog parser applies to every source.

export interface SyslogMessage {
  time: Date;
  host: string;
  program: string;
  pid: string;
  message: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

const RFC3164 = /^<(\d{1,3})>(?:(\w{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) )?(?:(\S+) )?([^\s:[]+)(?:\[([^\]]*)\])?: ?([\s\S]*)$/;
const RFC5424 = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) (-|(?:\[(?:[^\]\\]|\\.)*\])+)(?: ([\s\S]*))?$/;

function rfc3164Time(mon: string, day: string, h: string, m: string, s: string, now: Date): Date | null {
  const month = MONTHS.indexOf(mon);
  if (month < 0) return null;
  const t = new Date(now.getFullYear(), month, Number(day), Number(h), Number(m), Number(s));
  // A December message read in January belongs to last year.
  if (t.getTime() - now.getTime() > 7 * 86400e3) t.setFullYear(t.getFullYear() - 1);
  return t;
}

const nil = (v: string): string => (v === '-' ? '' : v);

/** Parses one message; `null` when it is neither RFC 5424 nor RFC 3164. */
export function parseSyslog(text: string, now = new Date()): SyslogMessage | null {
  const line = text.replace(/[\r\n]+$/, '').replace(/[\r\n]/g, ' ');
  const m5 = RFC5424.exec(line);
  if (m5) {
    const time = m5[2] === '-' ? now : new Date(m5[2]);
    if (Number.isNaN(time.getTime())) return null;
    const message = (m5[8] ?? '').replace(/^\uFEFF/, '');
    return { time, host: nil(m5[3]), program: nil(m5[4]), pid: nil(m5[5]), message };
  }
  const m3 = RFC3164.exec(line);
  if (m3) {
    const time = m3[2] ? rfc3164Time(m3[2], m3[3], m3[4], m3[5], m3[6], now) : now;
    if (!time) return null;
    return { time, host: m3[7] ?? '', program: m3[8], pid: m3[9] ?? '', message: m3[10] };
  }
  return null;
}

/** The classic line, in local time like a file written by rsyslog. */
export function renderSyslog(msg: SyslogMessage, fallbackHost: string): string {
  const t = msg.time;
  const stamp = `${MONTHS[t.getMonth()]} ${t.getDate()} ${two(t.getHours())}:${two(t.getMinutes())}:${two(t.getSeconds())}`;
  const program = msg.program || '-';
  const tag = msg.pid ? `${program}[${msg.pid}]` : program;
  return `${stamp} ${msg.host || fallbackHost} ${tag}: ${msg.message}`;
}
