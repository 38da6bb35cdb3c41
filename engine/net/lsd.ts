/**
 * Local Service Discovery (BEP 14): finds peers on the local network by multicasting
 * `BT-SEARCH * HTTP/1.1` announces to 239.192.152.143:6771 (IPv4) or [ff15::efc0:988f]:6771 (IPv6)
 * and listening for others'.
 *
 * - `buildLsdAnnounce` / `parseLsdAnnounce`: the pure codec (the parser never throws).
 * - `LsdSchedule`: which info hashes to announce when (each at most once per interval, one
 *   datagram per global gap at most), driven by the caller's clock.
 * - `LocalDiscovery`: the socket and the on/off switch, for one address family (`family: 6`: the
 *   IPv6 group, its own socket; the session runs one of each).
 *
 * Usage (session): `const lsd = new LocalDiscovery({ listenPort, onPeer })`; `await lsd.start()`
 * when settings.lsd is on, `await lsd.stop()` when off; `track(hex)` / `untrack(hex)` per running
 * public torrent (kept across stop/start); `onPeer(hex, host, port)` -> that torrent's addPeers.
 */
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { systemClock, type Clock } from '../common/clock.js';

export const LSD_GROUP4 = '239.192.152.143';
export const LSD_GROUP6 = 'ff15::efc0:988f';
export const LSD_PORT = 6771;
/** The Host header of IPv6 announces: the group in brackets (BEP 14). */
export const LSD_HOST6 = `[${LSD_GROUP6}]:6771`;
/** Announces longer than this are dropped unread (a real one is a few hundred bytes). */
export const LSD_MAX_DATAGRAM = 1400;
/** Info hashes accepted in one announce (more is refused as malformed); 20 fit well inside LSD_MAX_DATAGRAM. */
export const LSD_MAX_INFOHASHES = 20;
/** Each torrent is announced at most this often (BEP 14 suggests no more than once a minute; libtorrent: 5 min). */
export const LSD_ANNOUNCE_INTERVAL_MS = 5 * 60_000;
/** Global cap: at most one datagram this often, whatever the number of torrents. */
export const LSD_MIN_SEND_GAP_MS = 1000;
/** A (host, info hash) pair is reported at most once in this window. */
export const LSD_REPORT_WINDOW_MS = 60_000;

const START_LINE = 'BT-SEARCH * HTTP/1.1';
const HEX40 = /^[0-9a-fA-F]{40}$/;
const HEADER = /^([A-Za-z0-9-]+)[ \t]*:[ \t]*(.*?)[ \t]*$/;
const PORT = /^[0-9]{1,5}$/;
const COOKIE = /^[\x21-\x7e]{1,64}$/;
const MAX_HEADER_LINES = 64;

export interface LsdAnnounce {
  /** The announcer's TCP listen port. */
  readonly port: number;
  /** Lower-case hex, no duplicates, in message order. */
  readonly infoHashes: readonly string[];
  readonly cookie?: string;
  /** The Host header as sent (not checked against the group: some clients put their own address). */
  readonly host?: string;
}

export type LsdParseResult = { readonly ok: true; readonly value: LsdAnnounce } | { readonly ok: false; readonly reason: string };

export interface LsdAnnounceInput {
  readonly port: number;
  readonly infoHashes: readonly string[];
  readonly cookie?: string;
  /** Default `239.192.152.143:6771`; IPv6 announces carry LSD_HOST6, `[ff15::efc0:988f]:6771`. */
  readonly host?: string;
}

/** The announce datagram. Throws RangeError on a bad port, info hash, cookie or length (our own values: a bug). */
export function buildLsdAnnounce(a: LsdAnnounceInput): Uint8Array {
  if (!Number.isInteger(a.port) || a.port < 1 || a.port > 65535) throw new RangeError(`lsd: port ${a.port} out of range`);
  if (a.infoHashes.length < 1 || a.infoHashes.length > LSD_MAX_INFOHASHES) throw new RangeError(`lsd: ${a.infoHashes.length} info hashes (1..${LSD_MAX_INFOHASHES})`);
  const lines = [START_LINE, `Host: ${a.host ?? `${LSD_GROUP4}:${LSD_PORT}`}`, `Port: ${a.port}`];
  for (const ih of a.infoHashes) {
    if (!HEX40.test(ih)) throw new RangeError(`lsd: info hash ${JSON.stringify(ih)} is not 40 hex digits`);
    lines.push(`Infohash: ${ih.toLowerCase()}`);
  }
  if (a.cookie !== undefined) {
    if (!COOKIE.test(a.cookie)) throw new RangeError('lsd: cookie must be 1..64 printable characters without spaces');
    lines.push(`cookie: ${a.cookie}`);
  }
  // BEP 14 ends the message with two empty lines.
  const out = Buffer.from(`${lines.join('\r\n')}\r\n\r\n\r\n`, 'latin1');
  if (out.length > LSD_MAX_DATAGRAM) throw new RangeError(`lsd: announce of ${out.length} bytes is longer than ${LSD_MAX_DATAGRAM}`);
  return out;
}

