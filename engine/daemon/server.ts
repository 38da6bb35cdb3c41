import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Session } from '../session/session.js';
import { ClientConnection, DEFAULT_CLIENT_LIMITS, type ClientLimits } from './client.js';
import { OriginPolicy, hostPort } from './origin.js';
import { send, serveStatic } from './static.js';
import { tokenMatches } from './token.js';
import { isLoopbackHost } from './origin.js';
import type { StreamCapabilities } from './stream-capability.js';
import { handleStream, STREAM_PREFIX } from './stream-handler.js';
import { streamLinks } from './stream-server.js';

export interface DaemonServerOptions {
  readonly session: Session;
  /** Address to bind; the caller decides whether a non-loopback one is allowed. */
  readonly host: string;
  /** 0: any free port (see DaemonServer.port). */
  readonly port: number;
  readonly token: string;
  /** Folder of the built renderer (index.html, app.js, app.css, assets). */
  readonly staticRoot: string;
  /** WebSocket clients at once (browser tabs); more are refused with 503. Default 16. */
  readonly maxClients?: number;
  /** Largest message from a client. Default 96 MiB: a 64 MiB .torrent (the protocol's limit) grows by a third in base64. */
  readonly maxPayload?: number;
  readonly clientLimits?: Partial<ClientLimits>;
  readonly log?: (line: string) => void;
  /** Serve file streams at /stream/… (stream-handler.ts) with these capabilities; absent: no streams. */
  readonly streams?: StreamCapabilities;
}

export interface DaemonServer {
  readonly host: string;
  readonly port: number;
  /** http://host:port/ */
  readonly origin: string;
  /** The address to open in a browser: the origin with the token in the fragment (never sent to the server). */
  readonly browserUrl: string;
  readonly clientCount: number;
  /** Stops accepting, closes every client (1001 going away), and closes the listener. */
  close(): Promise<void>;
}

const API_PATH = '/api';
const PING_INTERVAL_MS = 30_000;

/** The path and query of a request target, without normalising it ('..' stays, so it can be refused). */
function splitTarget(target: string | undefined): { path: string; query: URLSearchParams } | null {
  if (target === undefined || !target.startsWith('/')) return null;
  const q = target.indexOf('?');
  return { path: q < 0 ? target : target.slice(0, q), query: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)) };
}

function isApiPath(path: string): boolean {
  return path === API_PATH || path.startsWith(`${API_PATH}/`);
}

function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function textOf(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

/**
 * HTTP + WebSocket front of a Session: the built renderer as static files (no token: they hold no
 * data), and the protocol at ws://host:port/api?token=T as text frames in the engine/api wire codec.
 */
export async function startDaemonServer(opts: DaemonServerOptions): Promise<DaemonServer> {
  const log = opts.log ?? (() => {});
  const limits: ClientLimits = { ...DEFAULT_CLIENT_LIMITS, ...opts.clientLimits };
  const maxClients = opts.maxClients ?? 16;
  const clients = new Map<WebSocket, ClientConnection>();
  const alive = new WeakSet<WebSocket>();
  let policy: OriginPolicy | null = null;
  let closing = false;

  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxPayload ?? 96 * 1024 * 1024, perMessageDeflate: false });

  const server = createServer((req, res) => void onRequest(req, res));
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const target = splitTarget(req.url);
      if (!target) return send(res, 400, 'bad request\n');
      if (!policy!.hostAllowed(req.headers.host)) return send(res, 403, 'unexpected Host header\n');
      if (isApiPath(target.path)) {
        if (!tokenMatches(target.query.get('token'), opts.token)) return send(res, 401, 'missing or wrong token\n');
        if (target.path === API_PATH) return send(res, 426, 'the protocol is served over WebSocket at this path\n', undefined, { Upgrade: 'websocket' });
        return send(res, 404, 'not found\n');
      }
      if (opts.streams && target.path.startsWith(STREAM_PREFIX)) {
        // No token: the capability in the path is the key; remote peers only when the daemon is bound for them.
        return await handleStream(req, res, target.path, { files: opts.session, capabilities: opts.streams, allowRemote: !isLoopbackHost(opts.host), log });
      }
      await serveStatic(req, res, opts.staticRoot, target.path);
    } catch (err) {
      log(`http: ${(err as Error).message}`);
      if (!res.headersSent) send(res, 500, 'internal error\n');
      else res.destroy();
    }
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const target = splitTarget(req.url);
    if (closing) return refuseUpgrade(socket, 503, 'the daemon is stopping');
    if (!target || target.path !== API_PATH) return refuseUpgrade(socket, 404, 'not found');
    if (!policy!.hostAllowed(req.headers.host)) return refuseUpgrade(socket, 403, 'unexpected Host header');
    if (!tokenMatches(target.query.get('token'), opts.token)) return refuseUpgrade(socket, 401, 'missing or wrong token');
    if (!policy!.originAllowed(req.headers.origin, req.headers.host)) return refuseUpgrade(socket, 403, 'cross-origin WebSocket refused');
    if (clients.size >= maxClients) return refuseUpgrade(socket, 503, `too many clients (at most ${maxClients})`);
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  });

  function onConnection(ws: WebSocket): void {
    if (closing) return ws.close(1001, 'the daemon is stopping');
    alive.add(ws);
    const client = new ClientConnection(opts.session, ws, limits, (line) => log(`client: ${line}`));
    clients.set(ws, client);
    ws.on('message', (data, isBinary) => client.handle(isBinary ? null : textOf(data)));
    ws.on('pong', () => alive.add(ws));
    ws.on('error', (err) => log(`client: ${err.message}`));
    ws.on('close', () => {
      client.close();
      clients.delete(ws);
    });
  }

  // Connections that died without a close (a laptop lid shut) give their slot back.
  const pinger = setInterval(() => {
    for (const ws of clients.keys()) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, PING_INTERVAL_MS);
  pinger.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  policy = new OriginPolicy(opts.host, port);
  const origin = `http://${hostPort(opts.host, port)}`;
  if (opts.streams) opts.session.setStreamLinks(streamLinks(origin, opts.streams));

  return {
    host: opts.host,
    port,
    origin,
    browserUrl: `${origin}/#token=${opts.token}`,
    get clientCount() {
      return clients.size;
    },
    async close() {
      if (closing) return;
      closing = true;
      if (opts.streams) opts.session.setStreamLinks(null);
      clearInterval(pinger);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const [ws, client] of clients) {
        client.close();
        ws.close(1001, 'the daemon is stopping');
      }
      // Clients get a moment to answer the close frame; then whatever is left is cut.
      const deadline = Date.now() + 1000;
      while (clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const ws of clients.keys()) ws.terminate();
      server.closeAllConnections();
      wss.close();
      await closed;
    },
  };
}
