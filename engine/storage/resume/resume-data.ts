import type { Settings } from '../../api/types.js';
import type { ResumeRecord } from './resume-record.js';
import type { FlushResult, LoadResult } from './resume-store.js';

/**
 * What the session asks of its resume data: the settings, one record and one .torrent per torrent.
 * Saves are coalesced and written by flush (see resume-store.ts, the file implementation); the
 * session and its per-torrent lifecycle see only this.
 */
export interface ResumeData {
  loadSettings(): Promise<unknown>;
  saveSettings(settings: Readonly<Settings>): Promise<void>;
  /** Every valid record, plus what was skipped and the .torrent files left without a record. */
  loadAll(): Promise<LoadResult>;
  loadMetainfo(id: string): Promise<Uint8Array | null>;
  saveMetainfo(id: string, bytes: Uint8Array): Promise<void>;
  /** Remembers the newest record of a torrent; written by the next flush. */
  save(record: ResumeRecord): void;
  remove(id: string): Promise<void>;
  flush(): Promise<FlushResult>;
  /** Records saved but not written yet. */
  readonly pendingCount: number;
}
