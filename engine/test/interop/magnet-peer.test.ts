// Issue 15: `tessera download <magnet> --peer host:port` must dial the given peer. Peers given with addPeers (which
// is how the CLI passes --peer) reach a metadata fetch that is running, but the fetch a queued magnet starts later
// dialled only the magnet's own x.pe addresses, so the peers were lost. The seeder is libtorrent.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertTreesEqual, freePort, makeTestPayload, makeTorrent, startLibtorrent, stopAll, withTimeout } from '../../testing/index.js';
import { lastJsonLine, startTessera } from './tessera-process.js';
import { Session } from '../../session/session.js';
import type { Command, TorrentSummary } from '../../api/types.js';
import { waitUntil } from '../../testing/wait.js';

async function libtorrentSeed(name: string): Promise<{ port: number; infoHash: string; payloadRoot: string; payloadName: string; stop(): Promise<unknown> }> {
  const payload = await makeTestPayload(join(root, name), { name, files: [{ path: 'a.bin', size: 700_000 }, { path: 'b.bin', size: 90_001 }], seed: 3 });
  const torrent = await makeTorrent({ source: payload.root, out: join(root, `${name}.torrent`), tiers: [], pieceLengthLog2: 15 });
  const port = await freePort();
  const seeder = await startLibtorrent({ role: 'seed', torrentFile: torrent.file, dataDir: join(root, name), port, noTrackers: true });
  await seeder.ready;
  return { port, infoHash: torrent.infoHash, payloadRoot: payload.root, payloadName: payload.name, stop: () => seeder.stop() };
}

const root = mkdtempSync(join(tmpdir(), 'tessera-magnet-peer-'));
after(async () => {
  await stopAll();
  rmSync(root, { recursive: true, force: true });
});

test('download <magnet> --peer dials the given libtorrent seeder and completes', { timeout: 90_000 }, async () => {
  const payload = await makeTestPayload(join(root, 'seed'), { name: 'mp', files: [{ path: 'a.bin', size: 700_000 }, { path: 'b.bin', size: 90_001 }], seed: 3 });
  const torrent = await makeTorrent({ source: payload.root, out: join(root, 'mp.torrent'), tiers: [], pieceLengthLog2: 15 });
  const port = await freePort();
  const seeder = await startLibtorrent({ role: 'seed', torrentFile: torrent.file, dataDir: join(root, 'seed'), port, noTrackers: true });
  try {
    await seeder.ready;
    const out = join(root, 'out');
    const tessera = startTessera(['download', `magnet:?xt=urn:btih:${torrent.infoHash}&dn=mp&tr=${encodeURIComponent('udp://127.0.0.1:9/announce')}`, '--out', out, '--peer', `127.0.0.1:${port}`, '--json', '--verbose'], root, 'tessera');
    const exit = await withTimeout(tessera.exited, 30_000, 'tessera download <magnet> --peer');
    assert.equal(exit.code, 0, `tessera exited ${exit.code}:\n${tessera.tail(30)}`);
    const summary = lastJsonLine(tessera.lines());
    assert.equal(summary.complete, true);
    // The README lists exactly the fields the summary has.
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
    const listed = /With `--json` its last line on stdout is a summary: (.*?)\. /.exec(readme)?.[1] ?? '';
    assert.deepEqual([...listed.matchAll(/`(\w+)`/g)].map((m) => m[1]), Object.keys(summary), 'README download --json fields');
    console.log(`# magnet + --peer: ${summary.totalBytes} bytes in ${summary.seconds} s`);
    await assertTreesEqual(payload.root, join(out, payload.name));
  } finally {
    await seeder.stop();
  }
});

test('peers added to a queued magnet are dialled when its metadata fetch starts', { timeout: 90_000 }, async () => {
  const seed = await libtorrentSeed('queued');
  const list = new Map<string, TorrentSummary>();
  const session = await Session.open({
    dataDir: join(root, 'session'),
    defaultDownloadDir: join(root, 'session-dl'),
    listenHost: '127.0.0.1',
    listenPort: 0,
    batchIntervalMs: 50,
    onEvent: (e) => {
      if (e.kind === 'snapshot') for (const t of e.torrents) list.set(t.id, t);
      else if (e.kind === 'batch') for (const t of [...e.added, ...e.changed]) list.set(t.id, { ...list.get(t.id), ...t } as TorrentSummary);
    },
  });
  let requestId = 0;
  const send = async (command: Command): Promise<unknown> => {
    const reply = await session.request({ kind: 'request', requestId: ++requestId, command });
    if (!reply.ok) throw new Error(reply.error.message);
    return reply.result;
  };
  try {
    await send({ type: 'snapshot' });
    await send({ type: 'setSettings', settings: { maxActiveDownloads: 1 } });
    // A magnet nobody serves holds the only download slot; ours waits in the queue when its peer is added.
    await send({ type: 'add', source: { kind: 'magnet', uri: `magnet:?xt=urn:btih:${'ab'.repeat(20)}` } });
    await send({ type: 'add', source: { kind: 'magnet', uri: `magnet:?xt=urn:btih:${seed.infoHash}` } });
    await send({ type: 'addPeers', id: seed.infoHash, peers: [`127.0.0.1:${seed.port}`] });
    await send({ type: 'pause', ids: ['ab'.repeat(20)] });
    await waitUntil(() => list.get(seed.infoHash)?.state === 'seeding', 30_000, () => `not complete: ${JSON.stringify(list.get(seed.infoHash))}`);
    await assertTreesEqual(seed.payloadRoot, join(root, 'session-dl', seed.payloadName));
  } finally {
    await session.close();
    await seed.stop();
  }
});
