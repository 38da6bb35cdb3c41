// The session's RSS feeds against a loopback HTTP server: rules add exactly the matching items, a refresh
// adds no duplicates, conditional GET, persistence, and hostile feeds (issue 17, must-show 3).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SessionHarness } from './test-harness.js';
import { startFeedServer, tinyTorrent, type FeedServer } from './test-rss-server.js';
import { rss2Sample } from '../rss/test-samples.js';
import type { RssRuleInput } from '../api/rss-types.js';

let server: FeedServer;
const TITLES = ['Show.S01E01.720p', 'Show.S01E02.720p', 'Other.S01E01.1080p', 'Documentary.2026', 'Show.S01E02.1080p-OTHERGROUP', 'Movie.1920x1080'];

before(async () => {
  server = await startFeedServer();
  TITLES.forEach((t, i) => server.set(`/t/${i}.torrent`, tinyTorrent(t), 'application/x-bittorrent'));
  server.set('/feed.xml', rss2Sample(TITLES.map((title, i) => ({ title, url: `${server.base}/t/${i}.torrent` }))));
  server.set('/malformed.xml', '<rss><channel><item><title>broken</item></channel>');
  server.set('/lol.xml', `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><rss><channel><item><title>&d;&d;&d;&d;</title></item></channel></rss>`);
});
after(() => server.close());

function rule(over: Partial<RssRuleInput>): RssRuleInput {
  return { id: 'show', name: 'Show', enabled: true, mustContain: 'show', mustNotContain: '', useRegex: false, episodeFilter: '', smartFilter: true, feedIds: [], savePath: null, category: null, addPaused: true, ...over };
}

test('a rule matching two of six items adds exactly those two; refreshes add no duplicates; state survives a restart', async () => {
  let h = await SessionHarness.open();
  try {
    const feed = await h.send({ type: 'rssAddFeed', url: `${server.base}/feed.xml` });
    await h.until(() => h.notices.some((n) => n.type === 'rssFeedUpdated'), 'first refresh');
    let state = await h.send({ type: 'rssList' });
    assert.equal(state.feeds[0]!.items.length, 6);
    assert.equal(state.feeds[0]!.name, 'Tracker feed');
    assert.equal(state.feeds[0]!.status, 'ok');
    // "show" matches three titles; the smart filter skips the second release of S01E02.
    const preview = await h.send({ type: 'rssPreview', rule: rule({ feedIds: [feed.id] }) });
    const titleOf = (id: string) => state.feeds[0]!.items.find((i) => i.id === id)!.title;
    assert.deepEqual(preview.matches.map((m) => titleOf(m.itemId)), ['Show.S01E01.720p', 'Show.S01E02.720p']);
    assert.deepEqual(await h.send({ type: 'rssPreview', rule: rule({ mustContain: '(', useRegex: true }) }), { matches: [], error: 'rule "Show": must contain: not a valid regular expression: Unterminated group' });
    await h.send({ type: 'rssSetRules', rules: [rule({ feedIds: [feed.id] })] });
    await h.until(() => h.list.size === 2, 'two torrents added');
    assert.deepEqual([...h.list.values()].map((t) => t.name).sort(), ['Show.S01E01.720p', 'Show.S01E02.720p']);
    assert.ok([...h.list.values()].every((t) => t.state === 'paused'));
    await h.until(() => h.notices.filter((n) => n.type === 'rssAdded').length === 2, 'two rssAdded notices');
    await h.send({ type: 'rssRefresh', feedIds: [feed.id] });
    await h.send({ type: 'rssRefresh', feedIds: 'all' });
    assert.equal(h.list.size, 2);
    assert.ok(server.notModified >= 2, `conditional GETs answered 304: ${server.notModified}`);
    state = await h.send({ type: 'rssList' });
    const downloaded = state.feeds[0]!.items.filter((i) => i.downloaded).map((i) => [i.title, i.downloaded!.ruleName]);
    assert.deepEqual(downloaded, [['Show.S01E01.720p', 'Show'], ['Show.S01E02.720p', 'Show']]);
    assert.deepEqual(state.rules[0]!.downloadedEpisodes, ['S01E01', 'S01E02']);
    // The manual "Download" takes an item no rule wants.
    const doc = state.feeds[0]!.items.find((i) => i.title === 'Documentary.2026')!;
    const added = await h.send({ type: 'rssDownload', feedId: feed.id, itemId: doc.id });
    assert.equal(added.name, 'Documentary.2026');
    await h.send({ type: 'rssMarkRead', feedId: feed.id, itemIds: 'all' });
    const dataDir = h.dataDir;
    await h.session.close();
    // Restart over the same data dir: nothing added twice, the rule and the items as they were.
    h = await SessionHarness.open({ dataDir });
    await h.send({ type: 'rssRefresh', feedIds: 'all' });
    state = await h.send({ type: 'rssList' });
    assert.equal(h.list.size, 3);
    assert.equal(state.rules.length, 1);
    assert.ok(state.feeds[0]!.items.every((i) => i.read));
  } finally {
    await h.close();
  }
});

