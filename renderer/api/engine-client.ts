/**
 * Typed requests over a Transport: each command gets a request id and a promise of its typed result.
 * Events are checked for sequence gaps; after a gap the client asks for a snapshot and drops batches
 * until it arrives, so the store never applies a diff to the wrong base.
 */
import type { ApiErrorShape, Command, EngineEvent, EngineMessage, ResultOf } from '../../engine/api/types.js';
import { SequenceTracker } from '../../engine/api/diff.js';
import { Listeners, type ConnectionStatus, type Transport } from './transport.js';

export class ApiError extends Error {
  constructor(readonly shape: ApiErrorShape) {
    super(shape.message);
    this.name = shape.name;
  }
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class EngineClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly events = new Listeners<EngineEvent>();
  private readonly statuses = new Listeners<ConnectionStatus>();
  private readonly sequence = new SequenceTracker();
  private status: ConnectionStatus = { state: 'connecting' };

  constructor(private readonly transport: Transport) {
    transport.onMessage((m) => this.receive(m));
    transport.onStatus((s) => {
      this.status = s;
      if (s.state !== 'open') {
        this.sequence.reset();
        for (const p of this.pending.values()) p.reject(new Error('the connection to the engine was lost; try again'));
        this.pending.clear();
      }
      this.statuses.emit(s);
    });
  }

  get connection(): ConnectionStatus {
    return this.status;
  }

  request<C extends Command>(command: C): Promise<ResultOf[C['type']]> {
    const requestId = this.nextId++;
    return new Promise<ResultOf[C['type']]>((resolve, reject) => {
      this.pending.set(requestId, { resolve: resolve as (v: unknown) => void, reject });
      try {
        this.transport.send({ kind: 'request', requestId, command });
      } catch (e) {
        this.pending.delete(requestId);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  onEvent(listener: (event: EngineEvent) => void): () => void {
    return this.events.add(listener);
  }

  onStatus(listener: (status: ConnectionStatus) => void): () => void {
    return this.statuses.add(listener);
  }

  close(): void {
    this.transport.close();
  }

  private receive(m: EngineMessage): void {
    if (m.kind === 'reply') {
      const p = this.pending.get(m.requestId);
      if (!p) return;
      this.pending.delete(m.requestId);
      if (m.ok) p.resolve(m.result);
      else p.reject(new ApiError(m.error));
      return;
    }
    const wasBroken = this.sequence.needsSnapshot;
    if (this.sequence.acceptEvent(m) === 'gap') {
      if (!wasBroken) this.request({ type: 'snapshot' }).catch(() => undefined);
      return;
    }
    this.events.emit(m);
  }
}
