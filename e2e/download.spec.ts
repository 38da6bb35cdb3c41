// A user drops a .torrent on the window, picks files, and watches it download from a real seeder
// (libtorrent, not our code) on loopback: the row reaches 100 %, the Peers tab names the seeder's client,
// and the piece map fills while it downloads.
import { readFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect } from './fixtures/app.js';
import { startSwarm } from './fixtures/swarm.js';
import { dropFiles, expectComplete, snap, torrentRow } from './fixtures/ui.js';

test('drop a .torrent, choose files, download to 100 % from libtorrent; peers and piece map', async ({ tessera, app }, testInfo) => {
  test.setTimeout(120_000);
  // Rate-limited so the piece map can be seen filling rather than only full.
  const swarm = await startSwarm(tessera.workDir, 'Dropped payload', { uploadLimit: 400_000 });
  try {
    await dropFiles(app, [{ name: 'dropped.torrent', bytes: swarm.torrentBytes }]);
    const dialog = app.getByRole('dialog', { name: 'Add torrent' });
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText('Dropped payload');
    // Leave one file out: it must not be downloaded in full.
    await dialog.getByRole('checkbox', { name: 'Download c.dat', exact: true }).uncheck();
    await snap(app, testInfo, 'add-dialog');
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await expect(dialog).toBeHidden();

    const row = torrentRow(app, 'Dropped payload');
    await expect(row).toBeVisible();
    await row.click();
    await app.getByRole('tab', { name: 'Pieces' }).click();
    const map = app.getByRole('img', { name: /^Piece map: / });
    const counts: number[] = [];
    await expect
      .poll(
        async () => {
          const label = (await map.getAttribute('aria-label')) ?? '';
          const m = /([\d,]+) of ([\d,]+) pieces/.exec(label);
          if (!m) return 'no count';
          const [have, total] = [Number(m[1].replace(/,/g, '')), Number(m[2].replace(/,/g, ''))];
          if (counts.at(-1) !== have) counts.push(have);
          return have > 0 && have < total ? 'filling' : have === total ? 'full' : 'empty';
        },
        { timeout: 60_000, intervals: [100] },
      )
      .toBe('filling');
    await snap(app, testInfo, 'piece-map-filling');

    await app.getByRole('tab', { name: 'Peers' }).click();
    await expect(app.getByRole('table', { name: 'Peers' })).toContainText(/libtorrent/i, { timeout: 20_000 });
    await snap(app, testInfo, 'peers-tab');

    await expectComplete(app, 'Dropped payload', 90_000);
    await app.getByRole('tab', { name: 'Pieces' }).click();
    const last = /([\d,]+) of ([\d,]+) pieces/.exec((await map.getAttribute('aria-label')) ?? '');
    expect(last, 'the piece map names its counts').not.toBeNull();
    expect(Number(last![1].replace(/,/g, '')), 'more pieces than at the first look').toBeGreaterThan(counts[0] ?? 0);
    await snap(app, testInfo, 'complete');

    // The chosen files are byte for byte the seeder's; the left-out one is not complete.
    const got = join(tessera.downloadDir, 'Dropped payload');
    for (const f of swarm.payload.files) {
      const mine = join(got, ...f.path.split('/'));
      const theirs = join(swarm.payload.root, ...f.path.split('/'));
      if (f.path === 'c.dat') {
        expect(existsSync(mine) && statSync(mine).size === f.size && readFileSync(mine).equals(readFileSync(theirs)), 'c.dat was skipped').toBe(false);
      } else if (f.size > 0) {
        expect(readFileSync(mine).equals(readFileSync(theirs)), `${f.path} matches the seeder`).toBe(true);
      }
    }
  } finally {
    await swarm.close();
  }
});
