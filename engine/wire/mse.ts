/**
 * Message Stream Encryption (the Vuze / libtorrent / Transmission "protocol encryption") handshakes as
 * state machines: fed byte chunks, they return bytes to send and, at the end, the negotiated method,
 * the payload that came with the handshake (already decrypted) and the stream ciphers. No sockets, no timers.
 *
 *   1 A->B  Ya, PadA
 *   2 B->A  Yb, PadB
 *   3 A->B  HASH('req1'|S), HASH('req2'|SKEY) xor HASH('req3'|S), E(VC, crypto_provide, len(PadC), PadC, len(IA)), E(IA)
 *   4 B->A  E(VC, crypto_select, len(PadD), PadD), then the payload (E2)
 * where E is RC4 and E2 is RC4 or plaintext as crypto_select says; A and B each find the other's first
 * marker (req1, VC) by scanning past padding of at most 512 bytes.
 */
import { randomBytes } from 'node:crypto';
import { MseError } from './errors.js';
import { HANDSHAKE_PREFIX } from './handshake.js';
import { DH_LENGTH, PRIVATE_KEY_BYTES, dhKeyPair, dhSecret, hash, streamCipher, type DhKeyPair } from './mse-crypto.js';
import type { Rc4 } from './rc4.js';

export const CRYPTO_PLAINTEXT = 0x01;
export const CRYPTO_RC4 = 0x02;
export const MAX_PAD = 512;
const VC_LENGTH = 8;
const HASH_LENGTH = 20;
const MAX_IA = 0xffff;

export type CryptoMethod = 'plaintext' | 'rc4';

export interface MseResult {
  readonly method: CryptoMethod;
  /** Payload bytes that came with the handshake, decrypted: the IA for a responder, what followed PadD for an initiator. */
  readonly payload: Uint8Array;
  /** RC4 for what we send and for what we receive from here on; null when plaintext was selected. */
  readonly encrypt: Rc4 | null;
  readonly decrypt: Rc4 | null;
  /** SKEY: the torrent the connection is for. */
  readonly infoHash: Uint8Array;
}

export interface MseStep {
  /** Bytes to write to the peer now, if any. */
  readonly send: Uint8Array | null;
  /** Set once the handshake is complete. */
  readonly done: MseResult | null;
}

type Random = (n: number) => Uint8Array;

/** Received bytes not yet consumed. Copies what it keeps: a chunk may be a reused read buffer. */
class Inbox {
  private buf: Uint8Array = new Uint8Array(0);
  private off = 0;

  push(chunk: Uint8Array): void {
    const rest = this.buf.length - this.off;
    const next = new Uint8Array(rest + chunk.length);
    next.set(this.buf.subarray(this.off), 0);
    next.set(chunk, rest);
    this.buf = next;
    this.off = 0;
  }

  get available(): number {
    return this.buf.length - this.off;
  }

  /** The next `n` bytes (a view, valid until the next push), or null until that many have come. */
  take(n: number): Uint8Array | null {
    if (this.available < n) return null;
    const out = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return out;
  }

  /**
   * Finds `marker` within the first `window` bytes and consumes through it. Returns false while it may
   * still come; throws once `window` bytes have come without it.
   */
  skipPast(marker: Uint8Array, window: number, what: string): boolean {
    const limit = Math.min(this.available, window) - marker.length;
    const buf = this.buf;
    for (let at = this.off; at <= this.off + limit; at++) {
      let k = 0;
      while (k < marker.length && buf[at + k] === marker[k]) k++;
      if (k === marker.length) {
        this.off = at + marker.length;
        return true;
      }
    }
    if (this.available >= window) throw new MseError(`mse: no ${what} within ${MAX_PAD} bytes of padding`);
    return false;
  }

  /** All that is left (a copy), emptying the inbox. */
  rest(): Uint8Array {
    const out = this.buf.slice(this.off);
    this.buf = new Uint8Array(0);
    this.off = 0;
    return out;
  }
}

