import { existsSync, readFileSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Sent with every response: the built renderer needs nothing but its own origin. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy':
    // Media and subtitles may also come from the engine's stream server on loopback (issue 16), never from elsewhere.
    "default-src 'self'; connect-src 'self' http://127.0.0.1:* http://[::1]:* http://localhost:*; media-src 'self' blob: http://127.0.0.1:* http://[::1]:* http://localhost:*; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
});

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

/** The package root: the nearest folder above this file holding package.json (works from source and from dist/). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) {
      try {
        if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name === 'tessera') return dir;
      } catch {
        // not ours; keep looking
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the Tessera package root');
    dir = up;
  }
}

/** Where `npm run build` puts the renderer. */
export function defaultRendererDir(): string {
  return join(packageRoot(), 'dist', 'renderer');
}

export function rendererBuilt(root: string): boolean {
  return existsSync(join(root, 'index.html'));
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Tessera</title>
<p>The Tessera daemon is running, but the web interface has not been built.
Run <code>npm run build</code> in the Tessera folder, then reload this page.</p>`;

export function send(res: ServerResponse, status: number, body: string | Uint8Array, type = 'text/plain; charset=utf-8', extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(body)), ...extra });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/**
 * The file a URL path names inside `root`, or null. Rejects (rather than normalises) anything odd:
 * '..' or '.' segments, backslashes, NUL, encoded slashes, hidden files; and, after resolving
 * symbolic links, anything outside root.
 */
export async function resolveStatic(root: string, urlPath: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (!decoded.startsWith('/') || /[\\\0]/.test(decoded)) return null;
  const parts = decoded.slice(1).split('/');
  if (parts.length > 16 || parts.some((p) => p === '..' || p === '.' || p.startsWith('.'))) return null;
  if (parts[parts.length - 1] === '') parts[parts.length - 1] = 'index.html';
  if (parts.slice(0, -1).some((p) => p === '')) return null;
  const base = resolve(root);
  const candidate = resolve(base, ...parts);
  if (!candidate.startsWith(base + sep)) return null;
  try {
    const real = await realpath(candidate);
    const realBase = await realpath(base);
    if (!real.startsWith(realBase + sep)) return null;
    if (!(await stat(real)).isFile()) return null;
    return real;
  } catch {
    return null;
  }
}

/** GET/HEAD of the built renderer's files; no token needed, as they hold no data. */
export async function serveStatic(req: IncomingMessage, res: ServerResponse, root: string, pathname: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n', undefined, { Allow: 'GET, HEAD' });
  if (pathname === '/' && !rendererBuilt(root)) return send(res, 200, NOT_BUILT, 'text/html; charset=utf-8', { 'Cache-Control': 'no-cache' });
  const file = await resolveStatic(root, pathname);
  if (file === null) return send(res, 404, 'not found\n');
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    return send(res, 404, 'not found\n');
  }
  // The build's file names carry no content hash (app.js, app.css): revalidate everything, index.html above all.
  send(res, 200, body, TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream', { 'Cache-Control': 'no-cache' });
}
