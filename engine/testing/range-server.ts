/**
 * A small Range-capable HTTP file server for web seed tests (Python's http.server does not do Range), with
 * switchable misbehaviour: corrupt bytes, 503 with Retry-After, redirect chains, huge headers, a wrong
 * Content-Range, an endless body, a rate limit. Serves one folder on 127.0.0.1; counts what it served.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { open } from 'node:fs/promises';
import { resolve, sep } from 'node:path';

export type RangeServerMisbehaviour = 'none' | 'corrupt' | 'huge-headers' | 'wrong-range' | 'endless-body';

export interface RangeServerOptions {
  /** Folder whose files are served under `/files/`. */
  readonly root: string;
  misbehaviour?: RangeServerMisbehaviour;
  /** The first this many requests get 503 with `Retry-After: retryAfterSeconds`. */
  busyRequests?: number;
  retryAfterSeconds?: number;
  /** Every request first goes through this many redirects (302). */
  redirects?: number;
  /** Bytes per second per response at most (0: unlimited). */
  rateBytesPerSecond?: number;
  /** Serve HTTPS with this key and certificate (PEM). */
  readonly tls?: { readonly key: string; readonly cert: string };
}

export interface RangeServerStats {
  requests: number;
  busyAnswers: number;
  redirectsSent: number;
  bodyBytes: number;
  /** Most requests being answered at once. */
  peakConcurrent: number;
  /** Clock times (Date.now) of each request for a file (after redirects). */
  readonly requestTimes: number[];
}

export class RangeServer {
  readonly stats: RangeServerStats = { requests: 0, busyAnswers: 0, redirectsSent: 0, bodyBytes: 0, peakConcurrent: 0, requestTimes: [] };
  readonly opts: RangeServerOptions;
  private readonly server: http.Server | https.Server;
  private concurrent = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(opts: RangeServerOptions) {
    this.opts = opts;
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res);
    this.server = opts.tls ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, handler) : http.createServer(handler);
  }

  async listen(): Promise<void> {
    await new Promise<void>((ok) => this.server.listen(0, '127.0.0.1', ok));
  }

  /** Base URL of the served folder, with a trailing slash. */
  get base(): string {
    return `${this.opts.tls ? 'https' : 'http'}://127.0.0.1:${(this.server.address() as AddressInfo).port}/files/`;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.server.closeAllConnections();
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const stats = this.stats;
    stats.requests++;
    const url = new URL(req.url ?? '/', 'http://x');
    const hop = Number(url.searchParams.get('hop') ?? '0');
    if (hop < (this.opts.redirects ?? 0)) {
      stats.redirectsSent++;
      url.searchParams.set('hop', String(hop + 1));
      res.writeHead(302, { location: url.pathname + url.search, 'content-length': 0 });
      return void res.end();
    }
    if (stats.busyAnswers < (this.opts.busyRequests ?? 0)) {
      stats.busyAnswers++;
      res.writeHead(503, { 'retry-after': String(this.opts.retryAfterSeconds ?? 1), 'content-length': 0 });
      return void res.end();
    }
    if (!url.pathname.startsWith('/files/')) return notFound(res);
    const path = resolve(this.opts.root, ...decodeURIComponent(url.pathname.slice('/files/'.length)).split('/'));
    if (!path.startsWith(resolve(this.opts.root) + sep)) return notFound(res);
    let file;
    try {
      file = await open(path, 'r');
    } catch {
      return notFound(res);
    }
    this.concurrent++;
    stats.peakConcurrent = Math.max(stats.peakConcurrent, this.concurrent);
    stats.requestTimes.push(Date.now());
    try {
      const size = (await file.stat()).size;
      const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
      const start = m ? Number(m[1]) : 0;
      const end = m && m[2] !== '' ? Math.min(Number(m[2]), size - 1) : size - 1;
      if (start > end) {
        res.writeHead(416, { 'content-range': `bytes */${size}` });
        return void res.end();
      }
      const body = Buffer.alloc(end - start + 1);
      await file.read(body, 0, body.length, start);
      await this.send(res, body, start, end, size, m !== null);
    } finally {
      this.concurrent--;
      await file.close();
    }
  }

  private async send(res: http.ServerResponse, body: Buffer, start: number, end: number, size: number, ranged: boolean): Promise<void> {
    const misbehaviour = this.opts.misbehaviour ?? 'none';
    const headers: http.OutgoingHttpHeaders = { 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' };
    if (misbehaviour === 'huge-headers') {
      for (let i = 0; i < 64; i++) headers[`x-filler-${i}`] = 'x'.repeat(1000);
    }
    if (misbehaviour === 'corrupt' && body.length > 0) body[body.length >> 1] ^= 0xff;
    if (misbehaviour === 'endless-body') {
      res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${size}` });
      // The range asked for, then chunked filler never ending: the client must stop reading once it has more than it asked for.
      res.write(body);
      const chunk = Buffer.alloc(64 * 1024, 0x55);
      const pump = () => {
        if (res.destroyed) return;
        while (res.write(chunk)) this.stats.bodyBytes += chunk.length;
        res.once('drain', pump);
      };
      pump();
      await new Promise<void>((ok) => res.once('close', ok));
      return;
    }
    const range = misbehaviour === 'wrong-range' ? `bytes ${start + 1}-${end + 1}/${size}` : `bytes ${start}-${end}/${size}`;
    res.writeHead(ranged ? 206 : 200, { ...headers, 'content-length': body.length, ...(ranged ? { 'content-range': range } : {}) });
    const rate = this.opts.rateBytesPerSecond ?? 0;
    if (rate <= 0) {
      this.stats.bodyBytes += body.length;
      res.end(body);
      return;
    }
    // Rate-limited: 10 slices a second.
    const slice = Math.max(1, Math.floor(rate / 10));
    for (let at = 0; at < body.length && !res.destroyed; at += slice) {
      const part = body.subarray(at, at + slice);
      res.write(part);
      this.stats.bodyBytes += part.length;
      await new Promise<void>((ok) => {
        const t = setTimeout(() => {
          this.timers.delete(t);
          ok();
        }, 100);
        this.timers.add(t);
      });
    }
    res.end();
  }
}

function notFound(res: http.ServerResponse): void {
  res.writeHead(404, { 'content-length': 0 });
  res.end();
}
