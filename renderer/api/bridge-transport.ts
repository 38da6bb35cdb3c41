/** The protocol through the Electron preload's `window.tessera` bridge. */
import type { EngineMessage, UiMessage } from '../../engine/api/types.js';
import type { TesseraBridge } from './bridge.js';
import { Listeners, type ConnectionStatus, type Transport } from './transport.js';

export class BridgeTransport implements Transport {
  private readonly statuses = new Listeners<ConnectionStatus>();

  constructor(private readonly bridge: TesseraBridge) {
    queueMicrotask(() => this.statuses.emit({ state: 'open' }));
  }

  send(message: UiMessage): void {
    this.bridge.send(message);
  }

  onMessage(listener: (message: EngineMessage) => void): () => void {
    return this.bridge.onMessage(listener);
  }

  onStatus(listener: (status: ConnectionStatus) => void): () => void {
    return this.statuses.add(listener);
  }

  close(): void {}
}
