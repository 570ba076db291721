import * as dgram from 'node:dgram';
import * as net from 'node:net';
import * as os from 'node:os';
import { LineBatcher } from './batcher';
import type { AcquisitionSource, LineSink, Stream } from './source';
import { parseSyslog, renderSyslog } from './syslog-format';

export interface SyslogSourceSpec {
  name: string;
  listenAddr: string;
  listenPort: number;
  /** CrowdSec listens on UDP only; crowdwatch adds TCP (RFC 6587 framing, both styles). */
  protocols: Array<'udp' | 'tcp'>;
  maxMessageLen: number;
  /** Open TCP connections at most (default MAX_CONNECTIONS). */
  maxConnections?: number;
  labels: Stream['labels'];
}

/** Open TCP connections at most (a client that opens more is refused, and counted). */
export const MAX_CONNECTIONS = 256;
/** A TCP connection idle this long is closed. */
const IDLE_TIMEOUT_MS = 5 * 60_000;

/** A syslog server on a (loopback by default) address: every message becomes a classic line. */
export class SyslogSource implements AcquisitionSource {
  readonly name: string;
  private udp: dgram.Socket | null = null;
  private tcp: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private batcher: LineBatcher | null = null;
  private sink: LineSink | null = null;
  private paused = false;
  /** Datagrams dropped while the agent applied backpressure (UDP cannot be slowed down). */
  dropped = 0;
  /** Messages that were not syslog at all. */
  malformed = 0;
  /** TCP frames over max_message_len (cut there). */
  oversized = 0;
  /** TCP connections refused over MAX_CONNECTIONS. */
  refusedConnections = 0;
  /** The UDP and TCP ports actually bound (listen_port 0 picks free ones; tests use that). */
  readonly ports: { udp?: number; tcp?: number } = {};

  constructor(private readonly spec: SyslogSourceSpec) {
    this.name = spec.name;
  }

  private streamOf(client: string): Stream {
    return { key: `syslog:${this.spec.listenAddr}:${this.spec.listenPort}:${client}`, labels: this.spec.labels, src: client, module: 'syslog' };
  }

  private message(text: string, client: string): void {
    const msg = parseSyslog(text.slice(0, this.spec.maxMessageLen));
    if (!msg) {
      this.malformed++;
      if (this.malformed === 1) this.sink?.warn(`${this.name}: a message from ${client} is not RFC 3164 or 5424 syslog (further ones are only counted)`);
      return;
    }
    this.batcher?.add(this.streamOf(client), renderSyslog(msg, os.hostname()));
  }

  async start(sink: LineSink): Promise<void> {
    this.sink = sink;
    this.batcher = new LineBatcher(sink);
    const { listenAddr: host, listenPort: port } = this.spec;
    if (this.spec.protocols.includes('udp')) {
      const udp = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
      udp.on('message', (data, rinfo) => {
        if (this.paused) this.dropped++;
        else this.message(data.toString('utf8'), rinfo.address);
      });
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(port, host, () => resolve());
      });
      udp.on('error', (e) => sink.warn(`${this.name}: udp: ${e.message}`));
      this.ports.udp = udp.address().port;
      this.udp = udp;
    }
    if (this.spec.protocols.includes('tcp')) {
      const tcp = net.createServer((socket) => this.connection(socket));
      tcp.maxConnections = this.spec.maxConnections ?? MAX_CONNECTIONS;
      tcp.on('drop', () => {
        this.refusedConnections++;
        if (this.refusedConnections === 1) sink.warn(`${this.name}: over ${tcp.maxConnections} TCP connections: further ones are refused (and counted)`);
      });
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(this.ports.udp && port === 0 ? this.ports.udp : port, host, () => resolve());
      });
      this.ports.tcp = (tcp.address() as net.AddressInfo).port;
      this.tcp = tcp;
    }
  }

  /**
   * RFC 6587: octet counting (`LEN SP MSG`) or one message per newline, decided per frame. What a
   * connection buffers is bounded by `max_message_len`: a longer frame (counted or not) is cut
   * there, counted in `oversized`, and the rest of it is skipped as it arrives, never gathered.
   */
  private connection(socket: net.Socket): void {
    this.sockets.add(socket);
    if (this.paused) socket.pause();
    // A client that connects and says nothing holds a slot: let it go after a while.
    socket.setTimeout(IDLE_TIMEOUT_MS, () => socket.destroy());
    const client = socket.remoteAddress ?? 'unknown';
    const max = this.spec.maxMessageLen;
    let buf: Buffer = Buffer.alloc(0);
    /** Bytes of an oversized counted frame still to skip. */
    let skip = 0;
    /** In an oversized newline frame: skip to the next newline. */
    let skipLine = false;
    socket.on('data', (data: Buffer) => {
      let chunk = data;
      if (skip > 0) {
        const n = Math.min(skip, chunk.length);
        skip -= n;
        chunk = chunk.subarray(n);
      }
      if (skipLine) {
        const newline = chunk.indexOf(0x0a);
        if (newline < 0) return;
        skipLine = false;
        chunk = chunk.subarray(newline + 1);
      }
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      for (;;) {
        const counted = /^(\d{1,9}) /.exec(buf.subarray(0, 11).toString('latin1'));
        if (counted) {
          const len = Number(counted[1]);
          const start = counted[0].length;
          if (len > max) {
            // Cut at max_message_len once that much is here; the rest is skipped as it comes.
            if (buf.length < start + max) break;
            this.oversize(buf.subarray(start, start + max), client);
            const have = buf.length - start - max;
            const rest = len - max;
            if (have >= rest) {
              buf = buf.subarray(start + len);
              continue;
            }
            skip = rest - have;
            buf = Buffer.alloc(0);
            break;
          }
          if (buf.length < start + len) break;
          this.message(buf.subarray(start, start + len).toString('utf8'), client);
          buf = buf.subarray(start + len);
          continue;
        }
        const newline = buf.indexOf(0x0a);
        if (newline < 0) {
          if (buf.length > max + 16) {
            this.oversize(buf.subarray(0, max), client);
            buf = Buffer.alloc(0);
            skipLine = true;
          }
          break;
        }
        if (newline > max) this.oversize(buf.subarray(0, max), client);
        else {
          const text = buf.subarray(0, newline).toString('utf8');
          if (text.trim() !== '') this.message(text, client);
        }
        buf = buf.subarray(newline + 1);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (buf.length > 0 && skip === 0 && !skipLine && buf.toString('utf8').trim() !== '') this.message(buf.toString('utf8'), client);
      this.sockets.delete(socket);
    });
  }

  /** The first `max_message_len` bytes of a longer frame, as the message; counted, warned of once. */
  private oversize(head: Buffer, client: string): void {
    this.oversized++;
    if (this.oversized === 1) this.sink?.warn(`${this.name}: a message from ${client} is over max_message_len (${this.spec.maxMessageLen} bytes): cut there, the rest skipped (further ones are only counted)`);
    this.message(head.toString('utf8'), client);
  }

  pause(): void {
    this.paused = true;
    for (const s of this.sockets) s.pause();
  }

  resume(): void {
    this.paused = false;
    for (const s of this.sockets) s.resume();
  }

  async stop(): Promise<void> {
    this.udp?.close();
    for (const s of this.sockets) s.destroy();
    if (this.tcp) await new Promise<void>((r) => this.tcp?.close(() => r()));
    this.batcher?.flush();
  }
}