test('hostile feeds: malformed XML, a 100 MB feed, entity expansion: each a clear feed error, the session keeps running', async () => {
  const h = await SessionHarness.open();
  try {
    const bad = await h.send({ type: 'rssAddFeed', url: `${server.base}/malformed.xml` });
    const huge = await h.send({ type: 'rssAddFeed', url: `${server.base}/huge.xml` });
    const lol = await h.send({ type: 'rssAddFeed', url: `${server.base}/lol.xml` });
    const missing = await h.send({ type: 'rssAddFeed', url: `${server.base}/gone.xml` });
    const started = performance.now();
    const rssBefore = process.memoryUsage().rss;
    await h.send({ type: 'rssRefresh', feedIds: 'all' });
    const ms = performance.now() - started;
    const state = await h.send({ type: 'rssList' });
    const error = (id: string) => state.feeds.find((f) => f.id === id)!;
    assert.match(error(bad.id).error ?? '', /^feed: malformed XML at line 1: /);
    assert.equal(error(huge.id).error, 'feed larger than 5 MB');
    assert.match(error(lol.id).error ?? '', /DOCTYPE and entity declarations are not allowed/);
    assert.equal(error(missing.id).error, 'the server answered HTTP 404');
    for (const f of state.feeds) assert.equal(f.status, 'error');
    // The 100 MB feed was cut off near the cap, not read to its end.
    assert.ok(server.streamedBytes < 40 * 1024 * 1024, `server wrote ${server.streamedBytes} bytes`);
    assert.ok(process.memoryUsage().rss - rssBefore < 80 * 1024 * 1024);
    assert.ok(ms < 20_000, `${ms} ms`);
    // Still serving commands.
    assert.equal((await h.send({ type: 'getSettings' })).maxActiveDownloads > 0, true);
    assert.ok(h.log.some((l) => l.includes('feed larger than 5 MB')));
  } finally {
    await h.close();
  }
});

test('bad rules and bad feed URLs are refused with one line naming the field', async () => {
  const h = await SessionHarness.open();
  try {
    await assert.rejects(h.send({ type: 'rssSetRules', rules: [rule({ mustContain: '(show)\\1', useRegex: true })] }), /InvalidCommand: rule "Show": must contain: backreferences and lookarounds are not supported/);
    await assert.rejects(h.send({ type: 'rssSetRules', rules: [rule({ episodeFilter: 'S1E' })] }), /episode filter part "S1E"/);
    const reply = await h.session.requestRaw({ kind: 'request', requestId: 1, command: { type: 'rssAddFeed', url: 'file:///etc/passwd' } });
    assert.deepEqual(reply, { kind: 'reply', requestId: 1, ok: false, error: { name: 'InvalidCommand', message: 'command.url must be an http:// or https:// URL of a feed' } });
    await h.send({ type: 'rssAddFeed', url: `${server.base}/malformed.xml` });
    await assert.rejects(h.send({ type: 'rssAddFeed', url: `${server.base}/malformed.xml` }), /Conflict: the feed .* is already in the list/);
  } finally {
    await h.close();
  }
});

test('feeds are refreshed when their interval has passed (at start and after), not before; edit and remove', async () => {
  const root = mkdtempSync(join(tmpdir(), 'tessera-rss-'));
  const dataDir = join(root, 'data');
  mkdirSync(dataDir, { recursive: true });
  server.set('/due.xml', rss2Sample([{ title: 'Due', url: `${server.base}/t/0.torrent` }]));
  server.set('/fresh.xml', rss2Sample([{ title: 'Fresh', url: `${server.base}/t/0.torrent` }]));
  const stored = (id: string, path: string, minutesAgo: number) => ({ id, url: `${server.base}${path}`, name: path, intervalMinutes: 30, error: null, lastRefresh: Date.now() - minutesAgo * 60_000, items: [], etag: null, lastModified: null });
  writeFileSync(join(dataDir, 'rss.json'), JSON.stringify({ version: 1, feeds: [stored('00000000000000d1', '/due.xml', 31), stored('00000000000000f1', '/fresh.xml', 29)], rules: [] }));
  const h = await SessionHarness.open({ dataDir });
  try {
    await h.until(() => h.notices.some((n) => n.type === 'rssFeedUpdated' && n.feedId === '00000000000000d1'), 'the due feed refreshed at start');
    assert.equal(server.hits.get('/fresh.xml') ?? 0, 0, 'a feed refreshed 29 minutes ago waits');
    await h.send({ type: 'rssEditFeed', feedId: '00000000000000f1', name: 'Renamed', intervalMinutes: 5 });
    let state = await h.send({ type: 'rssList' });
    assert.deepEqual(state.feeds.map((f) => [f.name, f.intervalMinutes, f.items.length]), [['/due.xml', 30, 1], ['Renamed', 5, 0]]);
    // A magnet item is added as a magnet link.
    server.set('/magnet.xml', `<rss><channel><title>m</title><item><title>Magnet item</title><guid>m1</guid><link>magnet:?xt=urn:btih:${'ab'.repeat(20)}&amp;dn=Magnet+item</link></item></channel></rss>`);
    const m = await h.send({ type: 'rssAddFeed', url: `${server.base}/magnet.xml`, intervalMinutes: 60 });
    await h.send({ type: 'rssRefresh', feedIds: [m.id] });
    const added = await h.send({ type: 'rssDownload', feedId: m.id, itemId: 'm1' });
    assert.equal(added.id, 'ab'.repeat(20));
    await h.until(() => h.list.get(added.id)?.state === 'metadata', 'the magnet waits for its metadata');
    await h.send({ type: 'rssRemoveFeed', feedId: '00000000000000f1' });
    state = await h.send({ type: 'rssList' });
    assert.deepEqual(state.feeds.map((f) => f.name), ['/due.xml', 'm']);
    await assert.rejects(h.send({ type: 'rssRemoveFeed', feedId: '00000000000000f1' }), /NotFound: no feed with id/);
  } finally {
    await h.close();
    rmSync(root, { recursive: true, force: true });
  }
});
