import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { appendFile, mkdir, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddSource, Notice, WatchFolder } from '../api/types.js';
import { createTorrent } from '../metainfo/create.js';
import { parseTorrent } from '../metainfo/index.js';
import { FolderScanner, STABLE_MS, watchedKind, type WatchHost } from './watch-folder.js';
import { WatchFolders } from './watch-folders.js';
import { WatchLedger } from './watch-ledger.js';
import { waitUntil } from '../testing/wait.js';

type WatchNotice = Extract<Notice, { type: 'watchFolder' }>;

/** A host that records what it was asked to add; `inList` answers 'duplicate' for those info hashes. */
class FakeHost implements WatchHost {
  readonly added: AddSource[] = [];
  readonly notices: WatchNotice[] = [];
  readonly logs: string[] = [];
  readonly inList = new Set<string>();
  failNext = false;
  async add(source: AddSource): Promise<'added' | 'duplicate'> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('disk full');
    }
    const id = source.kind === 'torrent' ? parseTorrent(source.data).infoHashHex : source.uri;
    if (this.inList.has(id)) return 'duplicate';
    this.inList.add(id);
    this.added.push(source);
    return 'added';
  }
  notice(n: WatchNotice): void {
    this.notices.push(n);
  }
  log(line: string): void {
    this.logs.push(line);
  }
}

interface Fixture {
  root: string;
  dir: string;
  dataDir: string;
  torrent: Uint8Array;
  other: Uint8Array;
  host: FakeHost;
  clock: { t: number };
  scanner(afterAdd: WatchFolder['afterAdd'], ledger?: WatchLedger): Promise<FolderScanner>;
}

async function fixture(): Promise<Fixture> {
  const root = mkdtempSync(join(tmpdir(), 'tessera-watch-'));
  const dir = join(root, 'watch');
  const dataDir = join(root, 'data');
  await mkdir(dir);
  await mkdir(dataDir);
  await writeFile(join(root, 'a.bin'), 'payload a');
  await writeFile(join(root, 'b.bin'), 'payload b');
  const torrent = await createTorrent(join(root, 'a.bin'), { pieceLength: 16_384, trackers: [] });
  const other = await createTorrent(join(root, 'b.bin'), { pieceLength: 16_384, trackers: [] });
  const host = new FakeHost();
  const clock = { t: 1_000_000 };
  return {
    root,
    dir,
    dataDir,
    torrent,
    other,
    host,
    clock,
    async scanner(afterAdd, ledger) {
      const l = ledger ?? new WatchLedger(dataDir, (line) => host.log(line));
      if (!ledger) await l.load();
      return new FolderScanner({ path: dir, category: null, startPaused: false, afterAdd }, l, host, () => clock.t);
    },
  };
}

/** Two looks STABLE_MS apart: what a file that stays the same needs to be added. */
async function twoLooks(f: Fixture, s: FolderScanner): Promise<void> {
  await s.scan();
  f.clock.t += STABLE_MS;
  await s.scan();
}

test('which names are watched: .torrent and .magnet (any case), not hidden, handled or partial files', () => {
  assert.equal(watchedKind('a.torrent'), 'torrent');
  assert.equal(watchedKind('A.TORRENT'), 'torrent');
  assert.equal(watchedKind('x.magnet'), 'magnet');
  for (const name of ['.a.torrent', 'a.torrent.added', 'a.torrent.invalid', 'a.torrent.part', '.torrent', 'a.txt']) assert.equal(watchedKind(name), null, name);
});

test('a file is read only once its size and mtime held across two looks STABLE_MS apart', async () => {
  const f = await fixture();
  try {
    const s = await f.scanner('rename');
    const path = join(f.dir, 'a.torrent');
    // Half written: the first bytes only.
    await writeFile(path, f.torrent.subarray(0, 20));
    assert.equal(await s.scan(), true, 'a new file is settling');
    f.clock.t += STABLE_MS;
    await appendFile(path, f.torrent.subarray(20));
    assert.equal(await s.scan(), true, 'it grew: settling again');
    assert.equal(f.host.added.length, 0);
    f.clock.t += STABLE_MS - 1;
    assert.equal(await s.scan(), true, 'not yet stable long enough');
    assert.equal(f.host.added.length, 0);
    f.clock.t += 1;
    assert.equal(await s.scan(), false);
    assert.equal(f.host.added.length, 1, 'the whole file was added once');
    assert.deepEqual(f.host.added[0], { kind: 'torrent', data: f.torrent });
    assert.equal(f.host.notices[0].outcome, 'added');
  } finally {
    rmSync(f.root, { recursive: true, force: true });
  }
});

