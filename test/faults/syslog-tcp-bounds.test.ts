// Fault: syslog over TCP buffered any announced frame (an octet count of 999,999,999 was accepted
// and gathered chunk by chunk) and took any number of connections. Now a frame is cut at
// max_message_len and the rest skipped as it arrives, a line without a newline likewise, and
// connections over the limit are refused; the messages around them still arrive.
import * as net from 'node:net';
import test from 'ava';
import { SyslogSource } from '../../src/acquisition/syslog-source';
import type { Stream } from '../../src/acquisition/source';
import { sleep } from '../../src/reference/processes';

const msg = (i: number) => `<38>Dec  8 10:00:00 gw sshd[${i}]: Failed password for root from 192.0.2.${i} port 22 ssh2`;

async function listening(maxConnections?: number) {
  const lines: string[] = [];
  const warnings: string[] = [];
  const source = new SyslogSource({ name: 'syslog-test', listenAddr: '127.0.0.1', listenPort: 0, protocols: ['tcp'], maxMessageLen: 2048, labels: { type: 'syslog' }, ...(maxConnections ? { maxConnections } : {}) });
  await source.start({
      lines: (_s: Stream, buf: Buffer) => lines.push(...buf.toString('utf8').split('\n').filter((l) => l !== '')),
      warn: (m: string) => warnings.push(m),
  });
  return { source, lines, warnings, port: source.ports.tcp as number };
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
}

async function write(socket: net.Socket, data: string | Buffer): Promise<void> {
  if (!socket.write(data)) await new Promise((r) => socket.once('drain', r));
}

test('an announced frame of 999,999,999 bytes is cut at max_message_len and never gathered; the next frames arrive', async (t) => {
  const { source, lines, warnings, port } = await listening();
  try {
    const socket = await connect(port);
    await write(socket, `${Buffer.byteLength(msg(1))} ${msg(1)}`);
    // The hostile frame: 999,999,999 announced, 8 MiB sent in 64 KiB chunks.
    await write(socket, `999999999 ${msg(2)} `);
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    for (let i = 0; i < 128; i++) await write(socket, chunk);
    await sleep(200);
    // The frame is far from complete, yet its cut is already a message: nothing waits for the rest.
    t.true(lines.some((l) => l.includes('192.0.2.2 ')), 'the cut message is delivered before the announced end');
    socket.destroy();
    // A new connection is a new framing: it is served normally.
    const next = await connect(port);
    await write(next, `${Buffer.byteLength(msg(3))} ${msg(3)}${msg(4)}\n`);
    next.end();
    await sleep(200);
    await source.stop();
    t.is(source.oversized, 1);
    t.true(lines.some((l) => l.includes('from 192.0.2.1 ')));
    const cut = lines.find((l) => l.includes('192.0.2.2 '));
    t.truthy(cut, 'the cut frame is still a message');
    t.true((cut?.length ?? 0) <= 2048 + 64, `${cut?.length}`);
    t.true(lines.some((l) => l.includes('192.0.2.3 ')) && lines.some((l) => l.includes('192.0.2.4 ')));
    t.regex(warnings.join('\n'), /over max_message_len \(2048 bytes\)/);
  } finally {
    await source.stop();
  }
});

test('a counted frame over the limit is skipped exactly: the frame after it, in the same chunk or later, is read', async (t) => {
  const { source, lines, port } = await listening();
  try {
    const socket = await connect(port);
    const big = `${msg(5)} ${'B'.repeat(5000)}`;
    // Over the limit, then a normal frame, all in one write; then again split across writes.
    await write(socket, `${Buffer.byteLength(big)} ${big}${Buffer.byteLength(msg(6))} ${msg(6)}`);
    await write(socket, `${Buffer.byteLength(big)} ${big.slice(0, 3000)}`);
    await sleep(50);
    await write(socket, `${big.slice(3000)}${Buffer.byteLength(msg(7))} ${msg(7)}`);
    // And a newline frame with no newline for 10 KiB, then a normal line.
    await write(socket, `${msg(8)} ${'C'.repeat(10_000)}\n${msg(9)}\n`);
    socket.end();
    await sleep(200);
    await source.stop();
    const from = (ip: string) => lines.filter((l) => l.includes(`from 192.0.2.${ip} `)).length;
    t.deepEqual([from('5'), from('6'), from('7'), from('8'), from('9')], [2, 1, 1, 1, 1]);
    t.is(source.oversized, 3);
    t.false(lines.some((l) => /^B+$|^C+$/.test(l)), 'no tail of a cut frame is read as a message of its own');
  } finally {
    await source.stop();
  }
});

test('connections over the limit are refused and counted; those within it are served', async (t) => {
  const { source, lines, warnings, port } = await listening(4);
  const sockets: net.Socket[] = [];
  try {
    for (let i = 0; i < 4; i++) sockets.push(await connect(port));
    const extra = await connect(port);
    const closed = await Promise.race([new Promise((r) => extra.once('close', () => r(true))), sleep(2000).then(() => false)]);
    t.true(closed, 'the fifth connection is closed by the server');
    t.is(source.refusedConnections, 1);
    t.regex(warnings.join('\n'), /over 4 TCP connections/);
    await write(sockets[0], `${msg(10)}\n`);
    await sleep(100);
    t.true(lines.some((l) => l.includes('192.0.2.10 ')));
  } finally {
    for (const s of sockets) s.destroy();
    await source.stop();
  }
});
