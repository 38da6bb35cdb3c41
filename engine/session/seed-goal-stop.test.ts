// A ratio goal stops the upload within about one piece of its target, and the paused row says why.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTorrent } from '../metainfo/create.js';
import { parseTorrent, type Metainfo } from '../metainfo/index.js';
import { Client } from './client.js';
import { patternBytes } from '../testing/wait.js';
import { SessionHarness } from './test-harness.js';

const SIZE = 4_000_000;
const PIECE = 32_768;
let root: string;
let src: string;
let big: { bytes: Uint8Array; meta: Metainfo };

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'tessera-goal-'));
  src = join(root, 'src');
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'big.bin'), patternBytes(SIZE, 5));
  const bytes = await createTorrent(join(src, 'big.bin'), { pieceLength: PIECE });
  big = { bytes, meta: parseTorrent(bytes) };
});

after(() => rmSync(root, { recursive: true, force: true }));

test('a 0.50 ratio goal pauses a seed within one piece of the goal (a fast loopback leecher cannot run past it), and says so', { timeout: 60_000 }, async () => {
  const h = await SessionHarness.open();
  const leecher = new Client({ host: '127.0.0.1' });
  try {
    await h.send({ type: 'setSettings', settings: { ratioLimit: 0.5 } });
    const { id } = await h.send({ type: 'add', source: { kind: 'torrent', data: big.bytes }, savePath: src });
    await h.until(() => h.get(id).state === 'seeding', 'the seed has verified its data', 30_000);
    // Let one tick set the upload goal on the running seed.
    await new Promise((r) => setTimeout(r, 500));
    await leecher.listen();
    await leecher.add(big.meta, { downloadDir: join(root, 'leech'), useTrackers: false, peers: [{ host: '127.0.0.1', port: h.session.port }] }).start();
    await h.until(() => h.get(id).state === 'paused', 'the goal pauses the seed', 30_000);
    const row = h.get(id);
    assert.equal(row.stateReason, 'ratio goal 0.50 reached');
    assert.equal(row.goalReached, 'ratio');
    const uploaded = row.uploadedTotal;
    assert.ok(uploaded >= SIZE * 0.5, `uploaded ${uploaded} reaches the goal`);
    assert.ok(uploaded <= SIZE * 0.5 + PIECE, `uploaded ${uploaded} stops within one piece (${PIECE}) of ${SIZE * 0.5}`);
    console.log(`paused at ${uploaded} bytes uploaded (goal ${SIZE * 0.5}, one piece ${PIECE})`);
    // Resuming with the goal in place pauses again at once (the UI offers to raise or ignore it instead).
    await h.send({ type: 'resume', ids: [id] });
    await h.until(() => h.get(id).state === 'paused' && h.get(id).stateReason === 'ratio goal 0.50 reached', 'paused again by the same goal');
    // Ignoring the goal: force start seeds on regardless.
    await h.send({ type: 'forceStart', ids: [id], enabled: true });
    await h.until(() => h.get(id).state === 'seeding' && h.get(id).stateReason === 'seeding (forced)', 'force start seeds past the goal');
  } finally {
    await leecher.close();
    await h.close();
  }
});
