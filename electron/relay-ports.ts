// Adapters from the two MessagePort flavours to the relay's RendererSide.
import type { EngineMessage } from '../engine/api/types.js';
import type { MessagePortMainLike } from './electron-api.js';
import type { RendererSide } from './relay.js';

/** Electron's MessagePortMain: messages arrive as events with `data`; it must be started. */
export function fromMessagePortMain(port: MessagePortMainLike): RendererSide {
  return {
    post: (m: EngineMessage) => port.postMessage(m),
    onMessage: (listener) => {
      port.on('message', (event: { data: unknown }) => listener(event.data));
      port.start();
    },
    onClose: (listener) => void port.on('close', listener),
    close: () => port.close(),
  };
}

/** A node:worker_threads MessagePort (used by tests): messages arrive as values. */
export interface NodePortLike {
  postMessage(value: unknown): void;
  on(event: 'message', listener: (value: unknown) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  close(): void;
}

export function fromNodePort(port: NodePortLike): RendererSide {
  return {
    post: (m: EngineMessage) => port.postMessage(m),
    onMessage: (listener) => void port.on('message', listener),
    onClose: (listener) => void port.on('close', listener),
    close: () => port.close(),
  };
}
