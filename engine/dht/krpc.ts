/**
 * KRPC codec (BEP 5, with BEP 32 `nodes6`/`want`, BEP 42 `ip`, BEP 43 `ro`). Pure: bytes in,
 * typed messages or KrpcError out.
 *
 * Queries are decoded fully (the method says what the arguments must be). A response cannot be
 * checked against its query without the transaction table, so responses are decoded generically:
 * `id` is required, every optional field is validated when present, and the caller checks that
 * the fields it needs (for example `token` after get_peers) are there.
 */
import { BencodeError, decode, encode, isBytes, isDict, isInt, isList, type BDict, type BValue, type Encodable } from '../bencode/index.js';
import { decodeCompactPeers, encodeCompactPeer, formatIp, parseIp, type CompactPeer } from '../wire/compact.js';

export const NODE_ID_BYTES = 20;
export const COMPACT_NODE4_BYTES = 26;
export const COMPACT_NODE6_BYTES = 38;
/** Transaction ids are opaque; anything longer than this is refused. */
export const MAX_TID_BYTES = 16;
/** Tokens are opaque too; this only bounds what we keep. */
export const MAX_TOKEN_BYTES = 64;
export const MAX_VERSION_BYTES = 16;
export const MAX_METHOD_BYTES = 64;
/** Bounds on the bencode structure of one datagram (KRPC messages are small). */
const DECODE_MAX_DEPTH = 16;
const DECODE_MAX_ITEMS = 4096;

/** Error codes of BEP 5. */
export const KrpcErrorCode = {
  Generic: 201,
  Server: 202,
  Protocol: 203,
  MethodUnknown: 204,
} as const;

export type KrpcMessageKind = 'q' | 'r' | 'e';

/**
 * A malformed or invalid KRPC message. When the envelope was readable, `tid` and `kind` say what
 * it was, so a node can answer a bad query with error 203 (`KrpcErrorCode.Protocol`).
 */
export class KrpcError extends Error {
  override name = 'KrpcError';
  constructor(
    message: string,
    readonly tid?: Uint8Array,
    readonly kind?: KrpcMessageKind,
  ) {
    super(message);
  }
}

/** A node as carried in `nodes` (IPv4, 26 bytes) or `nodes6` (IPv6, 38 bytes). */
export interface CompactNode {
  /** 20 bytes. */
  id: Uint8Array;
  host: string;
  /** As sent; may be 0 (filtering is the caller's policy). */
  port: number;
}

export type WantFamily = 'n4' | 'n6';

interface Envelope {
  /** Transaction id, 0..16 bytes, echoed in the reply. */
  tid: Uint8Array;
  /** The sender's client version (`v`), passed through untouched. */
  clientVersion?: Uint8Array;
  /** BEP 42: the requester's address as the responder sees it (`ip`, compact 6 or 18 bytes). */
  ip?: CompactPeer;
}

interface QueryBase extends Envelope {
  y: 'q';
  /** The querying node's id (20 bytes). */
  id: Uint8Array;
  /** BEP 43 `ro: 1`: a read-only node, never to be added to a routing table. */
  readOnly?: boolean;
}

export interface PingQuery extends QueryBase {
  q: 'ping';
}
export interface FindNodeQuery extends QueryBase {
  q: 'find_node';
  target: Uint8Array;
  /** BEP 32 `want`: which node families the requester wants (unknown entries are dropped). */
  want?: WantFamily[];
}
export interface GetPeersQuery extends QueryBase {
  q: 'get_peers';
  infoHash: Uint8Array;
  want?: WantFamily[];
}
export interface AnnouncePeerQuery extends QueryBase {
  q: 'announce_peer';
  infoHash: Uint8Array;
  /** 1..65535, or 0..65535 when `impliedPort` (then the UDP source port is used instead). */
  port: number;
  token: Uint8Array;
  impliedPort: boolean;
}
/** A method we do not implement: answer error 204. `args` is the whole `a` dict. */
export interface UnknownQuery extends Envelope {
  y: 'q';
  q: 'unknown';
  /** The method name as sent (bytes read as latin1, one char per byte). */
  method: string;
  /** `a.id` when it is a 20-byte string. */
  id?: Uint8Array;
  readOnly?: boolean;
  /** Byte strings in here are views into the decoded buffer: copy what you keep. */
  args: BDict;
}

