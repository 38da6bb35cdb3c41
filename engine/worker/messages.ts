import type { EngineMessage, UiMessage } from '../api/types.js';

/** What the worker is started with (workerData). */
export interface EngineWorkerData {
  readonly dataDir: string;
  readonly defaultDownloadDir: string;
  readonly listenPort?: number;
  readonly listenHost?: string;
}

/** Control messages between the host and the worker, beside the protocol itself. */
export type HostToWorker = UiMessage | { kind: 'shutdown' };
export type WorkerToHost =
  | EngineMessage
  | { kind: 'ready'; port: number }
  | { kind: 'log'; line: string; torrent: string | null }
  | { kind: 'fatal'; message: string }
  | { kind: 'shutdown-complete' };
