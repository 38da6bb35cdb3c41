import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EngineWorkerData, HostToWorker, WorkerToHost } from './messages.js';

export interface EngineWorker {
  /** The peer listening port once the engine is ready. */
  readonly ready: Promise<number>;
  send(message: HostToWorker): void;
  onMessage(listener: (message: WorkerToHost) => void): () => void;
  /** Asks the engine to stop its torrents and save resume data; terminates it after `timeoutMs` regardless. */
  shutdown(timeoutMs?: number): Promise<'clean' | 'forced'>;
}

/** The worker's entry: the compiled .js next to this file, or a bootstrap that loads the .ts source through tsx. */
function entryUrl(): URL {
  const js = new URL('./entry.js', import.meta.url);
  return existsSync(fileURLToPath(js)) ? js : new URL('./dev-entry.mjs', import.meta.url);
}

/** Starts the engine in a worker thread. */
export function startEngineWorker(data: EngineWorkerData): EngineWorker {
  const worker = new Worker(entryUrl(), { workerData: data });
  const listeners = new Set<(m: WorkerToHost) => void>();
  let exited = false;
  const exit = new Promise<void>((resolve) => worker.once('exit', () => ((exited = true), resolve())));
  worker.on('message', (m: WorkerToHost) => {
    for (const l of listeners) l(m);
  });
  const ready = new Promise<number>((resolve, reject) => {
    const off = (): void => void listeners.delete(onReady);
    const onReady = (m: WorkerToHost): void => {
      if (m.kind === 'ready') {
        off();
        resolve(m.port);
      } else if (m.kind === 'fatal') {
        off();
        reject(new Error(`the engine could not start: ${m.message}`));
      }
    };
    listeners.add(onReady);
    worker.once('error', (err) => reject(err));
    void exit.then(() => reject(new Error('the engine stopped before it was ready')));
  });
  ready.catch(() => undefined);
  return {
    ready,
    send: (message) => {
      if (!exited) worker.postMessage(message);
    },
    onMessage: (listener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    shutdown: async (timeoutMs = 5000) => {
      if (exited) return 'clean';
      const clean = new Promise<'clean'>((resolve) => {
        listeners.add((m) => {
          if (m.kind === 'shutdown-complete') resolve('clean');
        });
      });
      worker.postMessage({ kind: 'shutdown' } satisfies HostToWorker);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'forced'>((resolve) => (timer = setTimeout(() => resolve('forced'), timeoutMs)));
      const result = await Promise.race([clean, timeout]);
      clearTimeout(timer);
      await worker.terminate();
      await exit;
      return result;
    },
  };
}