test("afterAdd 'rename' leaves name.torrent.added; 'delete' removes the file", async () => {
  const f = await fixture();
  try {
    const renaming = await f.scanner('rename');
    await writeFile(join(f.dir, 'a.torrent'), f.torrent);
    await twoLooks(f, renaming);
    assert.equal(existsSync(join(f.dir, 'a.torrent')), false);
    assert.equal(existsSync(join(f.dir, 'a.torrent.added')), true);
    await twoLooks(f, renaming);
    assert.equal(f.host.added.length, 1, 'the .added file is not looked at');

    const deleting = await f.scanner('delete');
    await writeFile(join(f.dir, 'b.torrent'), f.other);
    await twoLooks(f, deleting);
    assert.equal(f.host.added.length, 2);
    assert.equal(existsSync(join(f.dir, 'b.torrent')), false);
  } finally {
    rmSync(f.root, { recursive: true, force: true });
  }
});

test("afterAdd 'keep': the file stays and is not added again, across a restart (the ledger), until it changes", async () => {
  const f = await fixture();
  try {
    const path = join(f.dir, 'a.torrent');
    await writeFile(path, f.torrent);
    const first = await f.scanner('keep');
    await twoLooks(f, first);
    await twoLooks(f, first);
    assert.equal(f.host.added.length, 1);
    assert.equal(existsSync(path), true);

    // A restart: a new ledger from the data folder, and the torrent since removed from the list.
    f.host.inList.clear();
    const afterRestart = await f.scanner('keep');
    await twoLooks(f, afterRestart);
    assert.equal(f.host.added.length, 1, 'remembered by path, size and mtime');

    // The same name with new contents (a new mtime) is a new file.
    await writeFile(path, f.other);
    await utimes(path, new Date(), new Date(Date.now() + 5_000));
    await twoLooks(f, afterRestart);
    assert.equal(f.host.added.length, 2);
  } finally {
    rmSync(f.root, { recursive: true, force: true });
  }
});

test('a torrent already in the list is not added twice: a duplicate notice, and the file handled as configured', async () => {
  const f = await fixture();
  try {
    f.host.inList.add(parseTorrent(f.torrent).infoHashHex);
    const s = await f.scanner('rename');
    await writeFile(join(f.dir, 'copy.torrent'), f.torrent);
    await twoLooks(f, s);
    assert.equal(f.host.added.length, 0);
    assert.equal(f.host.notices[0].outcome, 'duplicate');
    assert.match(f.host.notices[0].message, /already in the list/);
    assert.equal(existsSync(join(f.dir, 'copy.torrent.added')), true);
  } finally {
    rmSync(f.root, { recursive: true, force: true });
  }
});

test('a bad file is moved aside as name.invalid with a notice saying what is wrong and what to do', async () => {
  const f = await fixture();
  try {
    const s = await f.scanner('keep');
    await writeFile(join(f.dir, 'bad.torrent'), 'this is not bencode');
    await writeFile(join(f.dir, 'bad.magnet'), 'https://example.invalid/not-a-magnet\n');
    await twoLooks(f, s);
    assert.equal(f.host.added.length, 0);
    assert.equal(existsSync(join(f.dir, 'bad.torrent.invalid')), true);
    assert.equal(existsSync(join(f.dir, 'bad.magnet.invalid')), true);
    const bad = f.host.notices.find((n) => n.file === 'bad.torrent');
    assert.equal(bad?.outcome, 'invalid');
    assert.match(bad!.message, /"bad\.torrent" in the watch folder .* is not a valid torrent file \(.+\); it was renamed to bad\.torrent\.invalid; put a good copy in the folder to add it\./);
  } finally {
    rmSync(f.root, { recursive: true, force: true });
  }
});

