/**
 * Turning open targets into the renderer's OpenRequests: reading .torrent files with a size cap, and
 * holding requests until the renderer says it is ready.
 */
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { LIMITS } from '../engine/api/validate.js';
import type { OpenRequest } from '../renderer/api/bridge.js';
import type { OpenTarget } from './argv.js';

export const MAX_TORRENT_FILE_BYTES = LIMITS.maxTorrentBytes;

export type ReadResult = { ok: true; request: OpenRequest } | { ok: false; message: string };

function mib(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

/** Reads a .torrent (never more than the cap plus one byte) or wraps a magnet link. */
export async function readOpenTarget(target: OpenTarget, maxBytes = MAX_TORRENT_FILE_BYTES): Promise<ReadResult> {
  if (target.kind === 'magnet') return { ok: true, request: { kind: 'magnet', uri: target.uri } };
  const name = basename(target.path);
  let fh;
  try {
    fh = await open(target.path, 'r');
  } catch (e) {
    return { ok: false, message: `Could not open “${target.path}”: ${reason(e)}` };
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return { ok: false, message: `“${target.path}” is not a file.` };
    if (st.size > maxBytes) return { ok: false, message: `“${name}” is too large to be a torrent file (${mib(st.size)}; the limit is ${mib(maxBytes)}).` };
    // Read to the cap + 1 even if stat said less: the file may be growing.
    const buf = Buffer.alloc(Math.min(maxBytes + 1, Math.max(st.size, 64 * 1024)));
    let len = 0;
    for (;;) {
      if (len === buf.length) break;
      const { bytesRead } = await fh.read(buf, len, buf.length - len, len);
      if (bytesRead === 0) break;
      len += bytesRead;
    }
    if (len > maxBytes) return { ok: false, message: `“${name}” is too large to be a torrent file (the limit is ${mib(maxBytes)}).` };
    if (len === 0) return { ok: false, message: `“${name}” is empty.` };
    return { ok: true, request: { kind: 'torrent', name, data: new Uint8Array(buf.buffer, buf.byteOffset, len).slice() } };
  } catch (e) {
    return { ok: false, message: `Could not read “${target.path}”: ${reason(e)}` };
  } finally {
    await fh.close().catch(() => undefined);
  }
}

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return 'the file does not exist';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a folder';
  return e instanceof Error ? e.message : String(e);
}

/** Requests wait here until the renderer calls ready(); a reload makes it wait again. */
export class OpenQueue {
  private readonly pending: OpenRequest[] = [];
  private deliver: ((r: OpenRequest) => void) | null = null;

  constructor(private readonly max = 100) {}

  /** Returns false when the request was dropped because too many are waiting. */
  push(request: OpenRequest): boolean {
    if (this.deliver) {
      this.deliver(request);
      return true;
    }
    if (this.pending.length >= this.max) return false;
    this.pending.push(request);
    return true;
  }

  /** The renderer is ready: deliver what waited, in order, and everything after directly. */
  ready(deliver: (r: OpenRequest) => void): void {
    this.deliver = deliver;
    for (const r of this.pending.splice(0)) deliver(r);
  }

  /** The renderer went away (reload, crash, window closed): queue again. */
  notReady(): void {
    this.deliver = null;
  }

  get size(): number {
    return this.pending.length;
  }
}
