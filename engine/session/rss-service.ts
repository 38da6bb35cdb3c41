/**
 * RSS feeds for the session (issue 17): refresh on each feed's interval with a conditional GET, keep
 * the items and each feed's last error, run the download rules over new items and add what they take
 * through the session's own add. A hostile feed costs only its own error line: parse and fetch errors
 * are caught per feed. State lives in rss.json (RssStore).
 */
import { randomBytes } from 'node:crypto';
import type { RssCommand, RssFeedInfo, RssItem, RssNotice, RssResultOf, RssRule, RssRuleInput, RssState } from '../api/rss-types.js';
import type { AddSource, Command, ResultOf } from '../api/types.js';
import { LIMITS } from '../api/limits.js';
import { fetchFeed, fetchTorrentFile } from '../net/feed-fetch.js';
import { parseFeed } from '../rss/parse-feed.js';
import { MAX_FEED_BYTES, MAX_FEED_ITEMS, type FeedItem } from '../rss/feed-types.js';
import { compileRule, judge, type CompiledRule } from '../rss/rules.js';
import { ApiError } from './api-error.js';
import { RssStore, type StoredFeed } from './rss-store.js';

export const DEFAULT_FEED_INTERVAL_MINUTES = 30;
export const MIN_FEED_INTERVAL_MINUTES = 5;
/** How often due feeds are looked for. */
const CHECK_EVERY_MS = 60_000;

export interface RssHost {
  add(cmd: Extract<Command, { type: 'add' }>): Promise<ResultOf['add']>;
  notice(n: RssNotice): void;
  log(line: string): void;
  now(): number;
}

type Running = { readonly feeds: Map<string, StoredFeed>; rules: RssRule[] };

export class RssService {
  private readonly state: Running = { feeds: new Map(), rules: [] };
  private readonly refreshing = new Map<string, Promise<void>>();
  /** Rule runs one at a time, so two refreshes never add the same item twice. */
  private ruleRun: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setInterval> | null = null;
  private closed = false;
  private readonly abort = new AbortController();

  private constructor(private readonly store: RssStore, private readonly host: RssHost) {}

  static async open(dataDir: string, host: RssHost): Promise<RssService> {
    const store = new RssStore(dataDir, host.log);
    const service = new RssService(store, host);
    const data = await store.load();
    for (const f of data.feeds) service.state.feeds.set(f.id, f);
    service.state.rules = data.rules;
    service.timer = setInterval(() => service.refreshDue(), CHECK_EVERY_MS);
    service.timer.unref?.();
    service.refreshDue();
    return service;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.abort.abort();
    await Promise.allSettled([...this.refreshing.values()]);
    await this.ruleRun;
    await this.save();
  }

  async execute<T extends RssCommand>(cmd: T): Promise<RssResultOf[T['type']]>;
  async execute(cmd: RssCommand): Promise<RssResultOf[RssCommand['type']]> {
    switch (cmd.type) {
      case 'rssAddFeed':
        return this.addFeed(cmd.url, cmd.name, cmd.intervalMinutes);
      case 'rssEditFeed': {
        const f = this.feed(cmd.feedId);
        if (cmd.url !== undefined && cmd.url !== f.url) {
          this.assertNewUrl(cmd.url);
          // Items stay (a new passkey in the URL lists the same items): what was added is not added again.
          Object.assign(f, { url: cmd.url, etag: null, lastModified: null, error: null, lastRefresh: null });
        }
        if (cmd.name !== undefined) f.name = cmd.name;
        if (cmd.intervalMinutes !== undefined) f.intervalMinutes = cmd.intervalMinutes;
        await this.save();
        if (f.lastRefresh === null) void this.refresh(f.id);
        return null;
      }
      case 'rssRemoveFeed':
        this.feed(cmd.feedId);
        this.state.feeds.delete(cmd.feedId);
        for (const r of this.state.rules) r.feedIds = r.feedIds.filter((id) => id !== cmd.feedId);
        await this.save();
        return null;
      case 'rssRefresh': {
        const ids = cmd.feedIds === 'all' ? [...this.state.feeds.keys()] : cmd.feedIds;
        for (const id of ids) this.feed(id);
        await Promise.all(ids.map((id) => this.refresh(id)));
        return null;
      }
      case 'rssList':
        return this.list();
      case 'rssSetRules':
        return this.setRules(cmd.rules);
      case 'rssMarkRead': {
        const f = this.feed(cmd.feedId);
        for (const item of f.items) if (cmd.itemIds === 'all' || cmd.itemIds.includes(item.id)) item.read = true;
        await this.save();
        return null;
      }
      case 'rssDownload': {
        const f = this.feed(cmd.feedId);
        const item = f.items.find((i) => i.id === cmd.itemId);
        if (!item) throw new ApiError('NotFound', `feed "${f.name}" has no item with that id: refresh the feed`);
        const added = await this.addItem(f, item, null);
        await this.save();
        return added;
      }
      case 'rssPreview':
        return this.preview(cmd.rule);
    }
  }

