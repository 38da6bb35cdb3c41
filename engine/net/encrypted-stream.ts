import type { IncomingStream, PeerStream, StreamEncryption, StreamSink, TransportKind } from './transport.js';
import type { MseResult, Rc4 } from '../wire/index.js';
import { BLOCK_SIZE } from '../common/geometry.js';

/**
 * Encrypted piece messages of the usual size (a 16 KiB block and its 13-byte header) reuse their buffers once the
 * kernel has taken them (the inner stream's onSent): a fresh 16 KiB buffer per block kept the garbage collector at
 * about an eighth of an RC4 seeder's main thread. Shared by every stream of the thread, at most POOL_MAX kept.
 */
const POOLED_MESSAGE_BYTES = 13 + BLOCK_SIZE;
const POOL_MAX = 256;
const freeMessages: Buffer[] = [];

function takeMessageBuffer(length: number): Buffer {
  return (length === POOLED_MESSAGE_BYTES && freeMessages.pop()) || Buffer.allocUnsafeSlow(length);
}

function giveBackMessageBuffer(buffer: Buffer): void {
  if (buffer.length === POOLED_MESSAGE_BYTES && freeMessages.length < POOL_MAX) freeMessages.push(buffer);
}

/**
 * A stream after an MSE handshake: RC4 both ways, or the bytes as they are when plaintext was selected.
 * Received bytes are decrypted in place, in the chunk they arrive in. For an outgoing socket that chunk is
 * tcp-transport.ts's shared read buffer: nothing reads it after the synchronous delivery (sinks copy what they
 * keep, and the next read overwrites it), so decrypting there costs no copy and no allocation.
 */
export class EncryptedStream implements IncomingStream, StreamSink {
  readonly encryption: StreamEncryption;
  private readonly encrypt: Rc4 | null;
  private readonly decrypt: Rc4 | null;
  private sink: StreamSink | null = null;
  /** Decrypted bytes waiting for a sink: what came with the handshake, then what followed it. */
  private pending: Uint8Array[] = [];
  private closedReason: string | null = null;

  constructor(private readonly inner: PeerStream, result: MseResult) {
    this.encryption = result.method === 'rc4' ? 'rc4' : 'mse-plaintext';
    this.encrypt = result.encrypt;
    this.decrypt = result.decrypt;
    if (result.payload.length > 0) this.pending.push(result.payload);
    inner.attach(this);
  }

  get remoteAddress(): string {
    return this.inner.remoteAddress;
  }

  get remotePort(): number {
    return this.inner.remotePort;
  }

  get kind(): TransportKind | undefined {
    return this.inner.kind;
  }

  write(data: Uint8Array): boolean {
    const encrypt = this.encrypt;
    if (encrypt === null) return this.inner.write(data);
    // Writers may share or reuse what they write (a constant keep-alive, cached messages): encrypt a copy.
    const out = Buffer.allocUnsafe(data.length);
    encrypt.applyTo(data, 0, data.length, out, 0);
    return this.inner.write(out);
  }

  /** The buffer is ours now: encrypt it in place, no copy (the upload path, one block at a time). */
  writeOwned(data: Uint8Array): boolean {
    this.encrypt?.apply(data);
    return this.inner.write(data);
  }

  /** A piece message whose payload may be shared: encrypted into a buffer of its own; in plaintext, passed on as it is. */
  writeBlock(header: Uint8Array, payload: Uint8Array, onSent?: () => void): boolean {
    const encrypt = this.encrypt;
    if (encrypt === null && this.inner.writeBlock) return this.inner.writeBlock(header, payload, onSent);
    const out = takeMessageBuffer(header.length + payload.length);
    if (encrypt === null) {
      out.set(header, 0);
      out.set(payload, header.length);
    } else {
      encrypt.applyTo(header, 0, header.length, out, 0);
      encrypt.applyTo(payload, 0, payload.length, out, header.length);
    }
    onSent?.(); // copied: the caller's bytes are free
    // Through the inner stream's block path all the same: there it joins the other blocks of this turn in one writev.
    if (this.inner.writeBlock) return this.inner.writeBlock(out.subarray(0, header.length), out.subarray(header.length), () => giveBackMessageBuffer(out));
    return this.inner.write(out);
  }

  destroy(): void {
    this.inner.destroy();
  }

  pauseReading(): void {
    this.inner.pauseReading?.();
  }

  resumeReading(): void {
    this.inner.resumeReading?.();
  }

  attach(sink: StreamSink): void {
    this.sink = sink;
    while (this.pending.length > 0 && this.sink === sink) sink.receive(this.pending.shift()!);
    if (this.closedReason !== null && this.sink === sink) sink.transportClosed(this.closedReason);
  }

  /** Puts back bytes that were already decrypted (they followed a handshake someone else read). */
  requeue(chunk: Uint8Array): void {
    this.pending.push(chunk.slice());
  }

  // ---- StreamSink, for the inner stream ----

  receive(chunk: Uint8Array): void {
    this.decrypt?.apply(chunk);
    if (this.sink) this.sink.receive(chunk);
    else this.pending.push(chunk.slice());
  }

  transportClosed(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    this.sink?.transportClosed(reason);
  }

  drained(): void {
    this.sink?.drained();
  }
}
