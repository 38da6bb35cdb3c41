// Several .torrent files dropped together open ONE dialog: the batch, with shared options and "Add all".
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect } from './fixtures/app.js';
import { dropFiles, snap, torrentRow } from './fixtures/ui.js';
import { makeTestPayload, makeTorrent } from '../engine/testing/index.js';

test('a batch of three files added with "Add all", started paused by the shared option', async ({ tessera, app }, testInfo) => {
  const names = ['Batch one', 'Batch two', 'Batch three'];
  const files = [];
  for (const [i, name] of names.entries()) {
    const payload = await makeTestPayload(join(tessera.workDir, `batch-${i}`), { name, seed: 20 + i, files: [{ path: `${i}.bin`, size: 30_000 + i }] });
    const t = await makeTorrent({ source: payload.root, out: join(tessera.workDir, `batch-${i}.torrent`), tiers: [['http://127.0.0.1:9/announce']], pieceLengthLog2: 15 });
    files.push({ name: `${name}.torrent`, bytes: readFileSync(t.file) });
  }
  await expect(app.getByRole('grid', { name: 'Torrents' })).toBeVisible();
  await dropFiles(app, files);

  const dialog = app.getByRole('dialog', { name: 'Add torrents' });
  await expect(dialog).toBeVisible();
  // One dialog for the three, not the single Add dialog three times.
  await expect(app.getByRole('dialog')).toHaveCount(1);
  const list = dialog.getByRole('list', { name: 'Torrents to add' });
  await expect(list.getByRole('listitem')).toHaveCount(3);
  for (const name of names) await expect(list).toContainText(name);
  await expect(dialog.getByRole('status')).toContainText('3 to add');

  await dialog.getByLabel('Save all to').fill(tessera.downloadDir);
  await dialog.getByRole('checkbox', { name: 'Start paused' }).check();
  await snap(app, testInfo, 'batch-add');
  await dialog.getByRole('button', { name: 'Add all' }).click();
  await expect(dialog).toBeHidden();

  for (const name of names) {
    const row = torrentRow(app, name);
    await expect(row).toBeVisible();
    await expect(row.locator('.status')).toContainText('Paused');
  }
  await expect(app.getByRole('dialog')).toHaveCount(0);
});