/**
 * Parses an announce datagram strictly: the exact start line, `Name: value` headers (names
 * case-insensitive, unknown ones ignored) ended by an empty line and followed by nothing but
 * empty lines, exactly one Port in 1..65535, 1..LSD_MAX_INFOHASHES Infohash headers of 40 hex
 * digits, at most one cookie, printable ASCII only. Lines end in CRLF (bare LF tolerated). Never throws.
 */
export function parseLsdAnnounce(data: Uint8Array): LsdParseResult {
  const fail = (reason: string): LsdParseResult => ({ ok: false, reason });
  if (data.length > LSD_MAX_DATAGRAM) return fail(`datagram of ${data.length} bytes`);
  for (let i = 0; i < data.length; i++) {
    const b = data[i];
    if ((b < 0x20 || b > 0x7e) && b !== 0x0d && b !== 0x0a && b !== 0x09) return fail(`byte 0x${b.toString(16)} at ${i}`);
  }
  const text = Buffer.from(data.buffer, data.byteOffset, data.length).toString('latin1');
  const parts = text.split('\n');
  // What follows the last LF is not a line (and ends nothing) unless it has content.
  if (parts[parts.length - 1] === '') parts.pop();
  const lines = parts.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.some((l) => l.includes('\r'))) return fail('bare CR');
  if (lines[0] !== START_LINE) return fail('not a BT-SEARCH request');
  let port: number | undefined;
  let cookie: string | undefined;
  let host: string | undefined;
  const hashes: string[] = [];
  let i = 1;
  for (; i < lines.length && lines[i] !== ''; i++) {
    if (i > MAX_HEADER_LINES) return fail('too many header lines');
    const m = HEADER.exec(lines[i]);
    if (!m) return fail(`malformed header line ${i}`);
    const name = m[1].toLowerCase();
    const value = m[2];
    if (name === 'port') {
      if (port !== undefined) return fail('two Port headers');
      if (!PORT.test(value)) return fail('Port is not a number');
      port = Number(value);
      if (port < 1 || port > 65535) return fail(`Port ${port} out of range`);
    } else if (name === 'infohash') {
      if (!HEX40.test(value)) return fail('Infohash is not 40 hex digits');
      const ih = value.toLowerCase();
      if (!hashes.includes(ih)) hashes.push(ih);
      if (hashes.length > LSD_MAX_INFOHASHES) return fail(`more than ${LSD_MAX_INFOHASHES} info hashes`);
    } else if (name === 'cookie') {
      if (cookie !== undefined) return fail('two cookies');
      if (!COOKIE.test(value)) return fail('malformed cookie');
      cookie = value;
    } else if (name === 'host') {
      if (host !== undefined) return fail('two Host headers');
      host = value;
    }
  }
  if (i >= lines.length) return fail('headers not ended by an empty line');
  for (; i < lines.length; i++) if (lines[i].trim() !== '') return fail('data after the headers');
  if (port === undefined) return fail('no Port');
  if (hashes.length === 0) return fail('no Infohash');
  return { ok: true, value: { port, infoHashes: hashes, ...(cookie !== undefined ? { cookie } : {}), ...(host !== undefined ? { host } : {}) } };
}

/**
 * When to announce which torrent: each tracked info hash soon after it is tracked, then once per
 * interval; at most one datagram per `minGapMs` overall (with many torrents, each waits its turn,
 * so the interval stretches instead of the traffic growing).
 */
export class LsdSchedule {
  /** Info hash -> clock time it is next due. */
  private readonly due = new Map<string, number>();
  private lastSendAt = -Infinity;

