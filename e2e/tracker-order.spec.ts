// The Trackers tab reorders trackers and tiers with its Move menu, by keyboard: the engine announces in
// the new order (a later tier is asked only once the ones before it fail, BEP 12), and the order is kept
// across a page reload and a daemon restart. axe finds nothing in the tab with the menu open, light and dark.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { test, expect } from './fixtures/app.js';
import { addTorrentByDrop, snap, torrentRow } from './fixtures/ui.js';
import { makeTestPayload, makeTorrent, startTracker } from '../engine/testing/index.js';
import type { Page } from '@playwright/test';

/** The Trackers table's URL and tier cells, row by row. */
async function order(app: Page): Promise<string[]> {
  const rows = app.getByRole('table', { name: 'Trackers' }).locator('tbody tr');
  return rows.evaluateAll((trs) => trs.map((tr) => `${tr.children[1]?.textContent ?? ''} ${tr.children[0]?.textContent ?? ''}`));
}

async function openTrackers(app: Page, name: string): Promise<void> {
  await torrentRow(app, name).click();
  await app.getByRole('tab', { name: 'Trackers' }).click();
  await expect(app.getByRole('table', { name: 'Trackers' })).toBeVisible();
}

/** Opens a tracker's Move menu from the keyboard and picks `item` with the arrow keys. */
async function moveByKeyboard(app: Page, url: string, item: string): Promise<void> {
  const button = app.getByRole('button', { name: `Move ${url}`, exact: true });
  await button.focus();
  await app.keyboard.press('Enter');
  const menu = app.getByRole('menu', { name: `Move ${url}`, exact: true });
  await expect(menu).toBeVisible();
  const labels = await menu.getByRole('menuitem').allTextContents();
  const at = labels.indexOf(item);
  expect(at, `"${item}" among ${labels.join(' / ')}`).toBeGreaterThanOrEqual(0);
  for (let i = 0; i < at; i++) await app.keyboard.press('ArrowDown');
  await expect(menu.getByRole('menuitem', { name: item })).toBeFocused();
  await app.keyboard.press('Enter');
  await expect(menu).toBeHidden();
  // Focus comes back to the row's Move button (the row is the same element after the move).
  await expect(button).toBeFocused();
}

test('trackers and tiers reorder by keyboard; the engine announces in the new order; the order survives a reload and a restart', async ({ tessera, app }, testInfo) => {
  test.setTimeout(120_000);
  const first = await startTracker({ intervalSeconds: 60 });
  const second = await startTracker({ intervalSeconds: 60 });
  try {
    const payload = await makeTestPayload(join(tessera.workDir, 'order'), { name: 'Tracker order', seed: 41, files: [{ path: 'x.bin', size: 40_000 }] });
    const t = await makeTorrent({ source: payload.root, out: join(tessera.workDir, 'order.torrent'), tiers: [[first.httpUrl], [second.httpUrl]], pieceLengthLog2: 15 });
    const ours = (a: { infoHash: string }): boolean => a.infoHash === t.infoHash;
    await addTorrentByDrop(app, 'Tracker order', readFileSync(t.file));
    await openTrackers(app, 'Tracker order');
    // The first tier works, so the second is never asked.
    await expect.poll(() => first.announces.filter(ours).length, { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(() => order(app)).toEqual([`1 ${first.httpUrl}`, `2 ${second.httpUrl}`]);
    expect(second.announces.filter(ours)).toEqual([]);

    // The second tier goes first: it is announced to now.
    await moveByKeyboard(app, second.httpUrl, 'Move its whole tier up');
    await expect.poll(() => order(app)).toEqual([`1 ${second.httpUrl}`, `2 ${first.httpUrl}`]);
    await expect.poll(() => second.announces.filter(ours).length, { timeout: 30_000 }).toBeGreaterThan(0);

    // Both in one tier, then the other way round within it.
    await moveByKeyboard(app, first.httpUrl, 'Move to the tier above');
    await expect.poll(() => order(app)).toEqual([`1 ${second.httpUrl}`, `1 ${first.httpUrl}`]);
    await moveByKeyboard(app, first.httpUrl, 'Move up in its tier');
    await expect.poll(() => order(app)).toEqual([`1 ${first.httpUrl}`, `1 ${second.httpUrl}`]);
    // And the second back into a tier of its own after it.
    await moveByKeyboard(app, second.httpUrl, 'Move to a new tier of its own');
    const arranged = [`1 ${first.httpUrl}`, `2 ${second.httpUrl}`];
    await expect.poll(() => order(app)).toEqual(arranged);

    await app.getByRole('button', { name: `Move ${second.httpUrl}`, exact: true }).click();
    await expect(app.getByRole('menu', { name: `Move ${second.httpUrl}`, exact: true })).toBeVisible();
    for (const scheme of ['light', 'dark'] as const) {
      await app.emulateMedia({ colorScheme: scheme });
      await expect(app.locator('html')).toHaveAttribute('data-theme', scheme);
      const result = await new AxeBuilder({ page: app }).analyze();
      expect(result.violations.map((v) => `${scheme}: ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
      await snap(app, testInfo, `tracker-move-menu-${scheme}`);
    }
    await app.keyboard.press('Escape');

    await app.reload();
    await openTrackers(app, 'Tracker order');
    await expect.poll(() => order(app)).toEqual(arranged);

    const before = first.announces.filter(ours).length;
    await tessera.restart();
    await openTrackers(app, 'Tracker order');
    await expect.poll(() => order(app), { timeout: 30_000 }).toEqual(arranged);
    await expect.poll(() => first.announces.filter(ours).length, { timeout: 30_000 }).toBeGreaterThan(before);
  } finally {
    await first.close();
    await second.close();
  }
});