test('a .magnet file adds its link; an add that fails for another reason is tried again at the next look', async () => {
  const f = await fixture();
  try {
    const s = await f.scanner('delete');
    const uri = `magnet:?xt=urn:btih:${'ab'.repeat(20)}&dn=x`;
    await writeFile(join(f.dir, 'x.magnet'), `\n${uri}\n`);
    f.host.failNext = true;
    await twoLooks(f, s);
    assert.equal(f.host.added.length, 0);
    assert.ok(f.host.logs.some((l) => l.includes('disk full') && l.includes('trying again')));
    assert.equal(existsSync(join(f.dir, 'x.magnet')), true);
    await s.scan();
    assert.deepEqual(f.host.added, [{ kind: 'magnet', uri }]);
    assert.equal(existsSync(join(f.dir, 'x.magnet')), false);
  } finally {
    rmSync(f.root, { recursive: true, force: true });
  }
});

test('polling alone (no file-system events) finds a dropped file; a missing folder is created', { timeout: 15_000 }, async () => {
  const f = await fixture();
  const dir = join(f.root, 'created', 'later');
  const folders = new WatchFolders({ dataDir: f.dataDir, host: f.host, pollMs: 100, fsEvents: false });
  try {
    await folders.load();
    await folders.apply([{ path: dir, category: null, startPaused: false, afterAdd: 'rename' }]);
    assert.equal(existsSync(dir), true);
    await writeFile(join(dir, 'a.torrent'), f.torrent);
    await waitUntil(() => f.host.added.length === 1 && existsSync(join(dir, 'a.torrent.added')), 8_000, () => `not added by polling; log: ${f.host.logs.join(' | ')}`);
    // Dropped from the settings: no longer watched.
    await folders.apply([]);
    await writeFile(join(dir, 'b.torrent'), f.other);
    await new Promise((r) => setTimeout(r, STABLE_MS + 500));
    assert.equal(f.host.added.length, 1);
  } finally {
    await folders.close();
    rmSync(f.root, { recursive: true, force: true });
  }
});

test('file-system events find a dropped file without waiting for the poll', { timeout: 15_000 }, async () => {
  const f = await fixture();
  // A poll so slow that only an event can explain the file being found in time.
  const folders = new WatchFolders({ dataDir: f.dataDir, host: f.host, pollMs: 600_000 });
  try {
    await folders.load();
    await folders.apply([{ path: f.dir, category: null, startPaused: false, afterAdd: 'delete' }]);
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    await writeFile(join(f.dir, 'a.torrent'), f.torrent);
    await waitUntil(() => f.host.added.length === 1, 5_000, () => `not added from events; log: ${f.host.logs.join(' | ')}`);
    assert.ok(Date.now() - started < 4_000);
  } finally {
    await folders.close();
    rmSync(f.root, { recursive: true, force: true });
  }
});

test('events and a fast poll together add a file once (looks at a folder never overlap)', { timeout: 15_000 }, async () => {
  const f = await fixture();
  const folders = new WatchFolders({ dataDir: f.dataDir, host: f.host, pollMs: 20 });
  try {
    await folders.load();
    await folders.apply([{ path: f.dir, category: null, startPaused: false, afterAdd: 'keep' }]);
    await writeFile(join(f.dir, 'a.torrent'), f.torrent);
    await writeFile(join(f.dir, 'b.torrent'), f.other);
    await waitUntil(() => f.host.added.length === 2, 8_000, () => `added ${f.host.added.length}; log: ${f.host.logs.join(' | ')}`);
    // Many more looks (every 20 ms, plus events): nothing is added again, and no duplicate notice either.
    await new Promise((r) => setTimeout(r, STABLE_MS + 500));
    assert.equal(f.host.added.length, 2);
    assert.deepEqual(f.host.notices.map((n) => n.outcome), ['added', 'added']);
  } finally {
    await folders.close();
    rmSync(f.root, { recursive: true, force: true });
  }
});
