import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTorrent } from '../metainfo/create.js';
import { parseTorrent } from '../metainfo/index.js';
import { SessionHarness } from './test-harness.js';

test('a session adds a .torrent dropped into a watch folder, paused as the folder says, and renames it; --watch folders show as host-fixed', { timeout: 30_000 }, async () => {
  const h = await SessionHarness.open({ extra: { watchFolders: [] } });
  try {
    const dir = join(h.dataDir, '..', 'watch');
    await writeFile(join(h.dataDir, '..', 'a.bin'), 'watched payload');
    const bytes = await createTorrent(join(h.dataDir, '..', 'a.bin'), { pieceLength: 16_384, trackers: [] });
    const id = parseTorrent(bytes).infoHashHex;
    await h.send({ type: 'setSettings', settings: { watchFolders: [{ path: dir, category: null, startPaused: true, afterAdd: 'rename' }] } });
    await writeFile(join(dir, 'a.torrent'), bytes);
    await h.until(() => h.list.has(id) && existsSync(join(dir, 'a.torrent.added')), 'the watched torrent in the list', 10_000);
    assert.equal(h.get(id).state, 'paused');
    await h.until(() => h.notices.some((n) => n.type === 'watchFolder' && n.outcome === 'added'), 'the added notice', 5_000);
  } finally {
    await h.close();
  }
});

test('watch folders that cannot be created are refused with the setting named; duplicates by the validator', async () => {
  const h = await SessionHarness.open();
  try {
    const blocker = join(h.dataDir, '..', 'a-file');
    await writeFile(blocker, 'x');
    await assert.rejects(
      h.send({ type: 'setSettings', settings: { watchFolders: [{ path: join(blocker, 'sub'), category: null, startPaused: false, afterAdd: 'keep' }] } }),
      /settings\.watchFolders\[0\]\.path: ".*a-file" is a file/,
    );
    const reply = await h.session.requestRaw({ kind: 'request', requestId: 9, command: { type: 'setSettings', settings: { watchFolders: [1, 2].map(() => ({ path: '/tmp/w', category: null, startPaused: false, afterAdd: 'keep' })) } } });
    assert.equal(reply.ok, false);
    assert.match(!reply.ok ? reply.error.message : '', /watchFolders\[1\]\.path.*repeats/);
  } finally {
    await h.close();
  }
});

test('the daemon\'s --watch folders join the saved ones (host-fixed) and are not saved themselves', async () => {
  const root = join(process.env.TMPDIR ?? '/tmp', `tessera-hostwatch-${process.pid}-${Date.now()}`);
  await mkdir(root, { recursive: true });
  const h = await SessionHarness.open({ extra: { watchFolders: [join(root, 'w')] } });
  try {
    const settings = await h.send({ type: 'getSettings' });
    assert.deepEqual(settings.watchFolders, [{ path: join(root, 'w'), category: null, startPaused: false, afterAdd: 'rename' }]);
    assert.ok(existsSync(join(root, 'w')), 'created at start');
    const saved = await h.send({ type: 'setSettings', settings: { watchFolders: [...settings.watchFolders, { path: join(root, 'mine'), category: null, startPaused: false, afterAdd: 'keep' }] } });
    assert.deepEqual(saved.watchFolders.map((f) => f.path), [join(root, 'mine'), join(root, 'w')]);
    const onDisk = JSON.parse(await readFile(join(h.dataDir, 'settings.json'), 'utf8')) as { watchFolders: { path: string }[] };
    assert.deepEqual(onDisk.watchFolders.map((f) => f.path), [join(root, 'mine')]);
  } finally {
    await h.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('the pause schedule pauses downloads with a reason and the status bar line, force start overrides it, and they resume after', { timeout: 30_000 }, async () => {
  const h = await SessionHarness.open();
  try {
    await writeFile(join(h.dataDir, '..', 'p.bin'), 'scheduled payload');
    const bytes = await createTorrent(join(h.dataDir, '..', 'p.bin'), { pieceLength: 16_384, trackers: [] });
    const { id } = await h.send({ type: 'add', source: { kind: 'torrent', data: bytes } });
    await h.until(() => h.get(id).state === 'downloading', 'downloading');
    // A window covering every minute but the one before now, every day: open for the whole test.
    const now = new Date();
    const minute = now.getHours() * 60 + now.getMinutes();
    const to = (minute + 1439) % 1440;
    const until = `${String(Math.floor(to / 60)).padStart(2, '0')}:${String(to % 60).padStart(2, '0')}`;
    await h.send({ type: 'setSettings', settings: { pauseSchedule: { days: [0, 1, 2, 3, 4, 5, 6], from: minute, to } } });
    await h.until(() => h.get(id).state === 'paused' && h.get(id).stateReason === `Paused: schedule until ${until}`, 'paused by the schedule');
    await h.until(() => h.global?.schedules?.downloadsPausedUntil === until, 'the status bar line');
    await h.send({ type: 'forceStart', ids: [id], enabled: true });
    await h.until(() => h.get(id).state === 'downloading', 'force-started despite the schedule');
    await h.send({ type: 'forceStart', ids: [id], enabled: false });
    await h.until(() => h.get(id).state === 'paused', 'held again');
    await h.send({ type: 'setSettings', settings: { pauseSchedule: null } });
    await h.until(() => h.get(id).state === 'downloading' && h.global?.schedules === undefined, 'resumed once the schedule ends');
  } finally {
    await h.close();
  }
});
