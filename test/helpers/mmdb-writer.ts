// A minimal MaxMind DB writer for test fixtures: IPv4 networks, each with a record, in an
// IPv4 search tree (record size 24) and the format's data section (maps, UTF-8 strings,
// doubles, unsigned integers, booleans, arrays). Enough to write GeoLite2-shaped City and ASN
// databases the engine then reads as it reads MaxMind's files.

/** A value; a plain number is a uint16, other numeric types are spelled out. */
export type MmdbValue =
  | string
  | number
  | boolean
  | MmdbValue[]
  | { [key: string]: MmdbValue }
  | { double: number }
  | { uint32: number }
  | { uint64: bigint };

/** The control byte of a value (type, size), the extended type byte and the size bytes. */
function control(type: number, size: number): Buffer {
  let sizeBits = size;
  const extra: number[] = [];
  if (size >= 29 + 256) throw new Error('values of 285 bytes or more are not needed here');
  if (size >= 29) {
    sizeBits = 29;
    extra.push(size - 29);
  }
  const head = type <= 7 ? [(type << 5) | sizeBits] : [sizeBits, type - 7];
  return Buffer.from([...head, ...extra]);
}

function uint(type: number, value: bigint): Buffer {
  const bytes: number[] = [];
  for (let v = value; v > 0n; v >>= 8n) bytes.unshift(Number(v & 0xffn));
  return Buffer.concat([control(type, bytes.length), Buffer.from(bytes)]);
}

export function encode(value: MmdbValue): Buffer {
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([control(2, bytes.length), bytes]);
  }
  if (typeof value === 'boolean') return control(14, value ? 1 : 0);
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`use {double} or {uint32} for ${value}`);
    return uint(5, BigInt(value));
  }
  if (Array.isArray(value)) return Buffer.concat([control(11, value.length), ...value.map(encode)]);
  if ('double' in value && typeof value.double === 'number') {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(value.double);
    return Buffer.concat([control(3, 8), b]);
  }
  if ('uint32' in value && typeof value.uint32 === 'number') return uint(6, BigInt(value.uint32));
  if ('uint64' in value && typeof value.uint64 === 'bigint') return uint(9, value.uint64);
  const entries = Object.entries(value as Record<string, MmdbValue>);
  return Buffer.concat([control(7, entries.length), ...entries.flatMap(([k, v]) => [encode(k), encode(v)])]);
}

/** A database of IPv4 `networks` (`"1.2.3.0/24"` → record), as a MaxMind DB file's bytes. */
export function writeMmdb(databaseType: string, networks: Record<string, MmdbValue>): Buffer {
  // The tree as nested nodes; a leaf is a record's index.
  interface Node {
    children: [Node | number | null, Node | number | null];
  }
  const root: Node = { children: [null, null] };
  const records: MmdbValue[] = [];
  for (const [cidr, record] of Object.entries(networks)) {
    const [ip, bits] = cidr.split('/');
    const n = (ip ?? '').split('.').reduce((acc, o) => (acc << 8) + Number(o), 0) >>> 0;
    let node = root;
    const depth = Number(bits);
    for (let d = 0; d < depth; d++) {
      const bit = (n >>> (31 - d)) & 1;
      if (d === depth - 1) node.children[bit] = records.length;
      else {
        let next = node.children[bit];
        if (typeof next !== 'object' || next === null) next = node.children[bit] = { children: [null, null] };
        node = next;
      }
    }
    records.push(record);
  }
  // Number the nodes breadth-first, then write each record as a node number, a data pointer
  // (node count + 16 + offset) or "no data" (the node count).
  const nodes: Node[] = [];
  const queue: Node[] = [root];
  while (queue.length > 0) {
    const node = queue.shift() as Node;
    nodes.push(node);
    for (const child of node.children) if (typeof child === 'object' && child !== null) queue.push(child);
  }
  const data = records.map(encode);
  const offsets: number[] = [];
  data.reduce((at, bytes) => (offsets.push(at), at + bytes.length), 0);
  const tree = Buffer.alloc(nodes.length * 6);
  nodes.forEach((node, i) => {
    node.children.forEach((child, side) => {
      const value =
        child === null ? nodes.length : typeof child === 'number' ? nodes.length + 16 + (offsets[child] ?? 0) : nodes.indexOf(child);
      tree.writeUIntBE(value, i * 6 + side * 3, 3);
    });
  });
  const metadata = encode({
    node_count: { uint32: nodes.length },
    record_size: 24,
    ip_version: 4,
    database_type: databaseType,
    languages: ['en'],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: { uint64: 1700000000n },
    description: { en: 'crowdwatch test database' },
  });
  const marker = Buffer.concat([Buffer.from([0xab, 0xcd, 0xef]), Buffer.from('MaxMind.com')]);
  return Buffer.concat([tree, Buffer.alloc(16), ...data, marker, metadata]);
}
