import test from 'ava';
import { parseSyslog, renderSyslog } from '../../src/acquisition/syslog-format';

const now = new Date(2026, 10, 24, 12, 0, 0);

test('RFC 3164 becomes the classic line', (t) => {
  const msg = parseSyslog('<38>Nov 24 10:00:01 gw sshd[2100]: Failed password for root from 203.0.113.7 port 50100 ssh2\n', now);
  t.truthy(msg);
  t.is(renderSyslog(msg!, 'local'), 'Nov 24 10:00:01 gw sshd[2100]: Failed password for root from 203.0.113.7 port 50100 ssh2');
});

test('RFC 5424 becomes the classic line, in local time, structured data dropped', (t) => {
  const iso = new Date(2026, 10, 24, 10, 0, 2).toISOString();
  const msg = parseSyslog(`<38>1 ${iso} gw sshd 2100 - [meta x="1"] Invalid user admin from 198.51.100.9 port 4242`, now);
  t.truthy(msg);
  t.is(renderSyslog(msg!, 'local'), 'Nov 24 10:00:02 gw sshd[2100]: Invalid user admin from 198.51.100.9 port 4242');
});

test('a December message read in January is dated last year; garbage is refused', (t) => {
  const msg = parseSyslog('<13>Dec 31 23:59:59 h app: x', new Date(2027, 0, 1, 0, 0, 5));
  t.is(msg?.time.getFullYear(), 2026);
  t.is(parseSyslog('hello world', now), null);
  t.is(parseSyslog('<13>1 not-a-date h a - - - x', now), null);
});
