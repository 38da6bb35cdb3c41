// The list's columns: drag a column wider, hide one from the header's menu, sort, and find all three after a reload.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect } from './fixtures/app.js';
import { addTorrentByDrop, snap, torrentRow } from './fixtures/ui.js';
import { makeTestPayload, makeTorrent } from '../engine/testing/index.js';
import type { Page } from '@playwright/test';

const header = (app: Page, name: string) => app.getByRole('columnheader').filter({ has: app.getByRole('button', { name, exact: true }) });

test('columns resize by dragging and by keyboard, hide from the header menu, and stay so with the sort order after a reload', async ({ tessera, app }, testInfo) => {
  const payload = await makeTestPayload(join(tessera.workDir, 'cols'), { name: 'Columns payload', seed: 5, files: [{ path: 'a.bin', size: 40_000 }] });
  const t = await makeTorrent({ source: payload.root, out: join(tessera.workDir, 'cols.torrent'), tiers: [['http://127.0.0.1:9/announce']], pieceLengthLog2: 15 });
  await expect(app.getByRole('grid', { name: 'Torrents' })).toBeVisible();
  await addTorrentByDrop(app, 'Columns payload', readFileSync(t.file));
  const row = torrentRow(app, 'Columns payload');
  const cellsPerRow = async (): Promise<number> => row.getByRole('gridcell').count();
  expect(await cellsPerRow()).toBe(12);

  // Drag the Size column's right edge 80 px to the right.
  const size = header(app, 'Sort by size');
  const before = (await size.boundingBox())!;
  const handle = app.getByRole('separator', { name: 'Resize the size column' });
  const h = (await handle.boundingBox())!;
  await app.mouse.move(h.x + h.width / 2, h.y + h.height / 2);
  await app.mouse.down();
  await app.mouse.move(h.x + h.width / 2 + 40, h.y + h.height / 2, { steps: 4 });
  await app.mouse.move(h.x + h.width / 2 + 80, h.y + h.height / 2, { steps: 4 });
  await app.mouse.up();
  const after = (await size.boundingBox())!;
  expect(after.width).toBeGreaterThan(before.width + 70);
  expect(after.width).toBeLessThan(before.width + 90);
  // The rows follow the header: the size cell has the header's width.
  const sizeCell = row.getByRole('gridcell').nth(2);
  expect(Math.abs((await sizeCell.boundingBox())!.width - after.width)).toBeLessThan(1.5);

  // The keyboard: two steps narrower.
  await handle.focus();
  await app.keyboard.press('ArrowLeft');
  await app.keyboard.press('ArrowLeft');
  const keyed = (await size.boundingBox())!;
  expect(Math.round(after.width - keyed.width)).toBe(32);

  // Hide the Ratio column from the header's context menu.
  await size.click({ button: 'right' });
  const menu = app.getByRole('menu', { name: 'Columns' });
  await expect(menu.getByRole('menuitemcheckbox', { name: 'Name' })).toHaveCount(0);
  await menu.getByRole('menuitemcheckbox', { name: 'Share ratio' }).click();
  await expect(menu).toBeHidden();
  await expect(header(app, 'Sort by share ratio')).toHaveCount(0);
  expect(await cellsPerRow()).toBe(11);
  await app.getByRole('button', { name: 'Sort by name', exact: true }).click();
  await app.getByRole('button', { name: 'Sort by name', exact: true }).click();
  await expect(header(app, 'Sort by name')).toHaveAttribute('aria-sort', 'descending');
  await snap(app, testInfo, 'resized-and-hidden');

  await app.reload();
  await expect(header(app, 'Sort by name')).toHaveAttribute('aria-sort', 'descending');
  await expect(row).toBeVisible();
  await expect(header(app, 'Sort by share ratio')).toHaveCount(0);
  expect(await cellsPerRow()).toBe(11);
  expect(Math.round((await size.boundingBox())!.width)).toBe(Math.round(keyed.width));

  // Back to the defaults.
  await size.click({ button: 'right' });
  await app.getByRole('menu', { name: 'Columns' }).getByRole('menuitemcheckbox', { name: 'Share ratio' }).click();
  await size.click({ button: 'right' });
  await app.getByRole('menu', { name: 'Columns' }).getByRole('menuitem', { name: 'Default column widths' }).click();
  expect(await cellsPerRow()).toBe(12);
  expect(Math.round((await size.boundingBox())!.width)).toBe(Math.round(before.width));
});
