import type { EngineMessage, UiMessage } from '../../engine/api/types.js';

export type ConnectionStatus =
  | { state: 'connecting' }
  | { state: 'open' }
  /** Lost or refused; `retryInMs` is when the transport tries again (null: it will not). */
  | { state: 'closed'; reason: string; retryInMs: number | null };

/** How the renderer reaches the engine: the Electron bridge or a WebSocket to `tessera daemon`. */
export interface Transport {
  send(message: UiMessage): void;
  onMessage(listener: (message: EngineMessage) => void): () => void;
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
  close(): void;
}

/** A tiny listener set, so each transport does not grow its own. */
export class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();
  add(listener: (value: T) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }
  emit(value: T): void {
    for (const l of this.set) l(value);
  }
}