  constructor(
    private readonly intervalMs = LSD_ANNOUNCE_INTERVAL_MS,
    private readonly minGapMs = LSD_MIN_SEND_GAP_MS,
    private readonly perDatagram = 1,
  ) {
    if (!Number.isInteger(perDatagram) || perDatagram < 1 || perDatagram > LSD_MAX_INFOHASHES) throw new RangeError(`lsd: ${perDatagram} info hashes per datagram (1..${LSD_MAX_INFOHASHES})`);
  }

  get size(): number {
    return this.due.size;
  }

  has(infoHash: string): boolean {
    return this.due.has(infoHash);
  }

  track(infoHash: string, now: number): void {
    if (!this.due.has(infoHash)) this.due.set(infoHash, now);
  }

  untrack(infoHash: string): void {
    this.due.delete(infoHash);
  }

  /** Announce all again as soon as the gap allows (e.g. LSD turned back on, or the listen port changed). */
  resetAll(now: number): void {
    for (const k of this.due.keys()) this.due.set(k, now);
  }

  /** The info hashes for one datagram due at `now` (most overdue first), or null. Marks them announced. */
  next(now: number): string[] | null {
    if (now - this.lastSendAt < this.minGapMs) return null;
    const ready: [string, number][] = [];
    for (const [ih, at] of this.due) if (at <= now) ready.push([ih, at]);
    if (ready.length === 0) return null;
    ready.sort((a, b) => a[1] - b[1]);
    const batch = ready.slice(0, this.perDatagram).map(([ih]) => ih);
    for (const ih of batch) this.due.set(ih, now + this.intervalMs);
    this.lastSendAt = now;
    return batch;
  }
}

export interface LocalDiscoveryOptions {
  /** Our TCP listen port, the one announced. */
  readonly listenPort: () => number;
  /** A peer on the local network announced a torrent we track (hex in lower case). */
  readonly onPeer: (infoHash: string, host: string, port: number) => void;
  readonly clock?: Clock;
  readonly log?: (line: string) => void;
  /** 4 (default): 239.192.152.143 on a udp4 socket; 6: ff15::efc0:988f on an IPv6-only udp6 socket. */
  readonly family?: 4 | 6;
  /** Default 0.0.0.0, or :: for family 6. */
  readonly bindHost?: string;
  /** Default 6771 (shared with other clients on this machine through SO_REUSEADDR). 0 in tests. */
  readonly bindPort?: number;
  /**
   * Where announces go; default the family's group, port 6771. Tests point it at another instance's
   * unicast loopback port, which needs no multicast routing (a function: that port is known only
   * after the other instance binds).
   */
  readonly destination?: () => { readonly host: string; readonly port: number };
  /** Join the group and loop our announces back to this machine. Default: true when bindPort is not 0. */
  readonly multicast?: boolean;
  readonly intervalMs?: number;
  readonly minSendGapMs?: number;
  /** Info hashes per datagram (default 1: Transmission reads only the first Infohash header). */
  readonly perDatagram?: number;
  /** How often the schedule is looked at (default 1 s). */
  readonly tickMs?: number;
}

/**
 * The LSD service with its on/off switch: tracked torrents survive stop/start; `start` binds the
 * socket and joins the group, `stop` closes it. Bind or join failures are logged, never thrown
 * (a machine without multicast just finds no local peers).
 */
export class LocalDiscovery {
  /** Datagrams received that were not announces, and our own looped-back announces. */
  malformed = 0;
  own = 0;
  sent = 0;
  sendErrors = 0;
  private readonly clock: Clock;
  private readonly schedule: LsdSchedule;
  private readonly cookie = randomBytes(6).toString('hex');
  private socket: Socket | null = null;
  private timer: NodeJS.Timeout | null = null;
  private starting: Promise<boolean> | null = null;
  /** "host infohash" -> last report time; bounded. */
  private readonly reported = new Map<string, number>();
  private readonly family: 4 | 6;
  private readonly group: string;

  constructor(private readonly opts: LocalDiscoveryOptions) {
    this.clock = opts.clock ?? systemClock;
    this.family = opts.family ?? 4;
    this.group = this.family === 6 ? LSD_GROUP6 : LSD_GROUP4;
    this.schedule = new LsdSchedule(opts.intervalMs, opts.minSendGapMs, opts.perDatagram);
  }

  get running(): boolean {
    return this.socket !== null;
  }

  /** The bound UDP port while running (useful when bindPort is 0). */
  get port(): number {
    return this.socket?.address().port ?? 0;
  }

  track(infoHashHex: string): void {
    if (HEX40.test(infoHashHex)) this.schedule.track(infoHashHex.toLowerCase(), this.clock.now());
  }

