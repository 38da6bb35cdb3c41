// Test-only: a loopback HTTP server for feed tests: routes of fixed bodies, a 100 MB feed streamed in
// chunks (never held in memory), conditional-GET answers, and small real .torrent files.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { encode } from '../bencode/index.js';

/** A single-file .torrent of `length` zero bytes named `name` (valid metainfo, nobody seeds it). */
export function tinyTorrent(name: string, length = 1000): Uint8Array {
  const pieceLength = 16_384;
  const pieces: Buffer[] = [];
  for (let at = 0; at < length; at += pieceLength) pieces.push(createHash('sha1').update(Buffer.alloc(Math.min(pieceLength, length - at))).digest());
  return encode({ info: { name: Buffer.from(name), length, 'piece length': pieceLength, pieces: Buffer.concat(pieces) } });
}

export interface FeedServer {
  readonly base: string;
  /** Requests per path. */
  readonly hits: Map<string, number>;
  /** How many GETs got a 304. */
  notModified: number;
  /** Bytes the streamed 100 MB route actually wrote before the client hung up. */
  streamedBytes: number;
  set(path: string, body: string | Uint8Array, type?: string): void;
  close(): Promise<void>;
}

/** `/huge.xml` streams a 100 MB feed (no content-length); other paths are what set() put there. */
export async function startFeedServer(): Promise<FeedServer> {
  const routes = new Map<string, { body: Buffer; type: string; etag: string }>();
  const state = { notModified: 0, streamedBytes: 0 };
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (path === '/huge.xml') return streamHuge(res, (n) => (state.streamedBytes += n));
    const route = routes.get(path);
    if (!route) return res.writeHead(404).end('not found');
    if (req.headers['if-none-match'] === route.etag) {
      state.notModified++;
      return res.writeHead(304, { etag: route.etag }).end();
    }
    res.writeHead(200, { 'content-type': route.type, etag: route.etag, 'content-length': route.body.length }).end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    hits,
    get notModified() {
      return state.notModified;
    },
    get streamedBytes() {
      return state.streamedBytes;
    },
    set(path, body, type = 'application/rss+xml') {
      const buf = Buffer.from(body);
      routes.set(path, { body: buf, type, etag: `"${createHash('sha1').update(buf).digest('hex').slice(0, 16)}"` });
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  } as FeedServer;
}

const HUGE_BYTES = 100 * 1024 * 1024;

function streamHuge(res: http.ServerResponse, wrote: (n: number) => void): void {
  res.writeHead(200, { 'content-type': 'application/rss+xml' });
  const item = Buffer.from('<item><title>filler S01E01</title><guid>x</guid></item>\n'.repeat(1000));
  let sent = 0;
  res.write('<rss version="2.0"><channel><title>huge</title>\n');
  const pump = (): void => {
    while (sent < HUGE_BYTES) {
      sent += item.length;
      wrote(item.length);
      if (!res.write(item)) return void res.once('drain', pump);
    }
    res.end('</channel></rss>');
  };
  res.on('close', () => (sent = HUGE_BYTES + 1));
  pump();
}
