// Test helper: a daemon server over an in-process Session on loopback (no DHT, no LSD), in a temp folder.
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from '../session/session.js';
import { createTorrent } from '../metainfo/create.js';
import { patternBytes } from '../testing/wait.js';
import type { ClientLimits } from './client.js';
import { startDaemonServer, type DaemonServer } from './server.js';
import { generateToken } from './token.js';
import type { StreamCapabilities } from './stream-capability.js';

export interface TestDaemon {
  readonly root: string;
  readonly session: Session;
  readonly server: DaemonServer;
  readonly token: string;
  readonly wsUrl: string;
  close(): Promise<void>;
}

export async function startTestDaemon(opts: { staticRoot?: string; maxClients?: number; clientLimits?: Partial<ClientLimits>; streams?: StreamCapabilities } = {}): Promise<TestDaemon> {
  const root = mkdtempSync(join(tmpdir(), 'tessera-daemon-'));
  const session = await Session.open({ dataDir: join(root, 'data'), defaultDownloadDir: join(root, 'dl'), listenHost: '127.0.0.1', listenPort: 0, batchIntervalMs: 50 });
  const token = generateToken();
  const server = await startDaemonServer({
    session,
    host: '127.0.0.1',
    port: 0,
    token,
    staticRoot: opts.staticRoot ?? join(root, 'no-renderer-here'),
    maxClients: opts.maxClients,
    clientLimits: opts.clientLimits,
    streams: opts.streams,
  });
  return {
    root,
    session,
    server,
    token,
    wsUrl: `ws://127.0.0.1:${server.port}/api?token=${token}`,
    async close() {
      await server.close();
      await session.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request with the path sent exactly as given (no client-side normalisation). */
export function httpGet(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** A small multi-file torrent and its data under `dir/<name>`. */
export async function makeSmallTorrent(dir: string, name: string, seed = 1): Promise<{ data: Uint8Array; root: string }> {
  const root = join(dir, name);
  mkdirSync(join(root, 'sub'), { recursive: true });
  writeFileSync(join(root, 'a.bin'), patternBytes(40_000, seed));
  writeFileSync(join(root, 'sub', 'b.bin'), patternBytes(70_001, seed + 1));
  return { data: await createTorrent(root, { pieceLength: 16_384 }), root };
}
