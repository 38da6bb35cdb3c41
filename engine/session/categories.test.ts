// Categories and tags through the protocol: a category's save path moves data, relocation, removal, persistence across a restart.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTorrent } from '../metainfo/create.js';
import { patternBytes } from '../testing/wait.js';
import { SessionHarness } from './test-harness.js';

let root: string;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'tessera-categories-'));
});

after(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A one-file torrent whose data sits in `<root>/<name>-src/<name>.bin`. */
async function madeTorrent(name: string, seed: number): Promise<{ bytes: Uint8Array; dir: string; size: number }> {
  const dir = join(root, `${name}-src`);
  mkdirSync(dir, { recursive: true });
  const size = 100_000 + seed;
  writeFileSync(join(dir, `${name}.bin`), patternBytes(size, seed));
  return { bytes: await createTorrent(join(dir, `${name}.bin`), { pieceLength: 16_384 }), dir, size };
}

test('a category with a save path moves its torrent there (keeping its progress), relocates on change, survives a restart, and is cleared when removed', { timeout: 90_000 }, async () => {
  const film = await madeTorrent('film', 1);
  const dataDir = join(root, 'data-1');
  let h = await SessionHarness.open({ dataDir });
  try {
    const { id } = await h.send({ type: 'add', source: { kind: 'torrent', data: film.bytes }, savePath: film.dir, tags: ['hd', 'linux'] });
    await h.until(() => h.get(id).state === 'seeding', 'seeding from its data');
    assert.deepEqual(h.get(id).tags, ['hd', 'linux']);

    const movies = join(root, 'movies');
    await h.send({ type: 'setSettings', settings: { categories: [{ name: 'Movies', savePath: movies }] } });
    await h.send({ type: 'setCategory', ids: [id], category: 'Movies' });
    await h.until(() => h.get(id).savePath === movies && h.get(id).category === 'Movies', 'moved to the category folder');
    assert.ok(existsSync(join(movies, 'film.bin')), 'the file is in the category folder');
    assert.equal(existsSync(join(film.dir, 'film.bin')), false, 'and gone from where it was');
    await h.until(() => h.get(id).state === 'seeding' && h.get(id).progress === 1, 'seeding again, nothing lost');

    await h.send({ type: 'setTags', ids: [id], add: ['x'], remove: ['linux'] });
    await h.until(() => h.get(id).tags.join() === 'hd,x', 'tags changed');

    // An unknown category is created (no save path) and the torrent stays where it is.
    await h.send({ type: 'setCategory', ids: [id], category: 'Movies/4K' });
    await h.until(() => h.get(id).category === 'Movies/4K', 'subcategory set');
    assert.deepEqual(h.settings?.categories.map((c) => c.name), ['Movies', 'Movies/4K'], 'every client sees the new category');
    assert.equal(h.get(id).savePath, movies);

    // Giving the category a save path later relocates its torrents.
    const uhd = join(root, 'uhd');
    await h.send({ type: 'setSettings', settings: { categories: [{ name: 'Movies', savePath: movies }, { name: 'Movies/4K', savePath: uhd }] } });
    await h.until(() => h.get(id).savePath === uhd, 'relocated with its category', 30_000);
    assert.ok(existsSync(join(uhd, 'film.bin')));
    assert.equal(readFileSync(join(uhd, 'film.bin')).length, film.size);

    await h.close(false);
    h = await SessionHarness.open({ dataDir });
    await h.until(() => h.list.has(id), 'listed after the restart');
    assert.equal(h.get(id).category, 'Movies/4K', 'category kept across a restart');
    assert.deepEqual(h.get(id).tags, ['hd', 'x'], 'tags kept across a restart');
    assert.equal(h.get(id).savePath, uhd);
    await h.until(() => h.get(id).state === 'seeding', 'seeds from the new folder without losing data');

    // Removing the category clears it from its torrents; the data stays.
    await h.send({ type: 'setSettings', settings: { categories: [{ name: 'Movies', savePath: movies }] } });
    await h.until(() => h.get(id).category === null, 'category cleared');
    assert.equal(h.get(id).savePath, uhd);
  } finally {
    await h.close();
  }
});

test('add: a category with a save path is where the torrent goes unless the add names a folder; setTorrentOptions category moves too', { timeout: 60_000 }, async () => {
  const a = await madeTorrent('alpha', 2);
  const b = await madeTorrent('beta', 3);
  const h = await SessionHarness.open();
  try {
    const shows = join(root, 'shows');
    mkdirSync(shows, { recursive: true });
    // The data is already in the category's folder: the add finds it there.
    writeFileSync(join(shows, 'alpha.bin'), readFileSync(join(a.dir, 'alpha.bin')));
    await h.send({ type: 'setSettings', settings: { categories: [{ name: 'TV', savePath: shows }] } });
    const ra = await h.send({ type: 'add', source: { kind: 'torrent', data: a.bytes }, category: 'TV' });
    await h.until(() => h.get(ra.id).state === 'seeding', 'seeding from the category folder');
    assert.equal(h.get(ra.id).savePath, shows);
    assert.equal(h.get(ra.id).category, 'TV');

    const rb = await h.send({ type: 'add', source: { kind: 'torrent', data: b.bytes }, category: 'TV', savePath: b.dir });
    await h.until(() => h.get(rb.id).state === 'seeding', 'the explicit folder wins');
    assert.equal(h.get(rb.id).savePath, b.dir);

    await h.send({ type: 'setTorrentOptions', id: rb.id, options: { category: null } });
    await h.until(() => h.get(rb.id).category === null, 'cleared');
    await h.send({ type: 'setTorrentOptions', id: rb.id, options: { category: 'TV' } });
    await h.until(() => h.get(rb.id).savePath === shows, 'setTorrentOptions category moves like setCategory');
    assert.ok(existsSync(join(shows, 'beta.bin')));

    const bad = await h.session.requestRaw({ kind: 'request', requestId: 1, command: { type: 'setCategory', ids: [ra.id], category: 'a//b' } });
    assert.ok(!bad.ok, 'refused');
    assert.equal(bad.error.name, 'InvalidCommand');
    assert.match(bad.error.message, /command\.category "a\/\/b" has an empty level/);
    const none = await h.session.requestRaw({ kind: 'request', requestId: 2, command: { type: 'setTags', ids: [ra.id], add: [], remove: [] } });
    assert.ok(!none.ok && /at least one tag/.test(none.error.message));
    await assert.rejects(h.send({ type: 'setCategory', ids: ['f'.repeat(40)], category: 'TV' }), /NotFound/);
  } finally {
    await h.close();
  }
});

test('tracker hosts: listed once each, sorted, from the metainfo; kept by the record for a paused torrent after a restart', { timeout: 60_000 }, async () => {
  const dir = join(root, 'hosts-src');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'h.bin'), patternBytes(20_000, 9));
  const bytes = await createTorrent(join(dir, 'h.bin'), { pieceLength: 16_384, trackers: ['http://Tracker.example:6969/announce', 'udp://other.example:80/announce', 'http://tracker.example/second'] });
  const dataDir = join(root, 'data-hosts');
  let h = await SessionHarness.open({ dataDir });
  try {
    const { id } = await h.send({ type: 'add', source: { kind: 'torrent', data: bytes }, savePath: dir, paused: true });
    await h.until(() => h.list.has(id), 'listed');
    assert.deepEqual(h.get(id).trackerHosts, ['other.example', 'tracker.example']);
    await h.close(false);
    h = await SessionHarness.open({ dataDir });
    await h.until(() => h.list.has(id), 'listed after the restart');
    assert.equal(h.get(id).state, 'paused');
    assert.deepEqual(h.get(id).trackerHosts, ['other.example', 'tracker.example'], 'without parsing the metainfo');
    await h.send({ type: 'setTorrentOptions', id, options: { trackers: [] } });
    await h.until(() => h.get(id).trackerHosts.length === 0, 'its own (empty) tiers replace them');
  } finally {
    await h.close();
  }
});
