/** The RSS part of the protocol (issue 17): feeds, their items and the download rules. Types only. */
import type { TorrentId } from './types.js';

export type RssFeedId = string;
export type RssRuleId = string;

/** One item of a feed as the engine keeps it. */
export interface RssItem {
  /** guid (RSS), id (Atom), else the link, else the title. */
  id: string;
  title: string;
  link: string | null;
  /** Epoch ms, or null when the feed gives no (readable) date. */
  published: number | null;
  /** A .torrent to fetch (enclosure, link ending .torrent, or the link). */
  torrentUrl: string | null;
  magnet: string | null;
  /** Bytes, from the enclosure length or a size element; null when unknown. */
  size: number | null;
  /** The user saw it (markRead) or it was downloaded. */
  read: boolean;
  /** The torrent it was added as, when it was. */
  downloaded: { id: TorrentId; name: string; at: number; ruleName: string | null } | null;
  /** Why adding it failed (a rule does not try again; "Download" does). */
  addError: string | null;
}

export interface RssFeedInfo {
  id: RssFeedId;
  url: string;
  name: string;
  /** Minutes between refreshes (at least 5). */
  intervalMinutes: number;
  status: 'idle' | 'refreshing' | 'ok' | 'error';
  /** The last refresh's problem in one line, kept until a refresh succeeds. */
  error: string | null;
  lastRefresh: number | null;
  items: RssItem[];
}

export interface RssRule {
  id: RssRuleId;
  name: string;
  enabled: boolean;
  /** Words: space = AND, `|` = OR; or a regular expression when useRegex. Empty: every title. */
  mustContain: string;
  mustNotContain: string;
  useRegex: boolean;
  /** "S01E01-", "1x01-05;2x03"; empty: no episode filter. */
  episodeFilter: string;
  /** Skip an episode the rule already downloaded, even from another release. */
  smartFilter: boolean;
  /** Feeds the rule applies to; empty: every feed. */
  feedIds: RssFeedId[];
  /** Absolute folder, or null for the default download folder. */
  savePath: string | null;
  category: string | null;
  addPaused: boolean;
  /** Episodes ("S01E02") this rule added, for the smart filter. */
  downloadedEpisodes: string[];
}

/** rssSetRules' entry: the engine keeps downloadedEpisodes itself. */
export type RssRuleInput = Omit<RssRule, 'downloadedEpisodes'>;

export interface RssState {
  feeds: RssFeedInfo[];
  rules: RssRule[];
}

export type RssCommand =
  | { type: 'rssAddFeed'; url: string; name?: string; intervalMinutes?: number }
  | { type: 'rssEditFeed'; feedId: RssFeedId; url?: string; name?: string; intervalMinutes?: number }
  | { type: 'rssRemoveFeed'; feedId: RssFeedId }
  /** Fetches now and answers when done; rules run on the new items. */
  | { type: 'rssRefresh'; feedIds: RssFeedId[] | 'all' }
  | { type: 'rssList' }
  /** Replaces every rule (the Rules dialog saves them all at once). */
  | { type: 'rssSetRules'; rules: RssRuleInput[] }
  | { type: 'rssMarkRead'; feedId: RssFeedId; itemIds: string[] | 'all' }
  /** Adds this item now (its magnet or its .torrent), whatever the rules say. */
  | { type: 'rssDownload'; feedId: RssFeedId; itemId: string }
  /** Which listed items a rule (saved or not) would take now: the Rules dialog's live preview. */
  | { type: 'rssPreview'; rule: RssRuleInput };

export interface RssResultOf {
  rssAddFeed: RssFeedInfo;
  rssEditFeed: null;
  rssRemoveFeed: null;
  rssRefresh: null;
  rssList: RssState;
  rssSetRules: RssRule[];
  rssMarkRead: null;
  rssDownload: { id: TorrentId; name: string };
  /** `error`: why the rule cannot match (a bad pattern), in one line; then `matches` is empty. */
  rssPreview: { matches: { feedId: RssFeedId; itemId: string }[]; error: string | null };
}

export type RssNotice =
  /** A rule (or the user, ruleName null) added a feed item. */
  | { type: 'rssAdded'; feedId: RssFeedId; itemTitle: string; ruleName: string | null; id: TorrentId; name: string }
  /** A feed's items or status changed (a refresh ended): a Feeds view reloads with rssList. */
  | { type: 'rssFeedUpdated'; feedId: RssFeedId; error: string | null };
