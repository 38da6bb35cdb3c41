/**
 * One small HTTP POST with a deadline and a reply size cap (only net/ opens sockets): the UPnP client sends its
 * SOAP actions with it. No redirects, no compression; any status is returned with its body (SOAP faults come as 500).
 */
import http from 'node:http';
import { HttpGetError } from './http-get.js';

export interface HttpPostOptions {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
  /** Reply body cap in bytes. */
  readonly maxBytes: number;
  readonly signal?: AbortSignal;
}

export interface HttpPostResult {
  readonly status: number;
  readonly body: string;
  /** Our address on the connection (for UPnP: the LAN address the router sees). */
  readonly localAddress: string;
}

/** POSTs to an http:// URL; rejects with an HttpGetError (kinds as for GET) on failure, timeout or an oversized reply. */
export function httpPost(url: URL, opts: HttpPostOptions): Promise<HttpPostResult> {
  return new Promise((resolve, reject) => {
    if (url.protocol !== 'http:') return reject(new HttpGetError(`unsupported scheme ${url.protocol}`, 'unsupported'));
    let done = false;
    const body = Buffer.from(opts.body, 'utf8');
    const req = http.request(url, {
      method: 'POST',
      agent: false,
      headers: { ...opts.headers, 'content-length': String(body.length), connection: 'close' },
    });
    const finish = (err: HttpGetError | undefined, value?: HttpPostResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      req.destroy();
      if (err) reject(err);
      else resolve(value!);
    };
    const onAbort = (): void => finish(new HttpGetError('aborted', 'aborted'));
    const timer = setTimeout(() => finish(new HttpGetError('timed out', 'timeout')), opts.timeoutMs);
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => finish(new HttpGetError(err.message, 'network', { cause: err })));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > opts.maxBytes) return finish(new HttpGetError(`reply exceeds the ${opts.maxBytes}-byte limit`, 'protocol'));
        chunks.push(chunk);
      });
      res.on('error', (err) => finish(new HttpGetError(err.message, 'network', { cause: err })));
      res.on('end', () => finish(undefined, { status: res.statusCode ?? 0, body: Buffer.concat(chunks, size).toString('utf8'), localAddress: req.socket?.localAddress ?? '' }));
    });
    req.end(body);
  });
}
