import type { EngineEvent, EngineMessage, Reply } from '../api/types.js';
import { encodeBinaryMessage, tryDecodeMessage } from '../api/wire.js';
import { isRequestId } from '../api/validate.js';
import type { Session } from '../session/session.js';
import type { StreamView } from '../session/stream.js';

/** The part of a WebSocket a client connection uses (a `ws` WebSocket, or a fake in tests). */
export interface ClientSocket {
  /** Bytes queued by send() and not yet handed to the kernel. */
  readonly bufferedAmount: number;
  /** One binary message (a `ws` WebSocket sends a typed array as a binary frame). */
  send(frame: Uint8Array): void;
  /** Drops the connection at once (a close frame would wait behind the unread data). */
  terminate(): void;
}

export interface ClientLimits {
  /** Batches are dropped while more than this (plus the last snapshot's size) waits to be sent. */
  readonly dropBatchesAbove: number;
  /** A client that dropped batches gets a fresh snapshot once its queue is below this. */
  readonly resyncBelow: number;
  /** A client that lets this much (plus the last snapshot's size) pile up, e.g. replies it never reads, is disconnected. */
  readonly disconnectAbove: number;
  /** Requests handled at once per client; more get a 'Busy' error. */
  readonly maxInFlight: number;
}

export const DEFAULT_CLIENT_LIMITS: ClientLimits = Object.freeze({
  dropBatchesAbove: 4 * 1024 * 1024,
  resyncBelow: 256 * 1024,
  disconnectAbove: 64 * 1024 * 1024,
  maxInFlight: 64,
});


/**
 * One WebSocket client: its own view of the state stream (seq numbers and detail subscription),
 * requests validated by the Session, and back-pressure: while the socket cannot keep up, batches are
 * dropped instead of queued, and a fresh snapshot follows once it has drained (the seq gap tells the
 * client what happened).
 */
export class ClientConnection {
  private readonly view: StreamView;
  /** live: batches flow; lagging: batches dropped until drained; resyncing: waiting for its snapshot. */
  private state: 'live' | 'lagging' | 'resyncing' = 'resyncing';
  private inFlight = 0;
  private closed = false;
  private snapshotBytes = 0;
  /** Batches not sent because the client was behind. */
  droppedBatches = 0;
  /** Snapshots sent after the client fell behind. */
  resyncs = 0;

  constructor(
    private readonly session: Session,
    private readonly socket: ClientSocket,
    private readonly limits: ClientLimits = DEFAULT_CLIENT_LIMITS,
    private readonly log: (line: string) => void = () => {},
  ) {
    this.view = session.openStream((e) => this.onEvent(e));
    this.requestSnapshot();
  }

  /** A frame from the client: text, or null for a binary frame. Never throws. */
  handle(text: string | null): void {
    if (this.closed) return;
    if (text === null) return this.fail(-1, 'send text frames holding JSON requests (engine/api wire codec); binary frames are not used');
    const decoded = tryDecodeMessage(text);
    if (!decoded.ok) return this.fail(-1, decoded.error.slice(0, 300));
    const raw = decoded.value;
    if (this.inFlight >= this.limits.maxInFlight) {
      const rid = typeof raw === 'object' && raw !== null ? (raw as { requestId?: unknown }).requestId : undefined;
      this.transmit({ kind: 'reply', requestId: isRequestId(rid) ? rid : -1, ok: false, error: { name: 'Busy', message: `more than ${this.limits.maxInFlight} requests at once; wait for replies` } });
      return;
    }
    this.inFlight++;
    this.session
      .requestRaw(raw, this.view)
      .catch((err: unknown): Reply => ({ kind: 'reply', requestId: -1, ok: false, error: { name: 'Failed', message: err instanceof Error ? err.message : String(err) } }))
      .then((reply) => {
        this.inFlight--;
        this.transmit(reply);
      });
  }

  /** The socket closed: stop following the stream. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.session.closeStream(this.view);
  }

  private fail(requestId: number, message: string): void {
    this.transmit({ kind: 'reply', requestId, ok: false, error: { name: 'InvalidCommand', message } });
  }

  private requestSnapshot(): void {
    if (this.closed) return;
    this.state = 'resyncing';
    void this.session.request({ kind: 'request', requestId: 0, command: { type: 'snapshot' } }, this.view);
  }

  private onEvent(e: EngineEvent): void {
    if (this.closed) return;
    if (e.kind === 'snapshot') {
      this.state = 'live';
      this.snapshotBytes = this.transmit(e);
      return;
    }
    if (this.state === 'resyncing') return;
    const queued = this.socket.bufferedAmount;
    if (this.state === 'lagging') {
      this.droppedBatches++;
      if (queued <= this.limits.resyncBelow) {
        this.resyncs++;
        this.state = 'resyncing';
        // Not from inside the stream's delivery loop: a snapshot flushes a batch to every view first.
        queueMicrotask(() => this.requestSnapshot());
      }
      return;
    }
    if (queued > this.limits.dropBatchesAbove + this.snapshotBytes) {
      this.state = 'lagging';
      this.droppedBatches++;
      this.log(`client is ${queued} bytes behind; dropping batches until it catches up`);
      return;
    }
    this.transmit(e);
  }

  /** Sends one message as a binary frame (typed arrays outside the JSON); returns its size. */
  private transmit(msg: EngineMessage): number {
    if (this.closed) return 0;
    let frame: Uint8Array;
    try {
      frame = encodeBinaryMessage(msg);
    } catch (err) {
      this.log(`could not encode a ${msg.kind}: ${(err as Error).message}`);
      return 0;
    }
    if (this.socket.bufferedAmount + frame.length > this.limits.disconnectAbove + this.snapshotBytes) {
      this.log('client does not read what it is sent; disconnecting it');
      this.close();
      this.socket.terminate();
      return 0;
    }
    this.socket.send(frame);
    return frame.length;
  }
}
