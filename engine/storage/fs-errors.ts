import { accessSync, constants, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * One-line messages for file system failures, saying what happened to which folder and what to do, instead of a
 * raw errno naming whichever internal file failed first. Shared by the CLI (a bad --out) and the engine (a torrent
 * that cannot write), so the UI and the terminal say the same thing.
 */
export function describeFsError(err: unknown, folder?: string): string {
  const e = realCause(err) as NodeJS.ErrnoException | null;
  const where = folder ?? e?.path ?? 'the download folder';
  switch (e?.code) {
    case 'EROFS':
      return `${where} is on a read-only file system: choose a folder you can write to`;
    case 'EACCES':
    case 'EPERM':
      return `no permission to write in ${where}: choose another folder or change its permissions`;
    case 'ENOSPC':
      return `the disk holding ${where} is full: free some space, then resume`;
    case 'EDQUOT':
      return `your disk quota on ${where} is used up: free some space, then resume`;
    case 'ENOTDIR':
      return `${where} is not a folder (it or a folder above it is a file)`;
    case 'ENOENT':
      return `${where} does not exist (was it deleted, or is its disk unmounted?)`;
    case 'EIO':
      return `the disk holding ${where} reports an I/O error: check the disk`;
    default:
      return e instanceof Error ? e.message : String(err);
  }
}

/**
 * A recursive mkdir on a read-only file system fails with ENOENT for the first folder it cannot make; the real
 * cause is the nearest existing folder above it, which cannot be written (EROFS, EACCES) or is a file (ENOTDIR).
 */
function realCause(err: unknown): unknown {
  const e = err as NodeJS.ErrnoException | null;
  if (e?.code !== 'ENOENT' || e.syscall !== 'mkdir' || typeof e.path !== 'string') return err;
  for (let d = dirname(e.path); ; d = dirname(d)) {
    const s = statSync(d, { throwIfNoEntry: false });
    if (s) {
      if (!s.isDirectory()) return Object.assign(new Error(`${d} is a file`), { code: 'ENOTDIR', path: e.path });
      try {
        accessSync(d, constants.W_OK);
        return err;
      } catch (cause) {
        return cause;
      }
    }
    if (dirname(d) === d) return err;
  }
}

/**
 * Error codes that mean the volume under a folder went away rather than the folder being wrong: the disk was
 * unmounted or unplugged (ENOENT on a folder that existed, ENODEV, ENXIO), it fails (EIO), or a network share
 * dropped (ESTALE, ENOTCONN, EHOSTDOWN). A torrent seeing one waits for the volume instead of failing.
 */
const VOLUME_GONE_CODES: ReadonlySet<string> = new Set(['ENOENT', 'EIO', 'ENODEV', 'ENXIO', 'ESTALE', 'ENOTCONN', 'EHOSTDOWN']);

export function isVolumeGoneCode(code: string | undefined): boolean {
  return code !== undefined && VOLUME_GONE_CODES.has(code);
}
