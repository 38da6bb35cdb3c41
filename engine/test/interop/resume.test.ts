// An interrupted `tessera download` continues where it stopped: no verified piece is fetched again.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertTreesEqual, freePort, makeTestPayload, makeTorrent, startLibtorrent, stopAll } from '../../testing/index.js';
import { lastJsonLine, startTessera } from './tessera-process.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-resume-'));
after(async () => {
  await stopAll();
  rmSync(root, { recursive: true, force: true });
});

test('a download killed with SIGKILL resumes without fetching verified pieces again', { timeout: 120_000 }, async () => {
  const payload = await makeTestPayload(join(root, 'seed'), { name: 'resume', files: [{ path: 'a.bin', size: 6_000_000 }, { path: 'b.bin', size: 1_500_007 }] });
  const torrent = await makeTorrent({ source: payload.root, out: join(root, 'resume.torrent'), tiers: [], pieceLengthLog2: 15 });
  // A slow seeder, so the first run is still downloading when it is killed.
  const seeder = await startLibtorrent({ role: 'seed', torrentFile: torrent.file, dataDir: join(root, 'seed'), port: await freePort(), noTrackers: true, uploadLimit: 2_000_000 });
  await seeder.ready;
  const out = join(root, 'out');
  const args = ['download', torrent.file, '--out', out, '--peer', `127.0.0.1:${seeder.port}`, '--json', '--verbose'];
  try {
    const first = startTessera(args, root, 'first');
    await first.waitForLine(/^connected to /, 20_000);
    await new Promise((r) => setTimeout(r, 1500));
    first.signal('SIGKILL');
    const killed = await first.exited;
    assert.equal(killed.signal, 'SIGKILL', 'the first run was killed before it finished');

    const second = startTessera(args, root, 'second');
    const exit = await second.exited;
    const lines = second.lines();
    assert.equal(exit.code, 0, lines.slice(-20).join('\n'));
    const checked = lines.map((l) => /^checked existing data: (\d+)\/(\d+) pieces verified \((\d+) bytes\)/.exec(l)).find(Boolean);
    assert.ok(checked, 'the second run reported what it found on disk');
    const [, pieces, , bytes] = checked.map(Number);
    const summary = lastJsonLine(lines);
    console.log(`# resume: ${pieces} pieces (${bytes} bytes) survived the kill; the second run received ${summary.downloadedBytes} of ${summary.totalBytes}`);
    assert.ok(pieces > 0, 'some pieces were verified before the kill');
    assert.ok(bytes < summary.totalBytes, 'the kill happened before the end');
    assert.equal(summary.downloadedBytes, summary.totalBytes - bytes, 'only the missing pieces were fetched');
    await assertTreesEqual(payload.root, join(out, 'resume'));
  } finally {
    await seeder.stop();
  }
});