export type KrpcQuery = PingQuery | FindNodeQuery | GetPeersQuery | AnnouncePeerQuery | UnknownQuery;

export interface KrpcResponse extends Envelope {
  y: 'r';
  /** The responder's id (20 bytes). */
  id: Uint8Array;
  nodes?: CompactNode[];
  nodes6?: CompactNode[];
  /** get_peers `values`: compact peers, IPv4 (6 bytes) or IPv6 (18 bytes) each. */
  values?: CompactPeer[];
  token?: Uint8Array;
}

export interface KrpcErrorMessage extends Envelope {
  y: 'e';
  code: number;
  /** The error text (UTF-8, invalid sequences replaced). */
  message: string;
}

export type KrpcMessage = KrpcQuery | KrpcResponse | KrpcErrorMessage;

export interface DecodeKrpcOptions {
  /** Refuse dicts whose keys are not sorted (default false: some clients send unsorted keys). */
  strictKeyOrder?: boolean;
}

// ---------------------------------------------------------------------------------------------
// decode

const latin1 = (b: Uint8Array): string => String.fromCharCode(...b);
const utf8 = new TextDecoder('utf-8', { fatal: false });
const copy = (b: Uint8Array): Uint8Array => new Uint8Array(b);

class Reader {
  constructor(
    readonly tid: Uint8Array | undefined,
    readonly kind: KrpcMessageKind | undefined,
  ) {}

  fail(msg: string): never {
    throw new KrpcError(`krpc: ${msg}`, this.tid, this.kind);
  }

  bytes(d: BDict, key: string, where: string, min: number, max: number): Uint8Array;
  bytes(d: BDict, key: string, where: string, min: number, max: number, optional: true): Uint8Array | undefined;
  bytes(d: BDict, key: string, where: string, min: number, max: number, optional = false): Uint8Array | undefined {
    const v = d.get(key);
    if (v === undefined) {
      if (optional) return undefined;
      this.fail(`missing '${key}' in ${where}`);
    }
    if (!isBytes(v)) this.fail(`'${key}' in ${where} is not a byte string`);
    if (v.length < min || v.length > max) {
      this.fail(min === max ? `'${key}' in ${where} must be ${min} bytes, got ${v.length}` : `'${key}' in ${where} must be ${min}..${max} bytes, got ${v.length}`);
    }
    return copy(v);
  }

  int(d: BDict, key: string, where: string, optional: true): number | undefined;
  int(d: BDict, key: string, where: string): number;
  int(d: BDict, key: string, where: string, optional = false): number | undefined {
    const v = d.get(key);
    if (v === undefined) {
      if (optional) return undefined;
      this.fail(`missing '${key}' in ${where}`);
    }
    if (!isInt(v)) this.fail(`'${key}' in ${where} is not an integer`);
    return v;
  }

  nodes(d: BDict, key: string, entry: number): CompactNode[] | undefined {
    const raw = this.bytes(d, key, 'r', 0, Number.MAX_SAFE_INTEGER, true);
    if (raw === undefined) return undefined;
    if (raw.length % entry !== 0) this.fail(`'${key}' length ${raw.length} is not a multiple of ${entry}`);
    const out: CompactNode[] = [];
    for (let off = 0; off < raw.length; off += entry) {
      out.push({
        id: raw.slice(off, off + NODE_ID_BYTES),
        host: formatIp(raw.subarray(off + NODE_ID_BYTES, off + entry - 2)),
        port: (raw[off + entry - 2] << 8) | raw[off + entry - 1],
      });
    }
    return out;
  }

  compactPeer(v: BValue, what: string): CompactPeer {
    if (!isBytes(v)) this.fail(`${what} is not a byte string`);
    if (v.length !== 6 && v.length !== 18) this.fail(`${what} must be 6 or 18 bytes, got ${v.length}`);
    return decodeCompactPeers(v, v.length === 6 ? 4 : 6)[0];
  }

