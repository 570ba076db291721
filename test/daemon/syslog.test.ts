// RFC 3164 and RFC 5424 messages over UDP and TCP (both RFC 6587 framings) reach the syslog
// parser as classic lines: an ssh brute force sent each way becomes a ban.
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import test from 'ava';
import { syslogTime } from '../../src/bench/gen/common';
import { freeLoopbackPort } from '../../src/reference/processes';
import { runCli, tempDir } from '../helpers/run-cli';
import { DaemonProcess, eventually } from '../helpers/daemon';

const rfc3164 = (ip: string, i: number) => `<38>${syslogTime(new Date())} gw sshd[${300 + i}]: Failed password for root from ${ip} port ${40000 + i} ssh2`;
const rfc5424 = (ip: string, i: number) => `<38>1 ${new Date().toISOString()} gw sshd ${400 + i} - - Failed password for invalid user admin from ${ip} port ${41000 + i} ssh2`;

function sendTcp(port: number, payload: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(payload, () => resolve()));
    socket.on('error', reject);
  });
}

test('syslog over UDP and TCP, RFC 3164 and 5424, becomes bans', async (t) => {
  const dir = tempDir('syslog');
  const port = await freeLoopbackPort();
  const acquis = path.join(dir, 'acquis.yaml');
  fs.writeFileSync(acquis, `source: syslog\nlisten_addr: 127.0.0.1\nlisten_port: ${port}\nprotocol: udp+tcp\nlabels:\n  type: syslog\n`);
  const key = (await runCli('bouncers', 'add', 'fw', '--data-dir', dir, '-o', 'raw')).stdout.trim();
  const daemon = await DaemonProcess.start(dir, ['--acquis', acquis]);
  try {
    const udp = dgram.createSocket('udp4');
    for (let i = 0; i < 7; i++) await new Promise<void>((r) => udp.send(rfc3164('203.0.113.50', i), port, '127.0.0.1', () => r()));
    udp.close();
    // Octet counting (RFC 6587 §3.4.1) with RFC 5424 messages, and newline framing with RFC 3164.
    await sendTcp(port, Array.from({ length: 7 }, (_, i) => rfc5424('203.0.113.51', i)).map((m) => `${Buffer.byteLength(m)} ${m}`).join(''));
    await sendTcp(port, Array.from({ length: 7 }, (_, i) => `${rfc3164('203.0.113.52', i)}\n`).join('') + 'not syslog at all\n');
    const banned = await eventually('three bans', 15_000, async () => {
      const body = (await (await fetch(`${daemon.url}/v1/decisions`, { headers: { 'x-api-key': key } })).json()) as Array<{ value: string }> | null;
      const values = new Set((body ?? []).map((d) => d.value));
      return ['203.0.113.50', '203.0.113.51', '203.0.113.52'].every((ip) => values.has(ip)) ? values : undefined;
    });
    t.is(banned.size, 3);
  } finally {
    await daemon.stop();
  }
  t.regex(daemon.output, /is not RFC 3164 or 5424 syslog/);
});
