import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpeedHistory } from '../store/speed-history.js';
import { MAX_SAVED_SAMPLES, restoreHistory, saveHistory, serializeHistory, SPEED_HISTORY_KEY } from './speed-history-store.js';

function memoryStorage(): Pick<Storage, 'getItem' | 'setItem'> & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

test('the speed graph history survives a reload: samples saved and restored in order', () => {
  const before = new SpeedHistory(100);
  for (let i = 0; i < 10; i++) before.push(1_000_000 + i * 333, i * 1000.4, i * 10);
  const storage = memoryStorage();
  saveHistory(before, storage);
  const after = new SpeedHistory(100);
  assert.equal(restoreHistory(after, storage, 1_000_000 + 10 * 333), 10);
  assert.equal(after.length, 10);
  assert.equal(after.times[after.slot(9)], 1_000_000 + 9 * 333);
  assert.equal(after.down[after.slot(3)], 3001, 'rounded to whole bytes/s');
  assert.equal(after.up[after.slot(9)], 90);
});

test('bounded: at most MAX_SAVED_SAMPLES saved, old samples and garbage are dropped', () => {
  const big = new SpeedHistory(MAX_SAVED_SAMPLES + 500);
  for (let i = 0; i < MAX_SAVED_SAMPLES + 500; i++) big.push(i * 250, 1, 1);
  const saved = JSON.parse(serializeHistory(big)) as { t: number[] };
  assert.equal(saved.t.length, MAX_SAVED_SAMPLES);

  const storage = memoryStorage();
  const h = new SpeedHistory(10);
  for (let i = 0; i < 10; i++) h.push(i * 60_000, 5, 5);
  saveHistory(h, storage);
  const restored = new SpeedHistory(10);
  // Now = 10 min: only the samples of the last five minutes come back.
  assert.equal(restoreHistory(restored, storage, 10 * 60_000), 5);

  for (const junk of ['nope', '[]', '{"v":1,"at":0,"t":[1],"d":[],"u":[]}', '{"v":2}', '{"v":1,"at":0,"t":[-5],"d":[1],"u":[1]}']) {
    storage.data.set(SPEED_HISTORY_KEY, junk);
    assert.equal(restoreHistory(new SpeedHistory(10), storage, 1000), 0, junk);
  }
});

test('samples that arrived before the restore stay, after the restored ones', () => {
  const storage = memoryStorage();
  const old = new SpeedHistory(20);
  for (let i = 0; i < 5; i++) old.push(10_000 + i * 1000, 7, 7);
  saveHistory(old, storage);
  const h = new SpeedHistory(20);
  h.push(20_000, 99, 99);
  assert.equal(restoreHistory(h, storage, 20_500), 5);
  assert.equal(h.length, 6);
  assert.equal(h.down[h.slot(5)], 99);
  assert.equal(h.times[h.slot(0)], 10_000);
});
