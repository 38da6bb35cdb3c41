import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCommand, EMPTY_CREATE_FORM, parseTiers, tiersText } from './create-form.js';

test('trackers: one a line, a blank line between tiers, and back', () => {
  const tiers = parseTiers('http://a/announce\nudp://b:80\n\n\nhttps://c/x\n');
  assert.deepEqual(tiers, [['http://a/announce', 'udp://b:80'], ['https://c/x']]);
  assert.deepEqual(parseTiers(tiersText(tiers)), tiers);
});

test('the command carries the form; bad input names the field and what to do', () => {
  const ok = createCommand({ ...EMPTY_CREATE_FORM, path: '/data/album', trackers: 'http://t/announce', pieceLength: '262144', comment: ' hi ' });
  assert.ok(ok.ok);
  assert.deepEqual(ok.command, { type: 'createTorrent', path: '/data/album', trackers: [['http://t/announce']], webSeeds: [], pieceLength: 262_144, private: false, comment: 'hi', format: 'hybrid', seed: true });
  const rel = createCommand({ ...EMPTY_CREATE_FORM, path: 'album' });
  assert.ok(!rel.ok && rel.field === 'path' && /relative/.test(rel.message));
  const bad = createCommand({ ...EMPTY_CREATE_FORM, path: '/a', trackers: 'ftp://x' });
  assert.ok(!bad.ok && bad.field === 'trackers');
  const v2 = createCommand({ ...EMPTY_CREATE_FORM, path: '/a', format: 'v2' });
  assert.ok(!v2.ok && v2.field === 'format');
  assert.ok(createCommand({ ...EMPTY_CREATE_FORM, path: '/a', format: 'v2', seed: false }).ok);
});
