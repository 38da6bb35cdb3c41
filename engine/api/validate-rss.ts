/** Validation of the RSS commands (issue 17). Pure. */
import type { RssCommand, RssRuleInput } from './rss-types.js';
import { absolutePath, array, bool, fail, int, isPlainObject, knownKeys, own } from './validate-primitives.js';

export const RSS_COMMAND_KEYS = {
  rssAddFeed: ['url', 'name', 'intervalMinutes'],
  rssEditFeed: ['feedId', 'url', 'name', 'intervalMinutes'],
  rssRemoveFeed: ['feedId'],
  rssRefresh: ['feedIds'],
  rssList: [],
  rssSetRules: ['rules'],
  rssMarkRead: ['feedId', 'itemIds'],
  rssDownload: ['feedId', 'itemId'],
  rssPreview: ['rule'],
} as const satisfies { [K in RssCommand['type']]: readonly string[] };

export const RSS_COMMAND_TYPES = Object.keys(RSS_COMMAND_KEYS) as RssCommand['type'][];

const RULE_KEYS = ['id', 'name', 'enabled', 'mustContain', 'mustNotContain', 'useRegex', 'episodeFilter', 'smartFilter', 'feedIds', 'savePath', 'category', 'addPaused'] as const;
const FEED_ID = /^[0-9a-f]{16}$/;
const MAX_RULES = 200;

function text(v: unknown, path: string, max: number, allowEmpty = true): string {
  if (typeof v !== 'string') fail(path, 'must be a string');
  if (!allowEmpty && v.trim() === '') fail(path, 'must not be empty');
  if (v.length > max) fail(path, `must be at most ${max} characters`);
  if (v.includes('\0')) fail(path, 'must not contain NUL');
  return v;
}

function feedUrl(v: unknown, path: string): string {
  const s = text(v, path, 2048, false).trim();
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return fail(path, 'must be an http:// or https:// URL of a feed');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') fail(path, 'must be an http:// or https:// URL of a feed');
  return s;
}

function feedId(v: unknown, path: string): string {
  if (typeof v !== 'string' || !FEED_ID.test(v)) fail(path, 'must be a feed id (16 hex characters, from rssList)');
  return v;
}

function itemId(v: unknown, path: string): string {
  return text(v, path, 4096, false);
}

function interval(v: unknown, path: string): number {
  return int(v, path, 5, 7 * 24 * 60);
}

function rule(v: unknown, path: string): RssRuleInput {
  if (!isPlainObject(v)) fail(path, 'must be an object');
  knownKeys(v, path, RULE_KEYS);
  const f = (k: string): unknown => own(v, k);
  const p = (k: string): string => `${path}.${k}`;
  const ids = array(f('feedIds'), p('feedIds'), 100).map((id, i) => feedId(id, `${p('feedIds')}[${i}]`));
  const savePath = f('savePath');
  const category = f('category');
  const id = text(f('id'), p('id'), 64, false);
  return {
    id,
    name: text(f('name'), p('name'), 200, false),
    enabled: bool(f('enabled'), p('enabled')),
    mustContain: text(f('mustContain'), p('mustContain'), 256),
    mustNotContain: text(f('mustNotContain'), p('mustNotContain'), 256),
    useRegex: bool(f('useRegex'), p('useRegex')),
    episodeFilter: text(f('episodeFilter'), p('episodeFilter'), 256),
    smartFilter: bool(f('smartFilter'), p('smartFilter')),
    feedIds: ids,
    savePath: savePath === null ? null : absolutePath(savePath, p('savePath'), false),
    category: category === null ? null : text(category, p('category'), 256, false),
    addPaused: bool(f('addPaused'), p('addPaused')),
  };
}

export function isRssCommandType(t: string): t is RssCommand['type'] {
  return Object.prototype.hasOwnProperty.call(RSS_COMMAND_KEYS, t);
}

/** An already validated command that the RSS service handles. */
export function isRssCommand<C extends { type: string }>(cmd: C): cmd is Extract<C, RssCommand> {
  return isRssCommandType(cmd.type);
}

/** The command's fields (the caller checked the type and the known keys). */
export function parseRssCommand(type: RssCommand['type'], f: (k: string) => unknown, p: (k: string) => string): RssCommand {
  switch (type) {
    case 'rssAddFeed': {
      const cmd: Extract<RssCommand, { type: 'rssAddFeed' }> = { type, url: feedUrl(f('url'), p('url')) };
      if (f('name') !== undefined) cmd.name = text(f('name'), p('name'), 200, false);
      if (f('intervalMinutes') !== undefined) cmd.intervalMinutes = interval(f('intervalMinutes'), p('intervalMinutes'));
      return cmd;
    }
    case 'rssEditFeed': {
      const cmd: Extract<RssCommand, { type: 'rssEditFeed' }> = { type, feedId: feedId(f('feedId'), p('feedId')) };
      if (f('url') !== undefined) cmd.url = feedUrl(f('url'), p('url'));
      if (f('name') !== undefined) cmd.name = text(f('name'), p('name'), 200, false);
      if (f('intervalMinutes') !== undefined) cmd.intervalMinutes = interval(f('intervalMinutes'), p('intervalMinutes'));
      return cmd;
    }
    case 'rssRemoveFeed':
      return { type, feedId: feedId(f('feedId'), p('feedId')) };
    case 'rssRefresh': {
      const ids = f('feedIds');
      if (ids === 'all') return { type, feedIds: 'all' };
      return { type, feedIds: array(ids, p('feedIds'), 100, 1).map((id, i) => feedId(id, `${p('feedIds')}[${i}]`)) };
    }
    case 'rssList':
      return { type };
    case 'rssSetRules': {
      const rules = array(f('rules'), p('rules'), MAX_RULES).map((r, i) => rule(r, `${p('rules')}[${i}]`));
      const seen = new Set<string>();
      rules.forEach((r, i) => {
        if (seen.has(r.id)) fail(`${p('rules')}[${i}].id`, 'repeats an earlier rule id');
        seen.add(r.id);
      });
      return { type, rules };
    }
    case 'rssMarkRead': {
      const ids = f('itemIds');
      return { type, feedId: feedId(f('feedId'), p('feedId')), itemIds: ids === 'all' ? 'all' : array(ids, p('itemIds'), 1000, 1).map((id, i) => itemId(id, `${p('itemIds')}[${i}]`)) };
    }
    case 'rssDownload':
      return { type, feedId: feedId(f('feedId'), p('feedId')), itemId: itemId(f('itemId'), p('itemId')) };
    case 'rssPreview':
      return { type, rule: rule(f('rule'), p('rule')) };
  }
}