  private preview(input: RssRuleInput): RssResultOf['rssPreview'] {
    const saved = this.state.rules.find((r) => r.id === input.id);
    let c: CompiledRule;
    try {
      c = compileRule({ ...input, downloadedEpisodes: [] });
    } catch (err) {
      return { matches: [], error: (err as Error).message };
    }
    const matches: RssResultOf['rssPreview']['matches'] = [];
    for (const feed of this.state.feeds.values()) {
      // The smart filter as a run would apply it: episodes the rule took, and ones earlier in this preview.
      const taken = new Set(saved?.downloadedEpisodes ?? []);
      for (const item of oldestFirst(feed.items)) {
        if (item.downloaded && item.downloaded.ruleName === (saved?.name ?? input.name)) {
          matches.push({ feedId: feed.id, itemId: item.id });
          continue;
        }
        const v = judge(c, feed.id, item.title, taken);
        if (!v.match) continue;
        if (v.episode) taken.add(v.episode);
        matches.push({ feedId: feed.id, itemId: item.id });
      }
    }
    return { matches, error: null };
  }

  private list(): RssState {
    const feeds: RssFeedInfo[] = [...this.state.feeds.values()].map((f) => ({
      id: f.id, url: f.url, name: f.name, intervalMinutes: f.intervalMinutes, error: f.error, lastRefresh: f.lastRefresh, items: f.items,
      status: this.refreshing.has(f.id) ? 'refreshing' : f.error ? 'error' : f.lastRefresh === null ? 'idle' : 'ok',
    }));
    return { feeds, rules: this.state.rules };
  }

  private async addFeed(url: string, name: string | undefined, interval: number | undefined): Promise<RssFeedInfo> {
    this.assertNewUrl(url);
    if (this.state.feeds.size >= LIMITS_RSS.maxFeeds) throw new ApiError('Conflict', `at most ${LIMITS_RSS.maxFeeds} feeds: remove one first`);
    const feed: StoredFeed = {
      id: randomBytes(8).toString('hex'), url, name: name ?? url, intervalMinutes: interval ?? DEFAULT_FEED_INTERVAL_MINUTES,
      error: null, lastRefresh: null, items: [], etag: null, lastModified: null,
    };
    this.state.feeds.set(feed.id, feed);
    await this.save();
    // The first fetch runs in the background; its end is an rssFeedUpdated notice.
    void this.refresh(feed.id);
    return this.list().feeds.find((f) => f.id === feed.id)!;
  }

  private async setRules(inputs: RssRuleInput[]): Promise<RssRule[]> {
    const old = new Map(this.state.rules.map((r) => [r.id, r]));
    const rules: RssRule[] = inputs.map((r) => ({ ...r, downloadedEpisodes: old.get(r.id)?.downloadedEpisodes ?? [] }));
    // Refuse the whole set when one rule does not compile, naming it.
    for (const r of rules) {
      try {
        compileRule(r);
      } catch (err) {
        throw new ApiError('InvalidCommand', (err as Error).message);
      }
    }
    this.state.rules = rules;
    await this.save();
    // Items already listed are judged by the new rules too (the Rules dialog's preview shows which).
    await this.runRules([...this.state.feeds.keys()]);
    return this.state.rules;
  }

  /** Starts refreshing the feeds whose interval passed (and the ones never fetched). */
  private refreshDue(): void {
    if (this.closed) return;
    const now = this.host.now();
    for (const f of this.state.feeds.values()) {
      if (f.lastRefresh === null || now - f.lastRefresh >= f.intervalMinutes * 60_000) void this.refresh(f.id);
    }
  }

  /** One refresh of a feed (joins one already running). Never rejects: problems become the feed's error. */
  private refresh(id: string): Promise<void> {
    const running = this.refreshing.get(id);
    if (running) return running;
    const run = this.fetchAndMerge(id).finally(() => this.refreshing.delete(id));
    this.refreshing.set(id, run);
    return run;
  }

  private async fetchAndMerge(id: string): Promise<void> {
    const feed = this.state.feeds.get(id);
    if (!feed) return;
    const url = feed.url;
    let error: string | null = null;
    try {
      const got = await fetchFeed(url, feed, MAX_FEED_BYTES, this.abort.signal);
      if (this.state.feeds.get(id) !== feed || feed.url !== url) return; // removed or edited meanwhile
      if (got.kind === 'body') {
        const parsed = parseFeed(got.body);
        feed.items = merge(feed.items, parsed.items);
        feed.etag = got.validators.etag;
        feed.lastModified = got.validators.lastModified;
        if (feed.name === feed.url && parsed.title !== '') feed.name = parsed.title.slice(0, 200);
      }
    } catch (err) {
      error = (err as Error).message.replace(/\s+/g, ' ').slice(0, 300);
    }
    if (this.closed || this.state.feeds.get(id) !== feed) return;
    feed.error = error;
    feed.lastRefresh = this.host.now();
    if (error) this.host.log(`rss: ${feed.name}: ${error}`);
    await this.runRules([id]);
    await this.save();
    this.host.notice({ type: 'rssFeedUpdated', feedId: id, error });
  }

