import type { EngineMessage, UiMessage } from '../api/types.js';

/** What the worker is started with (workerData). */
export interface EngineWorkerData {
  readonly dataDir: string;
  readonly defaultDownloadDir: string;
  readonly listenPort?: number;
  readonly listenHost?: string;
  /** Map the listen port on the home router when the portMapping setting is on (absent: never, as in tests). */
  readonly portMapping?: boolean;
}

/** Control messages between the host and the worker, beside the protocol itself. */
export type HostToWorker = UiMessage | { kind: 'shutdown' };
export type WorkerToHost =
  | EngineMessage
  | { kind: 'ready'; port: number }
  | { kind: 'log'; line: string; torrent: string | null }
  | { kind: 'fatal'; message: string }
  | { kind: 'shutdown-complete' };
