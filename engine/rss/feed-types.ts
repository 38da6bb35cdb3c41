import type { RssItem } from '../api/rss-types.js';

/** What the feed parser gives: one record per item, the protocol's RssItem before the engine adds its own state (read, downloaded). */
export type FeedItem = Pick<RssItem, 'id' | 'title' | 'link' | 'published' | 'torrentUrl' | 'magnet' | 'size'>;

export interface ParsedFeed {
  /** The channel's (RSS) or feed's (Atom) title; '' when it has none. */
  title: string;
  items: FeedItem[];
}

/** A feed that cannot be read: the message is one line and starts with "feed: ". */
export class FeedError extends Error {
  override name = 'FeedError';
  constructor(reason: string) {
    super(`feed: ${reason.replace(/\s+/g, ' ').trim()}`);
  }
}

/** Feeds larger than this are refused (the fetcher stops reading here too). */
export const MAX_FEED_BYTES = 5 * 1024 * 1024;
/** Items kept per feed (the newest, as feeds list them first); the rest are dropped. */
export const MAX_FEED_ITEMS = 500;
/** Longest title, link or id kept. */
export const MAX_FIELD_CHARS = 4096;
