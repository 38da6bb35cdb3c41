// The decisions behind "volume offline" (issue 15): when a save folder's volume counts as gone and as back.
// The real unmount and remount are in engine/test/lab/volume-offline.test.ts (it needs root).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filesBack, folderBack, offlineAtStart, offlineReason, probeFolder, probeFolderSync, probeMountSync, saveVolumeOf, volumeAwayNow, volumeGone, type VolumeState } from './volume.js';

const running = (dev: number | null): VolumeState => ({ path: '/mnt/x', dev, offline: null });

test('a running folder is gone when it vanished, fails with a device error, or sits on another device', () => {
  assert.equal(volumeGone(running(7), { dev: 7 }), false);
  assert.equal(volumeGone(running(7), { dev: 8 }), true, 'the bare mount point after an unmount');
  assert.equal(volumeGone(running(7), { code: 'ENOENT' }), true);
  for (const code of ['EIO', 'ENODEV', 'ENXIO', 'ESTALE', 'ENOTCONN']) assert.equal(volumeGone(running(7), { code }), true, code);
  assert.equal(volumeGone(running(7), { code: 'EACCES' }), false, 'a permission problem is not a missing volume');
  assert.equal(volumeGone(running(null), { code: 'ENOENT' }), false, 'a folder not created yet never had a volume');
  assert.equal(volumeGone(running(null), { dev: 3 }), false);
});

test('an offline folder is back once it exists and is not the bare folder seen while it was gone', () => {
  const gone = (devWhileGone: number | null): VolumeState => ({ path: '/mnt/x', dev: 7, offline: { since: 0, devWhileGone } });
  assert.equal(folderBack(gone(2), { dev: 2 }), false, 'still the bare mount point');
  assert.equal(folderBack(gone(2), { dev: 9 }), true, 'mounted again (a tmpfs gets a new device number)');
  assert.equal(folderBack(gone(null), { code: 'ENOENT' }), false);
  assert.equal(folderBack(gone(null), { dev: 7 }), true);
  assert.equal(folderBack(running(7), { dev: 9 }), false, 'not offline');
});

test('files are back when each recorded file with data is there with at least its recorded size', () => {
  const recorded = [{ size: 100 }, null, { size: 0 }, { size: 50 }];
  const none = (): boolean => false;
  assert.equal(filesBack(recorded, [{ size: 100 }, { size: -1 }, { size: -1 }, { size: 60 }], none), true, 'a grown download file counts');
  assert.equal(filesBack(recorded, [{ size: 100 }, { size: 5 }, { size: 0 }, { size: -1 }], none), false, 'one file still missing');
  assert.equal(filesBack(recorded, [{ size: 99 }, { size: 5 }, { size: 0 }, { size: 50 }], none), false, 'half written');
  assert.equal(filesBack(recorded, [{ size: 100 }, { size: 5 }, { size: 0 }, { size: -1 }], (i) => i === 3), true, 'a skipped file does not matter');
  assert.equal(filesBack(null, [], none), true);
});

test('the reason says what happened and what to do', () => {
  assert.equal(offlineReason('/mnt/x'), 'Volume offline: /mnt/x is not mounted — reconnect it; Tessera resumes by itself');
});

test('probes stat the folder; volumeAwayNow costs nothing without a volume state', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-vol-'));
  try {
    const p = probeFolderSync(dir);
    assert.ok('dev' in p);
    assert.deepEqual(await probeFolder(dir), p);
    assert.deepEqual(probeFolderSync(join(dir, 'nope')), { code: 'ENOENT' });
    assert.equal(volumeAwayNow(undefined, join(dir, 'nope')), false);
    const state: VolumeState = { path: dir, dev: p.dev, offline: null };
    assert.equal(volumeAwayNow(state, dir), false);
    assert.equal(volumeAwayNow({ ...state, dev: p.dev + 1 }, dir), true);
    assert.equal(volumeAwayNow({ ...state, offline: { since: 0, devWhileGone: null } }, dir), true);
    assert.equal(volumeAwayNow(state, join(dir, 'moved')), false, 'moved elsewhere: the device is taken again');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a start that finds the files missing calls it volume offline only when the recorded volume is not mounted', () => {
  const usb = { dev: 7, mountPoint: '/media/usb' };
  assert.equal(offlineAtStart(usb, { dev: 2 }, { dev: 2, parentDev: 2 }), true, 'the bare mount point (the folder on the parent device)');
  assert.equal(offlineAtStart({ dev: 7, mountPoint: '/media' }, { code: 'ENOENT' }, { dev: 2, parentDev: 2 }), true, 'a folder inside the volume, its mount point bare');
  assert.equal(offlineAtStart(usb, { code: 'ENOENT' }, { code: 'ENOENT' }), true, 'the mount point was removed with the unmount');
  assert.equal(offlineAtStart(usb, { dev: 9 }, { dev: 9, parentDev: 2 }), true, 'another volume mounted there');
  assert.equal(offlineAtStart(usb, { dev: 7 }, { dev: 7, parentDev: 2 }), false, 'mounted: the files really are gone');
  assert.equal(offlineAtStart(usb, { code: 'ENOENT' }, { dev: 7, parentDev: 2 }), false, 'mounted, the folder deleted: files missing');
  assert.equal(offlineAtStart({ dev: 1, mountPoint: '/' }, { code: 'ENOENT' }, { dev: 1, parentDev: null }), false, 'the root file system is never offline');
  assert.equal(offlineAtStart(usb, { code: 'EACCES' }, { code: 'EACCES' }), false, 'a permission problem is not a missing volume');
});

test('the volume kept in the record: the folder\'s device and the highest folder above it on that device', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-vol-'));
  try {
    const v = saveVolumeOf(dir);
    assert.ok(v);
    assert.equal(v.dev, (probeFolderSync(dir) as { dev: number }).dev);
    assert.ok(dir.startsWith(v.mountPoint), `${v.mountPoint} is above ${dir}`);
    const mount = probeMountSync(v.mountPoint);
    assert.ok('dev' in mount && mount.dev === v.dev && mount.parentDev !== mount.dev || v.mountPoint === '/', 'a mount point: its parent is on another device');
    assert.equal(saveVolumeOf(join(dir, 'not yet created')), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
