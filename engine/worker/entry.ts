// Worker-thread entry: hosts a Session and speaks the protocol over the parent port.
// Every payload from the host is validated by the Session (requestRaw) before use.
import { parentPort, workerData } from 'node:worker_threads';
import { join } from 'node:path';
import { Session } from '../session/session.js';
import { loadOrCreateStreamCapabilities } from '../daemon/stream-capability.js';
import { startStreamServer } from '../daemon/stream-server.js';
import type { EngineWorkerData, WorkerToHost } from './messages.js';

const port = parentPort;
if (!port) throw new Error('engine/worker/entry must run in a worker thread');
const data = workerData as EngineWorkerData;
const post = (m: WorkerToHost): void => port.postMessage(m);

try {
  const session = await Session.open({
    dataDir: data.dataDir,
    defaultDownloadDir: data.defaultDownloadDir,
    listenPort: data.listenPort,
    listenHost: data.listenHost,
    portMapping: data.portMapping === true ? {} : undefined,
    onEvent: (event) => post(event),
    log: (line, torrent) => post({ kind: 'log', line, torrent: torrent ?? null }),
  });
  // File streams for the built-in player and external players: loopback only, a free port, per-file capabilities.
  const streams = await startStreamServer({
    session,
    capabilities: loadOrCreateStreamCapabilities(join(data.dataDir, 'stream-secret')),
    log: (line) => post({ kind: 'log', line, torrent: null }),
  });
  let closing = false;
  port.on('message', (raw: unknown) => {
    if (typeof raw === 'object' && raw !== null && (raw as { kind?: unknown }).kind === 'shutdown') {
      if (closing) return;
      closing = true;
      void streams.close().then(() => session.close()).then(() => {
        post({ kind: 'shutdown-complete' });
        port.close();
      });
      return;
    }
    if (closing) return;
    void session.requestRaw(raw).then(post);
  });
  post({ kind: 'ready', port: session.port });
} catch (err) {
  post({ kind: 'fatal', message: (err as Error).message });
  port.close();
}
