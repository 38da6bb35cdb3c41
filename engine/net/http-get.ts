/**
 * One HTTP(S) GET with redirects, an overall deadline and a body size cap, over node:http / node:https
 * (only net/ opens sockets). The tracker client uses it for announces and scrapes.
 */
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';

/** Why a GET failed; the tracker client's error kinds include these. */
export type HttpGetFailure = 'timeout' | 'aborted' | 'network' | 'http' | 'protocol' | 'unsupported';

/** A failed GET: a one-line reason (no URL: the caller names what it asked) and its kind. */
export class HttpGetError extends Error {
  override name = 'HttpGetError';
  constructor(
    message: string,
    readonly kind: HttpGetFailure,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface HttpGetOptions {
  /** Overall deadline, redirects included. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Body cap in bytes, before and after decompression. */
  readonly maxBytes: number;
  readonly maxRedirects: number;
  readonly userAgent: string;
  /** More request headers (conditional GET: if-none-match, if-modified-since). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface HttpGetResult {
  /** The final status (after redirects). */
  readonly status: number;
  readonly body: Uint8Array;
  /** The final response's headers. */
  readonly headers?: http.IncomingHttpHeaders;
}

/** GET with redirects, an overall deadline and a size cap. Resolves with the final status and body (gzip/deflate undone). */
export function httpGet(url: string, opts: HttpGetOptions): Promise<HttpGetResult> {
  const { maxBytes, maxRedirects } = opts;
  return new Promise((resolve, reject) => {
    let done = false;
    let current: http.ClientRequest | undefined;
    const finish = (err: HttpGetError | undefined, value?: HttpGetResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      current?.destroy();
      if (err) reject(err);
      else resolve(value!);
    };
    const onAbort = () => finish(new HttpGetError('aborted', 'aborted'));
    const timer = setTimeout(() => finish(new HttpGetError('timed out', 'timeout')), opts.timeoutMs);
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    const get = (target: string, redirects: number) => {
      let u: URL;
      try {
        u = new URL(target);
      } catch {
        return finish(new HttpGetError('invalid URL', 'unsupported'));
      }
      const mod = u.protocol === 'http:' ? http : u.protocol === 'https:' ? https : undefined;
      if (!mod) return finish(new HttpGetError(`unsupported scheme ${u.protocol}`, 'unsupported'));
      let req: http.ClientRequest;
      try {
        req = mod.get(u, { headers: { ...opts.headers, 'user-agent': opts.userAgent, 'accept-encoding': 'gzip', connection: 'close' }, agent: false });
      } catch (err) {
        return finish(new HttpGetError((err as Error).message, 'network', { cause: err }));
      }
      current = req;
      req.on('error', (err) => finish(new HttpGetError(err.message, 'network', { cause: err })));
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if ([301, 302, 303, 307, 308].includes(status) && location) {
          res.resume();
          if (redirects >= maxRedirects) return finish(new HttpGetError(`more than ${maxRedirects} redirects`, 'http'));
          let next: string;
          try {
            next = new URL(location, u).toString();
          } catch {
            return finish(new HttpGetError('bad redirect location', 'http'));
          }
          req.destroy();
          return get(next, redirects + 1);
        }
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > maxBytes) {
          return finish(new HttpGetError(`response of ${declared} bytes exceeds the ${maxBytes}-byte limit`, 'protocol'));
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) return finish(new HttpGetError(`response exceeds the ${maxBytes}-byte limit`, 'protocol'));
          chunks.push(chunk);
        });
        res.on('error', (err) => finish(new HttpGetError(err.message, 'network', { cause: err })));
        res.on('end', () => {
          if (done) return;
          let body: Buffer = Buffer.concat(chunks, size);
          const enc = String(res.headers['content-encoding'] ?? '').toLowerCase();
          if (enc === 'gzip' || enc === 'x-gzip' || enc === 'deflate') {
            try {
              body = enc === 'deflate' ? zlib.inflateSync(body, { maxOutputLength: maxBytes }) : zlib.gunzipSync(body, { maxOutputLength: maxBytes });
            } catch (err) {
              return finish(new HttpGetError(`cannot decompress the response: ${(err as Error).message}`, 'protocol', { cause: err }));
            }
          }
          finish(undefined, { status, body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength), headers: res.headers });
        });
      });
    };
    get(url, 0);
  });
}