  untrack(infoHashHex: string): void {
    this.schedule.untrack(infoHashHex.toLowerCase());
  }

  /** Binds and joins; resolves false (and logs why) when LSD cannot run here. Idempotent. */
  start(): Promise<boolean> {
    if (this.socket) return Promise.resolve(true);
    this.starting ??= this.open().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private open(): Promise<boolean> {
    const v6 = this.family === 6;
    const host = this.opts.bindHost ?? (v6 ? '::' : '0.0.0.0');
    const port = this.opts.bindPort ?? LSD_PORT;
    const multicast = this.opts.multicast ?? port !== 0;
    const what = v6 ? 'local peer discovery over IPv6' : 'local peer discovery';
    return new Promise((resolve) => {
      // IPv6-only: IPv4 announces are the udp4 instance's, and a mapped ::ffff: sender would be reported twice.
      const socket = v6 ? createSocket({ type: 'udp6', reuseAddr: true, ipv6Only: true }) : createSocket({ type: 'udp4', reuseAddr: true });
      const onError = (err: Error): void => {
        socket.close();
        this.log(`lsd: cannot listen on UDP ${v6 ? `[${host}]` : host}:${port} (${err.message}); ${what} is off`);
        resolve(false);
      };
      socket.once('error', onError);
      socket.bind(port, host, () => {
        socket.off('error', onError);
        socket.on('error', () => {
          this.sendErrors++;
        });
        if (multicast) {
          try {
            socket.addMembership(this.group);
            socket.setMulticastLoopback(true); // other clients on this machine hear us; our own echo is ignored by cookie
          } catch (err) {
            if (v6) {
              // No IPv6 multicast route (no IPv6 on the LAN): nothing to announce to either.
              socket.close();
              this.log(`lsd: cannot join ${this.group} (${(err as Error).message}); ${what} is off`);
              resolve(false);
              return;
            }
            this.log(`lsd: cannot join ${this.group} (${(err as Error).message}); announcing only`);
          }
        }
        socket.on('message', (msg, rinfo) => this.receive(msg, rinfo.address));
        socket.unref();
        this.socket = socket;
        this.schedule.resetAll(this.clock.now());
        this.timer = setInterval(() => this.tick(), this.opts.tickMs ?? 1000);
        this.timer.unref?.();
        this.tick();
        resolve(true);
      });
    });
  }

  async stop(): Promise<void> {
    await this.starting;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    if (!socket) return;
    await new Promise<void>((resolve) => {
      try {
        socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }

  close(): Promise<void> {
    return this.stop();
  }

  private tick(): void {
    const socket = this.socket;
    const listenPort = this.opts.listenPort();
    if (!socket || listenPort < 1 || listenPort > 65535) return;
    const batch = this.schedule.next(this.clock.now());
    if (!batch) return;
    const to = this.opts.destination?.() ?? { host: this.group, port: LSD_PORT };
    if (this.family === 6 ? !isIPv6(to.host) : !isIPv4(to.host)) {
      this.sendErrors++;
      return;
    }
    const data = buildLsdAnnounce({ port: listenPort, infoHashes: batch, cookie: this.cookie, ...(this.family === 6 ? { host: LSD_HOST6 } : {}) });
    this.sent++;
    socket.send(data, to.port, to.host, (err) => {
      if (err) this.sendErrors++;
    });
  }

  private receive(msg: Buffer, from: string): void {
    const parsed = parseLsdAnnounce(msg);
    if (!parsed.ok) {
      this.malformed++;
      return;
    }
    const a = parsed.value;
    if (a.cookie === this.cookie) {
      this.own++;
      return;
    }
    const now = this.clock.now();
    for (const ih of a.infoHashes) {
      if (!this.schedule.has(ih)) continue;
      const key = `${from} ${ih}`;
      const last = this.reported.get(key);
      if (last !== undefined && now - last < LSD_REPORT_WINDOW_MS) continue;
      if (this.reported.size >= 4096) this.pruneReported(now);
      this.reported.set(key, now);
      this.opts.onPeer(ih, from, a.port);
    }
  }

  private pruneReported(now: number): void {
    for (const [k, t] of this.reported) if (now - t >= LSD_REPORT_WINDOW_MS) this.reported.delete(k);
    if (this.reported.size >= 4096) this.reported.clear();
  }

  private log(line: string): void {
    this.opts.log?.(line);
  }
}
