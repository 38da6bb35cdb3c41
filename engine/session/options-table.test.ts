import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TorrentOptionValues } from '../api/types.js';
import { parseRequest } from '../api/validate.js';
import { decodeResumeRecord, DEFAULT_TORRENT_OPTIONS, encodeResumeRecord, TORRENT_OPTION_FIELDS, TORRENT_OPTION_KEYS } from '../storage/resume/resume-record.js';
import { OPTION_EFFECTS, setTorrentOptions } from './options-table.js';
import { entryFromRecord, entryToRecord, newEntry } from './persist.js';

// A torrent's options are declared once (TorrentOptionValues) and copied by key. These tests fail
// when an option is added to one table but not the others, or when a copy drops one.

const ID = 'ab'.repeat(20);

/** A valid value that is not the default, so a copy that forgets the option shows. */
function sample(key: keyof TorrentOptionValues): TorrentOptionValues[typeof key] {
  if (key === 'trackers') return [['http://tracker.example/announce', 'udp://backup.example:6969'], ['https://other.example/a']];
  if (key === 'category') return 'Movies/4K';
  if (key === 'tags') return ['hd', 'linux'];
  const d = DEFAULT_TORRENT_OPTIONS[key];
  if (typeof d === 'boolean') return !d;
  if (d === null) return 3;
  if (typeof d === 'number') return d + 1;
  assert.fail(`no sample value for option ${key}: extend sample() in this test`);
}

function entry(): ReturnType<typeof newEntry> {
  return newEntry({ id: ID, name: 'x', meta: null, magnetUri: null, savePath: '/d', addedAt: 1, position: 0, paused: false });
}

test('every option has a row in the record table and the session table', () => {
  assert.deepEqual([...TORRENT_OPTION_KEYS].sort(), Object.keys(OPTION_EFFECTS).sort());
  assert.deepEqual(Object.keys(TORRENT_OPTION_FIELDS), TORRENT_OPTION_KEYS);
  assert.deepEqual(Object.keys(DEFAULT_TORRENT_OPTIONS).sort(), [...TORRENT_OPTION_KEYS].sort());
});

test('a new entry starts with the default options', () => {
  const e = entry();
  for (const k of TORRENT_OPTION_KEYS) assert.deepEqual(e[k], DEFAULT_TORRENT_OPTIONS[k], k);
});

test('setTorrentOptions accepts each option and the entry takes it, and only it', () => {
  for (const k of TORRENT_OPTION_KEYS) {
    const parsed = parseRequest({ kind: 'request', requestId: 1, command: { type: 'setTorrentOptions', id: ID, options: { [k]: sample(k) } } });
    assert.ok(parsed.ok, `the protocol refuses ${k}: ${parsed.ok ? '' : parsed.error.message}`);
    const cmd = parsed.request.command;
    assert.equal(cmd.type, 'setTorrentOptions');
    if (cmd.type !== 'setTorrentOptions') return;
    const e = entry();
    setTorrentOptions(e, cmd.options);
    for (const other of TORRENT_OPTION_KEYS) assert.deepEqual(e[other], other === k ? sample(k) : DEFAULT_TORRENT_OPTIONS[other], `after setting ${k}: ${other}`);
  }
});

test('every option survives entry -> record -> file -> record -> entry', () => {
  const e = entry();
  setTorrentOptions(e, Object.fromEntries(TORRENT_OPTION_KEYS.map((k) => [k, sample(k)])));
  const decoded = decodeResumeRecord(encodeResumeRecord(entryToRecord(e)));
  assert.equal(decoded.reason, null);
  const back = entryFromRecord(decoded.record!);
  for (const k of TORRENT_OPTION_KEYS) {
    assert.deepEqual(decoded.record![k], sample(k), `record: ${k}`);
    assert.deepEqual(back[k], sample(k), `entry: ${k}`);
  }
});

test('a record missing an option is refused, not read as its default (except options added later, read as their default)', () => {
  for (const k of TORRENT_OPTION_KEYS) {
    if (TORRENT_OPTION_FIELDS[k].addedLater) {
      const json = JSON.parse(encodeResumeRecord(entryToRecord(entry()))) as Record<string, unknown>;
      delete json[k];
      const decoded = decodeResumeRecord(JSON.stringify(json));
      assert.equal(decoded.reason, null, k);
      assert.deepEqual(decoded.record![k], DEFAULT_TORRENT_OPTIONS[k], k);
      continue;
    }
    const json = JSON.parse(encodeResumeRecord(entryToRecord(entry()))) as Record<string, unknown>;
    delete json[k];
    assert.match(decodeResumeRecord(JSON.stringify(json)).reason ?? '', new RegExp(k), k);
  }
});

test('first and last pieces first takes effect on a running torrent at once (its piece priorities are recomputed)', async () => {
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { createTorrent } = await import('../metainfo/create.js');
  const { parseTorrent } = await import('../metainfo/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'tessera-firstlast-'));
  try {
    writeFileSync(join(dir, 'f.bin'), new Uint8Array(16_384 * 8));
    const meta = parseTorrent(await createTorrent(join(dir, 'f.bin'), { pieceLength: 16_384 }));
    const e = newEntry({ id: meta.infoHashHex, name: 'f', meta, magnetUri: null, savePath: dir, addedAt: 1, position: 0, paused: false });
    e.filePriorities = ['normal'];
    const sent: Uint8Array[] = [];
    e.torrent = { setPiecePriorities: (p: Uint8Array) => sent.push(Uint8Array.from(p)) } as unknown as NonNullable<typeof e.torrent>;
    setTorrentOptions(e, { firstLastPiecesFirst: true });
    assert.equal(sent.length, 1, 'the running torrent got new piece priorities');
    const p = sent[0];
    assert.ok(p[0] > p[3] && p[7] > p[3], `first and last pieces rank above the middle: ${[...p].join(',')}`);
    setTorrentOptions(e, { downloadLimit: 5 });
    assert.equal(sent.length, 1, 'an option without that effect leaves the priorities alone');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