function padding(random: Random, zeros: boolean): Uint8Array {
  const r = random(2);
  const length = ((r[0] << 8) | r[1]) % (MAX_PAD + 1);
  return zeros ? new Uint8Array(length) : random(length).slice();
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function u16(bytes: Uint8Array, at: number): number {
  return (bytes[at] << 8) | bytes[at + 1];
}

function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

function putU16(out: Uint8Array, at: number, v: number): void {
  out[at] = v >>> 8;
  out[at + 1] = v & 0xff;
}

function putU32(out: Uint8Array, at: number, v: number): void {
  out[at] = v >>> 24;
  out[at + 1] = (v >>> 16) & 0xff;
  out[at + 2] = (v >>> 8) & 0xff;
  out[at + 3] = v & 0xff;
}

function methodBits(bits: number): string {
  return `0x${bits.toString(16).padStart(2, '0')}`;
}

function atLeastOneMethod(bits: number): void {
  if ((bits & (CRYPTO_PLAINTEXT | CRYPTO_RC4)) === 0) throw new RangeError(`mse: ${methodBits(bits)} names no method (CRYPTO_RC4, CRYPTO_PLAINTEXT)`);
}

function isPlaintextHeader(bytes: Uint8Array): boolean {
  for (let i = 0; i < HANDSHAKE_PREFIX.length; i++) if (bytes[i] !== HANDSHAKE_PREFIX[i]) return false;
  return true;
}

const WAITING: MseStep = { send: null, done: null };

/** What both sides share: the inbox, the key pair, and failing once for good. */
abstract class MseMachine {
  protected readonly inbox = new Inbox();
  protected readonly keys: DhKeyPair;
  private finished = false;

  constructor(protected readonly random: Random) {
    this.keys = dhKeyPair(random(PRIVATE_KEY_BYTES));
  }

  /** Feeds bytes from the peer. Throws MseError when the handshake cannot succeed; `chunk` is not kept. */
  receive(chunk: Uint8Array): MseStep {
    if (this.finished) throw new MseError('mse: the handshake is over');
    this.inbox.push(chunk);
    try {
      const step = this.advance();
      if (step.done) this.finished = true;
      return step;
    } catch (err) {
      this.finished = true;
      throw err;
    }
  }

  protected abstract advance(): MseStep;

  /** Our public key and random padding: the first message of either side. */
  protected hello(): Uint8Array {
    return concat([this.keys.publicKey, padding(this.random, false)]);
  }
}

export interface InitiatorOptions {
  readonly infoHash: Uint8Array;
  /** crypto_provide: CRYPTO_RC4, CRYPTO_PLAINTEXT or both. */
  readonly provide: number;
  /** Payload sent within the handshake (IA), encrypted whatever is selected. Default none. */
  readonly initialPayload?: Uint8Array;
  readonly random?: Random;
}

/** Side A: the one who dialled. Send start() first. */
export class MseInitiator extends MseMachine {
  private state: 'yb' | 'vc' | 'select' | 'padD' = 'yb';
  private decrypt: Rc4 | null = null;
  private encrypt: Rc4 | null = null;
  private vcMarker: Uint8Array | null = null;
  private selected = 0;
  private padDLength = 0;

  constructor(private readonly opts: InitiatorOptions) {
    super(opts.random ?? randomBytes);
    atLeastOneMethod(opts.provide);
    if ((opts.initialPayload?.length ?? 0) > MAX_IA) throw new RangeError('mse: the initial payload is longer than 65535 bytes');
  }

  /** Ya and PadA. */
  start(): Uint8Array {
    return this.hello();
  }

  protected advance(): MseStep {
    let send: Uint8Array | null = null;
    if (this.state === 'yb') {
      const yb = this.inbox.take(DH_LENGTH);
      if (!yb) return WAITING;
      if (isPlaintextHeader(yb)) throw new MseError('mse: the peer answered with a plaintext handshake');
      send = this.handshakeRequest(dhSecret(this.keys.privateKey, yb));
      this.state = 'vc';
    }
    const done = this.readAnswer();
    return send === null && done === null ? WAITING : { send, done };
  }

  /** Step 3, and the ciphers: from here every byte either way is encrypted. */
  private handshakeRequest(secret: Uint8Array): Uint8Array {
    const { infoHash, provide } = this.opts;
    this.encrypt = streamCipher('keyA', secret, infoHash);
    this.decrypt = streamCipher('keyB', secret, infoHash);
    // B's VC is eight zero bytes under keyB: the marker to look for after PadB.
    this.vcMarker = new Uint8Array(VC_LENGTH);
    this.decrypt.apply(this.vcMarker);
    const req2 = hash('req2', infoHash);
    const req3 = hash('req3', secret);
    for (let i = 0; i < HASH_LENGTH; i++) req2[i] ^= req3[i];
    const ia = this.opts.initialPayload ?? new Uint8Array(0);
    const padC = padding(this.random, true);
    const plain = new Uint8Array(VC_LENGTH + 4 + 2 + padC.length + 2 + ia.length);
    putU32(plain, VC_LENGTH, provide);
    putU16(plain, VC_LENGTH + 4, padC.length);
    plain.set(padC, VC_LENGTH + 6);
    putU16(plain, VC_LENGTH + 6 + padC.length, ia.length);
    plain.set(ia, VC_LENGTH + 8 + padC.length);
    this.encrypt.apply(plain);
    return concat([hash('req1', secret), req2, plain]);
  }

  private readAnswer(): MseResult | null {
    const decrypt = this.decrypt;
    if (decrypt === null || this.vcMarker === null) return null;
    if (this.state === 'vc') {
      if (!this.inbox.skipPast(this.vcMarker, MAX_PAD + VC_LENGTH, 'verification constant')) return null;
      this.state = 'select';
    }
    if (this.state === 'select') {
      const head = this.inbox.take(6);
      if (!head) return null;
      const plain = head.slice();
      decrypt.apply(plain);
      this.selected = u32(plain, 0);
      this.padDLength = u16(plain, 4);
      if ((this.selected !== CRYPTO_RC4 && this.selected !== CRYPTO_PLAINTEXT) || (this.selected & this.opts.provide) === 0) {
        throw new MseError(`mse: the peer selected ${methodBits(this.selected)}, not one of the offered ${methodBits(this.opts.provide)}`);
      }
      if (this.padDLength > MAX_PAD) throw new MseError(`mse: PadD of ${this.padDLength} bytes (at most ${MAX_PAD})`);
      this.state = 'padD';
    }
    if (!this.inbox.take(this.padDLength)) return null;
    decrypt.discard(this.padDLength);
    const payload = this.inbox.rest();
    const rc4 = this.selected === CRYPTO_RC4;
    if (rc4) decrypt.apply(payload);
    return { method: rc4 ? 'rc4' : 'plaintext', payload, encrypt: rc4 ? this.encrypt : null, decrypt: rc4 ? decrypt : null, infoHash: this.opts.infoHash };
  }
}

export interface ResponderOptions {
  /**
   * Methods we accept (CRYPTO_RC4, CRYPTO_PLAINTEXT or both); RC4 is chosen when the peer offers it too, as
   * Transmission ("preferred", its default) and qBittorrent (libtorrent with allowed_enc_level rc4) choose;
   * bare libtorrent (prefer_rc4 off) and WebTorrent (secure 1) choose plaintext.
   */
  readonly allow: number;
  /** The info hash of a torrent we serve whose HASH('req2' | info hash) is `req2`, or null. */
  readonly findInfoHash: (req2: Uint8Array) => Uint8Array | null;
  readonly random?: Random;
}

/** Side B: the one who accepted the connection. Sends nothing until the peer's key arrives. */
export class MseResponder extends MseMachine {
  private state: 'ya' | 'req1' | 'skey' | 'provide' | 'padC' | 'lenIA' | 'ia' = 'ya';
  private secret: Uint8Array | null = null;
  private req1: Uint8Array | null = null;
  private infoHash: Uint8Array | null = null;
  private decrypt: Rc4 | null = null;
  private provided = 0;
  private need = 0;

  constructor(private readonly opts: ResponderOptions) {
    super(opts.random ?? randomBytes);
    atLeastOneMethod(opts.allow);
  }

  protected advance(): MseStep {
    let send: Uint8Array | null = null;
    if (this.state === 'ya') {
      const ya = this.inbox.take(DH_LENGTH);
      if (!ya) return WAITING;
      this.secret = dhSecret(this.keys.privateKey, ya);
      this.req1 = hash('req1', this.secret);
      send = this.hello();
      this.state = 'req1';
    }
    const done = this.readRequest();
    if (done === null) return send === null ? WAITING : { send, done: null };
    return { send: send === null ? done.answer : concat([send, done.answer]), done: done.result };
  }

  private readRequest(): { answer: Uint8Array; result: MseResult } | null {
    const secret = this.secret;
    if (secret === null || this.req1 === null) return null;
    if (this.state === 'req1') {
      if (!this.inbox.skipPast(this.req1, MAX_PAD + HASH_LENGTH, 'req1 hash')) return null;
      this.state = 'skey';
    }
    if (this.state === 'skey') {
      const masked = this.inbox.take(HASH_LENGTH);
      if (!masked) return null;
      const req2 = hash('req3', secret);
      for (let i = 0; i < HASH_LENGTH; i++) req2[i] ^= masked[i];
      this.infoHash = this.opts.findInfoHash(req2);
      if (this.infoHash === null) throw new MseError('mse: the peer asked for a torrent we do not serve');
      this.decrypt = streamCipher('keyA', secret, this.infoHash);
      this.state = 'provide';
    }
    const decrypt = this.decrypt;
    const infoHash = this.infoHash;
    if (decrypt === null || infoHash === null) return null;
    if (this.state === 'provide') {
      const head = this.readPlain(decrypt, VC_LENGTH + 6);
      if (!head) return null;
      for (let i = 0; i < VC_LENGTH; i++) if (head[i] !== 0) throw new MseError('mse: wrong verification constant (the peer used other keys)');
      this.provided = u32(head, VC_LENGTH);
      this.need = u16(head, VC_LENGTH + 4);
      if (this.need > MAX_PAD) throw new MseError(`mse: PadC of ${this.need} bytes (at most ${MAX_PAD})`);
      this.state = 'padC';
    }
    if (this.state === 'padC') {
      if (!this.inbox.take(this.need)) return null;
      decrypt.discard(this.need);
      this.state = 'lenIA';
    }
    if (this.state === 'lenIA') {
      const len = this.readPlain(decrypt, 2);
      if (!len) return null;
      this.need = u16(len, 0);
      this.state = 'ia';
    }
    const ia = this.readPlain(decrypt, this.need);
    if (!ia) return null;
    return this.answer(secret, infoHash, decrypt, ia);
  }

  /** Step 4: our choice, and the payload so far (the IA, then whatever followed it). */
  private answer(secret: Uint8Array, infoHash: Uint8Array, decrypt: Rc4, ia: Uint8Array): { answer: Uint8Array; result: MseResult } {
    const common = this.provided & this.opts.allow;
    const selected = common & CRYPTO_RC4 ? CRYPTO_RC4 : common & CRYPTO_PLAINTEXT ? CRYPTO_PLAINTEXT : 0;
    if (selected === 0) throw new MseError(`mse: no method in common (the peer offers ${methodBits(this.provided)}, we allow ${methodBits(this.opts.allow)})`);
    const encrypt = streamCipher('keyB', secret, infoHash);
    const padD = padding(this.random, true);
    const answer = new Uint8Array(VC_LENGTH + 6 + padD.length);
    putU32(answer, VC_LENGTH, selected);
    putU16(answer, VC_LENGTH + 4, padD.length);
    encrypt.apply(answer);
    const rest = this.inbox.rest();
    const rc4 = selected === CRYPTO_RC4;
    if (rc4) decrypt.apply(rest);
    return {
      answer,
      result: { method: rc4 ? 'rc4' : 'plaintext', payload: concat([ia, rest]), encrypt: rc4 ? encrypt : null, decrypt: rc4 ? decrypt : null, infoHash },
    };
  }

  /** The next `n` bytes decrypted (a copy), or null until they have come. */
  private readPlain(decrypt: Rc4, n: number): Uint8Array | null {
    const bytes = this.inbox.take(n);
    if (!bytes) return null;
    const plain = bytes.slice();
    decrypt.apply(plain);
    return plain;
  }
}
