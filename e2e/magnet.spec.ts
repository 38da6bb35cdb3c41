// A user pastes a magnet link (Ctrl+V on the window): the Add dialog opens at once, fills in the file
// list when the metadata arrives from the seeder, and the torrent then downloads to 100 %.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect } from './fixtures/app.js';
import { startSwarm } from './fixtures/swarm.js';
import { expectComplete, pasteText, snap, torrentRow } from './fixtures/ui.js';

test('paste a magnet link: metadata fills the dialog, then it downloads from libtorrent', async ({ tessera, app }, testInfo) => {
  test.setTimeout(120_000);
  const swarm = await startSwarm(tessera.workDir, 'Magnet payload', { seed: 2 });
  try {
    await expect(app.getByRole('grid', { name: 'Torrents' })).toBeVisible();
    await pasteText(app, `Look at this: ${swarm.magnet}`);
    const dialog = app.getByRole('dialog', { name: 'Add torrent' });
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText('Magnet payload');
    // The file tree appears once the metadata has come over ut_metadata (BEP 9).
    await expect(dialog.getByRole('checkbox', { name: /b\.bin/ })).toBeVisible({ timeout: 45_000 });
    await expect(dialog).toContainText('tiny.txt');
    await snap(app, testInfo, 'magnet-dialog-filled');
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await expect(dialog).toBeHidden();

    await expect(torrentRow(app, 'Magnet payload')).toBeVisible();
    await expectComplete(app, 'Magnet payload', 90_000);
    await snap(app, testInfo, 'magnet-complete');
    for (const f of swarm.payload.files) {
      if (f.size === 0) continue;
      const mine = readFileSync(join(tessera.downloadDir, 'Magnet payload', ...f.path.split('/')));
      expect(mine.equals(readFileSync(join(swarm.payload.root, ...f.path.split('/')))), `${f.path} matches the seeder`).toBe(true);
    }
  } finally {
    await swarm.close();
  }
});
