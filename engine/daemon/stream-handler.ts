/**
 * HTTP streams of torrent files: GET/HEAD /stream/<capability>/<infoHashHex>/<fileIndex>/<file name>. The capability
 * (stream-capability.ts) replaces the token, so players (VLC, mpv, a <video> element) need no cookie or header; the
 * name at the end is only for the player's title and its guess of the format. Range requests per stream-range.ts;
 * the body is read in chunks, each written before the next is read (the socket's pace, never the whole file in
 * memory), through a reader whose reads wait for their pieces and pull them ahead (engine/torrent/readers.ts).
 * The client going away closes the reader.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../session/api-error.js';
import type { StreamFile } from '../session/stream-files.js';
import { ReaderClosedError, type FileReader } from '../torrent/readers.js';
import { isLoopbackHost } from './origin.js';
import type { StreamCapabilities } from './stream-capability.js';
import { contentRange, decideRange } from './stream-range.js';

export const STREAM_PREFIX = '/stream/';
/** Bytes read and written per step. */
const CHUNK = 256 * 1024;
const PATH_RE = /^\/stream\/([0-9a-f]{64})\/([0-9a-f]{40})\/(0|[1-9][0-9]{0,8})(?:\/[^/]*)?$/;

export interface StreamHandlerOptions {
  readonly files: { streamFile(infoHashHex: string, fileIndex: number): StreamFile | null };
  readonly capabilities: StreamCapabilities;
  /** False (the default host setup): requests from a non-loopback address are refused. */
  readonly allowRemote: boolean;
  /** For tests: the peer address of a request (default: its socket's). */
  readonly remoteAddressOf?: (req: IncomingMessage) => string | undefined;
  readonly log?: (line: string) => void;
}

/** May a request from `remoteAddress` be served? Only loopback unless remote access is on. */
export function streamClientAllowed(remoteAddress: string | undefined, allowRemote: boolean): boolean {
  if (allowRemote) return true;
  return remoteAddress !== undefined && isLoopbackHost(remoteAddress);
}

function plain(res: ServerResponse, status: number, message: string, extra: Record<string, string> = {}): void {
  const body = `${message}\n`;
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)), 'Cache-Control': 'no-store', ...extra });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/** `Content-Disposition` for a UTF-8 name (RFC 6266 / 8187), with an ASCII fallback. */
function disposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `inline; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** Serves one stream request (the path starts with STREAM_PREFIX). Never throws. */
export async function handleStream(req: IncomingMessage, res: ServerResponse, path: string, opts: StreamHandlerOptions): Promise<void> {
  const remote = opts.remoteAddressOf ? opts.remoteAddressOf(req) : req.socket.remoteAddress;
  if (!streamClientAllowed(remote, opts.allowRemote)) return plain(res, 403, 'streams are served to this machine only (remote access is off)');
  if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'only GET and HEAD', { Allow: 'GET, HEAD' });
  const m = PATH_RE.exec(path);
  if (!m) return plain(res, 403, 'a stream address needs its capability: /stream/<capability>/<info hash>/<file index>/<name> (ask the engine for its stream URL)');
  const [, capability, infoHash, indexText] = m;
  const index = Number(indexText);
  if (!opts.capabilities.matches(capability, infoHash, index)) return plain(res, 403, 'wrong capability for this file: ask the engine for its stream URL again');
  const file = opts.files.streamFile(infoHash, index);
  if (!file) return plain(res, 404, 'no such torrent or file');

  const decision = decideRange(req.headers.range, file.length);
  const headers: Record<string, string> = {
    'Content-Type': file.contentType,
    'Accept-Ranges': 'bytes',
    'Content-Disposition': disposition(file.name),
    'Cache-Control': 'no-store',
    // The capability is the secret; a page of another origin (the desktop app's, for subtitles) may read it.
    'Access-Control-Allow-Origin': '*',
    'X-Content-Type-Options': 'nosniff',
  };
  if (decision.kind === 'unsatisfiable') {
    res.writeHead(416, { ...headers, 'Content-Range': contentRange(decision, file.length)!, 'Content-Length': '0' });
    return void res.end();
  }
  const start = decision.kind === 'partial' ? decision.start : 0;
  const end = decision.kind === 'partial' ? decision.end + 1 : file.length;
  if (decision.kind === 'partial') headers['Content-Range'] = contentRange(decision, file.length)!;
  headers['Content-Length'] = String(end - start);
  const status = decision.kind === 'partial' ? 206 : 200;
  if (req.method === 'HEAD' || end === start) {
    res.writeHead(status, headers);
    return void res.end();
  }

  let reader: FileReader;
  try {
    reader = await file.open();
  } catch (err) {
    if (err instanceof ApiError || err instanceof ReaderClosedError) return plain(res, 503, err.message, { 'Retry-After': '5' });
    throw err;
  }
  if (req.socket.destroyed || res.destroyed) return reader.close('the client went away');
  res.on('close', () => reader.close(res.writableFinished ? 'the stream ended' : 'the client went away'));
  res.writeHead(status, headers);
  const buf = Buffer.allocUnsafe(Math.min(CHUNK, end - start));
  try {
    for (let at = start; at < end; ) {
      const n = Math.min(buf.length, end - at);
      const chunk = n === buf.length ? buf : buf.subarray(0, n);
      await reader.read(at, chunk);
      if (res.destroyed) return;
      // Written (handed to the socket) before the buffer is reused: the client's pace sets ours.
      await new Promise<void>((resolve, reject) => res.write(chunk, (err) => (err ? reject(err) : resolve())));
      at += n;
    }
    res.end();
  } catch (err) {
    if (!(err instanceof ReaderClosedError)) opts.log?.(`stream ${infoHash}/${index}: ${(err as Error).message}`);
    res.destroy();
  } finally {
    reader.close();
  }
}
