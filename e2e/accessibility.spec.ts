// Accessibility audit (axe-core) of the main window, each details tab, the Add, batch Add and Settings dialogs and
// the context menu, in both themes: no violations at all, contrast included.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { test, expect } from './fixtures/app.js';
import { dropFiles, snap, torrentRow } from './fixtures/ui.js';
import { makeTestPayload, makeTorrent } from '../engine/testing/index.js';
import type { Page } from '@playwright/test';

async function audit(app: Page, where: string): Promise<string[]> {
  const result = await new AxeBuilder({ page: app }).analyze();
  return result.violations.map((v) => `${where}: ${v.id} (${v.impact ?? 'n/a'}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 4).join(', ')}`);
}

test('axe finds no accessibility violations in the window, the details tabs, the dialogs and the menus, light and dark', async ({ tessera, app }, testInfo) => {
  // Twenty axe audits: about a minute on a quiet machine, over two when the machine is shared.
  test.setTimeout(240_000);
  const payload = await makeTestPayload(join(tessera.workDir, 'a11y'), { name: 'Audited payload', seed: 9, files: [{ path: 'one.bin', size: 50_000 }, { path: 'sub/two.bin', size: 20_000 }] });
  const t = await makeTorrent({ source: payload.root, out: join(tessera.workDir, 'a11y.torrent'), tiers: [['http://127.0.0.1:9/announce']], pieceLengthLog2: 15 });
  const bytes = readFileSync(t.file);
  const secondPayload = await makeTestPayload(join(tessera.workDir, 'a11y-2'), { name: 'Second payload', seed: 10, files: [{ path: 'three.bin', size: 30_000 }] });
  const second = readFileSync((await makeTorrent({ source: secondPayload.root, out: join(tessera.workDir, 'a11y-2.torrent'), tiers: [['http://127.0.0.1:9/announce']], pieceLengthLog2: 15 })).file);
  await expect(app.getByRole('grid', { name: 'Torrents' })).toBeVisible();
  const found: string[] = [];

  for (const scheme of ['light', 'dark'] as const) {
    await app.emulateMedia({ colorScheme: scheme });
    await expect(app.locator('html')).toHaveAttribute('data-theme', scheme);
    found.push(...(await audit(app, `${scheme}, empty window`)));

    await dropFiles(app, [{ name: 'Audited payload.torrent', bytes }]);
    const dialog = app.getByRole('dialog', { name: 'Add torrent' });
    // The second time round the torrent is in the list: the dialog says so instead of showing its files.
    await expect(dialog).toContainText(scheme === 'light' ? 'one.bin' : 'already in your list');
    found.push(...(await audit(app, `${scheme}, Add dialog`)));
    if (scheme === 'light') {
      await dialog.getByRole('button', { name: 'Add', exact: true }).click();
      await expect(torrentRow(app, 'Audited payload')).toBeVisible();
    } else {
      await dialog.getByRole('button', { name: 'Close' }).click();
    }
    await expect(dialog).toBeHidden();

    await torrentRow(app, 'Audited payload').click();
    for (const tab of ['General', 'Files', 'Peers', 'Trackers', 'Pieces', 'Speed', 'Why?']) {
      await app.getByRole('tab', { name: tab }).click();
      await expect(app.getByRole('tab', { name: tab })).toHaveAttribute('aria-selected', 'true');
      found.push(...(await audit(app, `${scheme}, ${tab} tab`)));
    }

    await torrentRow(app, 'Audited payload').click({ button: 'right' });
    await expect(app.getByRole('menu', { name: 'Torrent actions' })).toBeVisible();
    found.push(...(await audit(app, `${scheme}, context menu`)));
    await app.keyboard.press('Escape');

    await app.getByRole('button', { name: 'Settings' }).click();
    await expect(app.getByRole('dialog', { name: 'Settings' }).getByLabel('Theme')).toBeVisible();
    found.push(...(await audit(app, `${scheme}, Settings dialog`)));
    await snap(app, testInfo, `settings-${scheme}`);
    await app.getByRole('dialog', { name: 'Settings' }).getByRole('button', { name: 'Cancel' }).click();

    // The batch Add dialog: one item new, one already in the list (shown and skipped).
    await dropFiles(app, [
      { name: 'Second payload.torrent', bytes: second },
      { name: 'Audited payload.torrent', bytes },
    ]);
    const batch = app.getByRole('dialog', { name: 'Add torrents' });
    await expect(batch).toContainText('1 already in your list');
    found.push(...(await audit(app, `${scheme}, batch Add dialog`)));
    await snap(app, testInfo, `batch-add-${scheme}`);
    await batch.getByRole('button', { name: 'Cancel' }).click();
    await expect(batch).toBeHidden();
  }
  expect(found, found.join('\n')).toEqual([]);
});
