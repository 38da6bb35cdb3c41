import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InspectResult } from '../../engine/api/types.js';
import { addOrder, allRead, batchSummary, itemDetail, itemName, itemStateOf, type BatchItem } from './batch-add.js';
import { createTesseraStore } from '../store/store.js';

function info(name: string, fields: Partial<InspectResult> = {}): InspectResult {
  return { name, infoHash: name.padEnd(40, '0'), totalBytes: 1024 * 1024, pieceLength: 16384, pieceCount: 64, files: [{ index: 0, path: `${name}.bin`, length: 1024 * 1024 }], fileCount: 1, private: false, comment: null, createdBy: null, metadataKnown: true, alreadyAdded: false, ...fields };
}

function item(key: number, state: BatchItem['state'], label = `item${key}`): BatchItem {
  return { key, source: { kind: 'magnet', uri: `magnet:?xt=urn:btih:${key}` }, label, state };
}

test('Add all adds the ready items in the batch order, last first when they go to the top of the queue', () => {
  const items = [item(1, itemStateOf(info('a'))), item(2, itemStateOf(info('b', { alreadyAdded: true }))), item(3, { kind: 'unusable', reason: 'bad' }), item(4, itemStateOf(info('d')))];
  assert.deepEqual(addOrder(items, false).map((i) => i.key), [1, 4]);
  assert.deepEqual(addOrder(items, true).map((i) => i.key), [4, 1]);
  assert.equal(allRead(items), true);
  assert.equal(allRead([...items, item(5, { kind: 'reading' })]), false);
});

test('the summary counts what is added and names what is skipped', () => {
  const items = [item(1, itemStateOf(info('a'))), item(2, itemStateOf(info('b'))), item(3, itemStateOf(info('c', { alreadyAdded: true }))), item(4, { kind: 'unusable', reason: 'not bencoded' })];
  assert.equal(batchSummary(items), '2 to add, 2.00 MiB · 1 already in your list · 1 not usable');
  const magnet = item(5, itemStateOf(info('m', { metadataKnown: false, totalBytes: 0, files: [] })));
  assert.equal(batchSummary([magnet]), '1 to add (sizes of 1 magnet link known later)');
});

test('each item says what it is and what will happen to it', () => {
  assert.equal(itemDetail(item(1, itemStateOf(info('a')))), '1.00 MiB in 1 file');
  assert.equal(itemDetail(item(2, itemStateOf(info('b', { alreadyAdded: true })))), 'Already in your list: it will be skipped');
  assert.equal(itemDetail(item(3, { kind: 'failed', info: null, reason: 'disk full' })), 'Not added: disk full');
  assert.equal(itemName(item(4, { kind: 'reading' }, 'dropped')), 'dropped');
  assert.equal(itemName(item(5, itemStateOf(info('Real name')), 'file')), 'Real name');
});

test('the queue: several requests leave together, and "one by one" lasts until the queue is empty', () => {
  const store = createTesseraStore();
  const s = store.getState();
  s.queueAdd([1, 2, 3].map((n) => ({ source: { kind: 'magnet' as const, uri: `magnet:?xt=urn:btih:${n}` }, label: String(n) })));
  s.setAddOneByOne(true);
  const keys = store.getState().addQueue.map((r) => r.key);
  store.getState().finishAdds(keys.slice(0, 2));
  assert.deepEqual(store.getState().addQueue.map((r) => r.label), ['3']);
  assert.equal(store.getState().addOneByOne, true);
  store.getState().finishAdd(keys[2]);
  assert.equal(store.getState().addQueue.length, 0);
  assert.equal(store.getState().addOneByOne, false, 'the next batch opens the batch dialog again');
});
