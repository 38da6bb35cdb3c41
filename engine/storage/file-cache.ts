import { closeSync, constants, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

/** O_DIRECT where the platform has it (Linux, FreeBSD), else 0. */
const DIRECT_FLAG: number = constants.O_DIRECT ?? 0;

/** Direct descriptors live in the same LRU under their own key. */
function directKey(path: string): string {
  return `${path}\0direct`;
}

interface Entry {
  readonly key: string;
  readonly fd: number;
  readonly writable: boolean;
  busy: number;
  /** Out of the LRU (a writer needed the path while this read-only descriptor was busy): closes on its last release. */
  retired: boolean;
}

/**
 * An LRU cache of open file descriptors. Files are created on first write; reads
 * of a missing file report it instead of creating it. A descriptor with I/O in
 * flight is never closed under it: callers pair `acquire` with `release(fd)`.
 */
export class FileHandleCache {
  /** By path (or direct key), least recently used first. */
  private readonly open = new Map<string, Entry>();
  /** Every descriptor not yet closed, retired ones included: what `release` pairs with. */
  private readonly byFd = new Map<number, Entry>();

  constructor(private readonly maxOpen = 64) {}

  /** Returns an fd, or -1 when the file does not exist and `create` is false. */
  acquire(path: string, create: boolean): number {
    let entry = this.open.get(path);
    if (entry && create && !entry.writable) {
      // A read opened the file read-only: writing through that descriptor fails with EBADF. Reads in flight keep
      // it until they release it; the writer, and everyone after, gets a writable one.
      this.retire(entry);
      entry = undefined;
    }
    if (entry) {
      this.open.delete(path);
      this.open.set(path, entry);
      entry.busy++;
      return entry.fd;
    }
    let fd: number;
    try {
      fd = openSync(path, create ? 'r+' : 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      if (!create) return -1;
      mkdirSync(dirname(path), { recursive: true });
      fd = openSync(path, 'w+');
    }
    this.add(path, fd, create);
    return fd;
  }

  /**
   * Returns an fd opened for direct writes (O_DIRECT: no copy into the page cache), creating the file, or -1 when
   * the platform or the file system has no direct I/O (the caller then writes through the page cache). Pair with
   * `release(fd)`.
   */
  acquireDirect(path: string): number {
    if (DIRECT_FLAG === 0) return -1;
    const key = directKey(path);
    const entry = this.open.get(key);
    if (entry) {
      this.open.delete(key);
      this.open.set(key, entry);
      entry.busy++;
      return entry.fd;
    }
    let fd: number;
    try {
      fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | DIRECT_FLAG, 0o666);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EINVAL' || code === 'EOPNOTSUPP') return -1;
      if (code !== 'ENOENT') throw err;
      mkdirSync(dirname(path), { recursive: true });
      fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | DIRECT_FLAG, 0o666);
    }
    this.add(key, fd, true);
    return fd;
  }

  /** Ends one use of `fd` (as acquire returned it: the path may have another descriptor by now). */
  release(fd: number): void {
    const entry = this.byFd.get(fd);
    if (!entry) return;
    if (entry.busy > 0) entry.busy--;
    if (entry.retired && entry.busy === 0) this.closeEntry(entry);
  }

  private add(key: string, fd: number, writable: boolean): void {
    const entry: Entry = { key, fd, writable, busy: 1, retired: false };
    this.open.set(key, entry);
    this.byFd.set(fd, entry);
    this.trim();
  }

  private trim(): void {
    if (this.open.size <= this.maxOpen) return;
    for (const entry of this.open.values()) {
      if (this.open.size <= this.maxOpen) break;
      if (entry.busy === 0) this.retire(entry);
    }
  }

  /** Takes an entry out of the LRU; it closes now when idle, else on its last release. */
  private retire(entry: Entry): void {
    this.open.delete(entry.key);
    entry.retired = true;
    if (entry.busy === 0) this.closeEntry(entry);
  }

  private closeEntry(entry: Entry): void {
    this.byFd.delete(entry.fd);
    try {
      closeSync(entry.fd);
    } catch {
      /* already closed */
    }
  }

  closeAll(): void {
    for (const { fd } of this.byFd.values()) {
      try {
        closeSync(fd);
      } catch {
        /* already closed */
      }
    }
    this.open.clear();
    this.byFd.clear();
  }
}