  want(d: BDict): WantFamily[] | undefined {
    const v = d.get('want');
    if (v === undefined) return undefined;
    if (!isList(v)) this.fail(`'want' is not a list`);
    const out: WantFamily[] = [];
    for (const w of v) {
      if (!isBytes(w)) this.fail(`'want' entry is not a byte string`);
      const s = latin1(w);
      if ((s === 'n4' || s === 'n6') && !out.includes(s)) out.push(s);
    }
    return out;
  }
}

function topLevel(buf: Uint8Array, opts: DecodeKrpcOptions): BDict {
  let v: BValue;
  try {
    v = decode(buf, { maxDepth: DECODE_MAX_DEPTH, maxItems: DECODE_MAX_ITEMS, allowUnsortedKeys: !opts.strictKeyOrder });
  } catch (err) {
    if (err instanceof BencodeError) throw new KrpcError(`krpc: ${err.message}`);
    throw err;
  }
  if (!isDict(v)) throw new KrpcError('krpc: message is not a dict');
  return v;
}

/** Decodes one KRPC datagram. Throws KrpcError (and only KrpcError) on anything malformed. */
export function decodeKrpc(buf: Uint8Array, opts: DecodeKrpcOptions = {}): KrpcMessage {
  const top = topLevel(buf, opts);
  const tid = new Reader(undefined, undefined).bytes(top, 't', 'message', 0, MAX_TID_BYTES);
  const r1: Reader = new Reader(tid, undefined);
  const yRaw = r1.bytes(top, 'y', 'message', 1, 1);
  const y = String.fromCharCode(yRaw[0]);
  if (y !== 'q' && y !== 'r' && y !== 'e') r1.fail(`unknown message type 'y' = ${JSON.stringify(y)}`);
  const rd: Reader = new Reader(tid, y);
  const env: Envelope = { tid };
  const v = rd.bytes(top, 'v', 'message', 0, MAX_VERSION_BYTES, true);
  if (v !== undefined) env.clientVersion = v;
  const ipv = top.get('ip');
  if (ipv !== undefined) env.ip = rd.compactPeer(ipv, "'ip'");

  if (y === 'e') {
    const e = top.get('e');
    if (e === undefined) rd.fail(`missing 'e' in error message`);
    if (!isList(e)) rd.fail(`'e' is not a list`);
    if (e.length !== 2) rd.fail(`'e' must be [code, message], got ${e.length} items`);
    const [code, text] = e;
    if (!isInt(code)) rd.fail('error code is not an integer');
    if (!isBytes(text)) rd.fail('error message is not a byte string');
    return { y: 'e', ...env, code, message: utf8.decode(text) };
  }

  if (y === 'r') {
    const r = top.get('r');
    if (r === undefined) rd.fail(`missing 'r' in response`);
    if (!isDict(r)) rd.fail(`'r' is not a dict`);
    const msg: KrpcResponse = { y: 'r', ...env, id: rd.bytes(r, 'id', 'r', NODE_ID_BYTES, NODE_ID_BYTES) };
    const nodes = rd.nodes(r, 'nodes', COMPACT_NODE4_BYTES);
    if (nodes !== undefined) msg.nodes = nodes;
    const nodes6 = rd.nodes(r, 'nodes6', COMPACT_NODE6_BYTES);
    if (nodes6 !== undefined) msg.nodes6 = nodes6;
    const values = r.get('values');
    if (values !== undefined) {
      if (!isList(values)) rd.fail(`'values' is not a list`);
      msg.values = values.map((p, i) => rd.compactPeer(p, `'values'[${i}]`));
    }
    const token = rd.bytes(r, 'token', 'r', 0, MAX_TOKEN_BYTES, true);
    if (token !== undefined) msg.token = token;
    return msg;
  }

  // query
  const qRaw = rd.bytes(top, 'q', 'query', 1, MAX_METHOD_BYTES);
  const a = top.get('a');
  if (a === undefined) rd.fail(`missing 'a' in query`);
  if (!isDict(a)) rd.fail(`'a' is not a dict`);
  const ro = rd.int(top, 'ro', 'message', true);
  const base = { y: 'q' as const, ...env };
  const method = latin1(qRaw);
  const readOnly = ro !== undefined && ro !== 0;
  const withRo = (m: KrpcQuery): KrpcQuery => {
    if (readOnly) m.readOnly = true;
    return m;
  };

  switch (method) {
    case 'ping':
      return withRo({ ...base, q: 'ping', id: rd.bytes(a, 'id', 'a', NODE_ID_BYTES, NODE_ID_BYTES) } satisfies PingQuery);
    case 'find_node': {
      const m: FindNodeQuery = {
        ...base,
        q: 'find_node',
        id: rd.bytes(a, 'id', 'a', NODE_ID_BYTES, NODE_ID_BYTES),
        target: rd.bytes(a, 'target', 'a', NODE_ID_BYTES, NODE_ID_BYTES),
      };
      const want = rd.want(a);
      if (want !== undefined) m.want = want;
      return withRo(m);
    }
    case 'get_peers': {
      const m: GetPeersQuery = {
        ...base,
        q: 'get_peers',
        id: rd.bytes(a, 'id', 'a', NODE_ID_BYTES, NODE_ID_BYTES),
        infoHash: rd.bytes(a, 'info_hash', 'a', NODE_ID_BYTES, NODE_ID_BYTES),
      };
      const want = rd.want(a);
      if (want !== undefined) m.want = want;
      return withRo(m);
    }
    case 'announce_peer': {
      const id = rd.bytes(a, 'id', 'a', NODE_ID_BYTES, NODE_ID_BYTES);
      const infoHash = rd.bytes(a, 'info_hash', 'a', NODE_ID_BYTES, NODE_ID_BYTES);
      const implied = rd.int(a, 'implied_port', 'a', true);
      const impliedPort = implied !== undefined && implied !== 0;
      const port = rd.int(a, 'port', 'a');
      if (port > 65535 || port < (impliedPort ? 0 : 1)) rd.fail(`'port' ${port} out of range`);
      const token = rd.bytes(a, 'token', 'a', 0, MAX_TOKEN_BYTES);
      return withRo({ ...base, q: 'announce_peer', id, infoHash, port, token, impliedPort } satisfies AnnouncePeerQuery);
    }
    default: {
      const m: UnknownQuery = { ...base, q: 'unknown', method, args: a };
      const id = a.get('id');
      if (isBytes(id) && id.length === NODE_ID_BYTES) m.id = copy(id);
      return withRo(m);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// encode

function check(ok: boolean, msg: string): void {
  if (!ok) throw new KrpcError(`krpc: cannot encode: ${msg}`);
}

function checkBytes(b: Uint8Array, what: string, min: number, max: number): Uint8Array {
  check(b instanceof Uint8Array && b.length >= min && b.length <= max, `${what} must be ${min === max ? min : `${min}..${max}`} bytes`);
  return b;
}

function compactIp(p: CompactPeer, what: string): Uint8Array {
  const ip = parseIp(p.host);
  check(ip !== undefined, `${what} host ${JSON.stringify(p.host)} is not an IP address`);
  check(Number.isInteger(p.port) && p.port >= 0 && p.port <= 65535, `${what} port ${p.port} out of range`);
  return encodeCompactPeer(p.host, p.port);
}

function encodeNodes(nodes: readonly CompactNode[], family: 4 | 6, what: string): Uint8Array {
  const entry = family === 4 ? COMPACT_NODE4_BYTES : COMPACT_NODE6_BYTES;
  const out = new Uint8Array(nodes.length * entry);
  nodes.forEach((n, i) => {
    checkBytes(n.id, `${what}[${i}].id`, NODE_ID_BYTES, NODE_ID_BYTES);
    const addr = compactIp(n, `${what}[${i}]`);
    check(addr.length === entry - NODE_ID_BYTES, `${what}[${i}] ${n.host} is not an IPv${family} address`);
    out.set(n.id, i * entry);
    out.set(addr, i * entry + NODE_ID_BYTES);
  });
  return out;
}

/** Encodes a message (canonical bencode). Throws KrpcError for fields that break the rules above. */
export function encodeKrpc(msg: KrpcMessage): Uint8Array {
  checkBytes(msg.tid, 'tid', 0, MAX_TID_BYTES);
  const top = new Map<string, Encodable>([
    ['t', msg.tid],
    ['y', msg.y],
  ]);
  if (msg.clientVersion !== undefined) top.set('v', checkBytes(msg.clientVersion, 'clientVersion', 0, MAX_VERSION_BYTES));
  if (msg.ip !== undefined) top.set('ip', compactIp(msg.ip, 'ip'));
  switch (msg.y) {
    case 'e':
      check(Number.isSafeInteger(msg.code), 'error code must be an integer');
      top.set('e', [msg.code, msg.message]);
      break;
    case 'r': {
      const r = new Map<string, Encodable>([['id', checkBytes(msg.id, 'id', NODE_ID_BYTES, NODE_ID_BYTES)]]);
      if (msg.nodes !== undefined) r.set('nodes', encodeNodes(msg.nodes, 4, 'nodes'));
      if (msg.nodes6 !== undefined) r.set('nodes6', encodeNodes(msg.nodes6, 6, 'nodes6'));
      if (msg.values !== undefined) r.set('values', msg.values.map((p, i) => compactIp(p, `values[${i}]`)));
      if (msg.token !== undefined) r.set('token', checkBytes(msg.token, 'token', 0, MAX_TOKEN_BYTES));
      top.set('r', r);
      break;
    }
    case 'q': {
      if (msg.readOnly) top.set('ro', 1);
      if (msg.q === 'unknown') {
        check(msg.method.length >= 1 && msg.method.length <= MAX_METHOD_BYTES && !/[^\x00-\xff]/.test(msg.method), 'method must be 1..64 latin1 chars');
        top.set('q', Uint8Array.from(msg.method, (c) => c.charCodeAt(0)));
        const args = new Map<string, Encodable>(msg.args);
        if (msg.id !== undefined) args.set('id', checkBytes(msg.id, 'id', NODE_ID_BYTES, NODE_ID_BYTES));
        top.set('a', args);
        break;
      }
      top.set('q', msg.q);
      const a = new Map<string, Encodable>([['id', checkBytes(msg.id, 'id', NODE_ID_BYTES, NODE_ID_BYTES)]]);
      switch (msg.q) {
        case 'ping':
          break;
        case 'find_node':
          a.set('target', checkBytes(msg.target, 'target', NODE_ID_BYTES, NODE_ID_BYTES));
          if (msg.want !== undefined) a.set('want', [...msg.want]);
          break;
        case 'get_peers':
          a.set('info_hash', checkBytes(msg.infoHash, 'infoHash', NODE_ID_BYTES, NODE_ID_BYTES));
          if (msg.want !== undefined) a.set('want', [...msg.want]);
          break;
        case 'announce_peer':
          a.set('info_hash', checkBytes(msg.infoHash, 'infoHash', NODE_ID_BYTES, NODE_ID_BYTES));
          check(Number.isInteger(msg.port) && msg.port <= 65535 && msg.port >= (msg.impliedPort ? 0 : 1), `port ${msg.port} out of range`);
          a.set('port', msg.port);
          a.set('token', checkBytes(msg.token, 'token', 0, MAX_TOKEN_BYTES));
          if (msg.impliedPort) a.set('implied_port', 1);
          break;
        default: {
          const never: never = msg;
          throw new KrpcError(`krpc: cannot encode query ${JSON.stringify(never)}`);
        }
      }
      top.set('a', a);
      break;
    }
    default: {
      const never: never = msg;
      throw new KrpcError(`krpc: cannot encode message ${JSON.stringify(never)}`);
    }
  }
  return encode(top);
}

/** An error reply to a query (BEP 5 codes: 201 generic, 202 server, 203 protocol, 204 method unknown). */
export function errorReply(tid: Uint8Array, code: number, message: string, extra: Omit<Envelope, 'tid'> = {}): KrpcErrorMessage {
  return { y: 'e', tid, ...extra, code, message };
}

/** Compact node list entries of one family from a mixed list (handy when answering `want`). */
export function nodesOfFamily(nodes: readonly CompactNode[], family: 4 | 6): CompactNode[] {
  return nodes.filter((n) => {
    const ip = parseIp(n.host);
    return ip !== undefined && ip.length === (family === 4 ? 4 : 16);
  });
}