  /** Judges the items of these feeds that were never added (or tried), one run at a time. */
  private runRules(feedIds: string[]): Promise<void> {
    const run = this.ruleRun.then(async () => {
      const compiled: CompiledRule[] = [];
      for (const r of this.state.rules) {
        try {
          compiled.push(compileRule(r));
        } catch (err) {
          this.host.log(`rss: ${(err as Error).message}`);
        }
      }
      if (compiled.length === 0) return;
      for (const id of feedIds) {
        const feed = this.state.feeds.get(id);
        if (!feed) continue;
        for (const item of oldestFirst(feed.items)) {
          if (this.closed) return;
          if (item.downloaded || item.addError) continue;
          for (const c of compiled) {
            const taken = new Set(c.rule.downloadedEpisodes);
            const verdict = judge(c, id, item.title, taken);
            if (!verdict.match) continue;
            await this.addItem(feed, item, c.rule).catch(() => undefined);
            if (item.downloaded && verdict.episode) c.rule.downloadedEpisodes.push(verdict.episode);
            break;
          }
        }
      }
      await this.save();
    });
    this.ruleRun = run.catch((err: Error) => this.host.log(`rss: rules: ${err.message}`));
    return this.ruleRun;
  }

  /** Adds an item (magnet, else its .torrent); records the result on the item. Rejects with the reason. */
  private async addItem(feed: StoredFeed, item: RssItem, rule: RssRule | null): Promise<ResultOf['add']> {
    try {
      let source: AddSource;
      if (item.magnet) source = { kind: 'magnet', uri: item.magnet };
      else if (item.torrentUrl) source = { kind: 'torrent', data: await fetchTorrentFile(item.torrentUrl, LIMITS.maxTorrentBytes, this.abort.signal) };
      else throw new ApiError('NotFound', 'the item has no magnet link or .torrent to add');
      const cmd: Extract<Command, { type: 'add' }> = { type: 'add', source };
      if (rule?.savePath) cmd.savePath = rule.savePath;
      if (rule?.addPaused) cmd.paused = true;
      if (rule?.category) cmd.category = rule.category;
      const added = await this.host.add(cmd);
      item.downloaded = { id: added.id, name: added.name, at: this.host.now(), ruleName: rule?.name ?? null };
      item.read = true;
      item.addError = null;
      this.host.log(`rss: added "${added.name}" from ${feed.name}${rule ? ` (rule "${rule.name}")` : ''}`);
      this.host.notice({ type: 'rssAdded', feedId: feed.id, itemTitle: item.title, ruleName: rule?.name ?? null, id: added.id, name: added.name });
      return added;
    } catch (err) {
      const message = (err as Error).message.replace(/\s+/g, ' ').slice(0, 300);
      item.addError = message;
      this.host.log(`rss: could not add "${item.title}" from ${feed.name}: ${message}`);
      throw err instanceof ApiError ? err : new ApiError('Failed', message);
    }
  }

  private assertNewUrl(url: string): void {
    for (const f of this.state.feeds.values()) if (f.url === url) throw new ApiError('Conflict', `the feed ${url} is already in the list ("${f.name}")`);
  }

  private feed(id: string): StoredFeed {
    const f = this.state.feeds.get(id);
    if (!f) throw new ApiError('NotFound', `no feed with id ${id}`);
    return f;
  }

  private save(): Promise<void> {
    return this.store.save({ feeds: [...this.state.feeds.values()], rules: this.state.rules });
  }
}

/** Oldest first (by date, else feeds list newest first), so the smart filter keeps the first release. */
function oldestFirst(items: RssItem[]): RssItem[] {
  return [...items].reverse().sort((a, b) => (a.published ?? 0) - (b.published ?? 0));
}

export const LIMITS_RSS = { maxFeeds: 100, maxRules: 200 } as const;

/** The feed's items now, keeping what we know of the ones seen before; items dropped from the feed stay, up to the cap. */
function merge(old: RssItem[], fresh: FeedItem[]): RssItem[] {
  const known = new Map(old.map((i) => [i.id, i]));
  const out: RssItem[] = fresh.map((f) => {
    const k = known.get(f.id);
    return { ...f, read: k?.read ?? false, downloaded: k?.downloaded ?? null, addError: k?.addError ?? null };
  });
  const freshIds = new Set(fresh.map((f) => f.id));
  for (const i of old) if (out.length < MAX_FEED_ITEMS && !freshIds.has(i.id)) out.push(i);
  return out.slice(0, MAX_FEED_ITEMS);
}
