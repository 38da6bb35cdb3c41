/** rss.json in the data dir: feeds with their items and validators, and the rules. Written atomically. */
import { join } from 'node:path';
import type { RssFeedInfo, RssRule } from '../api/rss-types.js';
import { readFileIfExists, writeFileAtomic } from '../storage/resume/atomic-file.js';

/** A feed as kept: what the protocol shows plus the conditional-GET validators. */
export interface StoredFeed extends Omit<RssFeedInfo, 'status'> {
  etag: string | null;
  lastModified: string | null;
}

export interface RssData {
  feeds: StoredFeed[];
  rules: RssRule[];
}

const VERSION = 1;

export class RssStore {
  private readonly path: string;
  private writing: Promise<void> = Promise.resolve();

  constructor(dataDir: string, private readonly log: (line: string) => void) {
    this.path = join(dataDir, 'rss.json');
  }

  /** The saved state; a missing file is an empty one, an unreadable one is logged and set aside as empty. */
  async load(): Promise<RssData> {
    const bytes = await readFileIfExists(this.path).catch((err: Error) => {
      this.log(`rss: cannot read ${this.path}: ${err.message}`);
      return null;
    });
    if (!bytes) return { feeds: [], rules: [] };
    try {
      const parsed = JSON.parse(Buffer.from(bytes).toString('utf8')) as { version?: unknown; feeds?: unknown; rules?: unknown };
      if (parsed.version !== VERSION || !Array.isArray(parsed.feeds) || !Array.isArray(parsed.rules)) throw new Error('not a version 1 rss.json');
      // Our own file, written by save(): trusted in shape.
      return { feeds: parsed.feeds as StoredFeed[], rules: parsed.rules as RssRule[] };
    } catch (err) {
      this.log(`rss: ${this.path} is damaged (${(err as Error).message}); starting with no feeds`);
      return { feeds: [], rules: [] };
    }
  }

  /** Saves; writes are serialised so an older state never lands after a newer one. */
  save(data: RssData): Promise<void> {
    const text = JSON.stringify({ version: VERSION, feeds: data.feeds, rules: data.rules });
    this.writing = this.writing.then(() => writeFileAtomic(this.path, text)).catch((err: Error) => this.log(`rss: could not save ${this.path}: ${err.message}`));
    return this.writing;
  }
}
