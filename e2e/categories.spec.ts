// Categories and tags (issue 17) in real Chromium against `tessera daemon`: a category with a save path moves
// its torrent's data when assigned from the context menu (the files move, the torrent keeps its progress and
// seeds, and the category survives a restart); a tag filters the list with the right counts; a row dragged
// onto a sidebar tag or category is assigned to it.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect } from './fixtures/app.js';
import { addTorrentByDrop, dropFiles, expectComplete, snap, torrentRow } from './fixtures/ui.js';
import { makeTestPayload, makeTorrent } from '../engine/testing/index.js';
import type { Locator, Page } from '@playwright/test';

/** A torrent whose data is already in the download folder, added by drop: it checks and seeds. */
async function addSeeded(app: Page, downloadDir: string, workDir: string, name: string, seed: number): Promise<void> {
  const payload = await makeTestPayload(downloadDir, { name, seed, files: [{ path: 'one.bin', size: 70_000 }, { path: 'two.bin', size: 30_000 }] });
  mkdirSync(workDir, { recursive: true });
  const t = await makeTorrent({ source: payload.root, out: join(workDir, `${seed}.torrent`), tiers: [], pieceLengthLog2: 15 });
  await addTorrentByDrop(app, name, readFileSync(t.file));
  await expectComplete(app, name, 30_000);
}

async function contextSubmenu(app: Page, row: string, submenu: string, item: string): Promise<void> {
  await torrentRow(app, row).click({ button: 'right' });
  const menu = app.getByRole('menu', { name: 'Torrent actions' });
  await menu.getByRole('menuitem', { name: submenu }).click();
  await menu.getByRole('menuitem', { name: item }).or(menu.getByRole('menuitemcheckbox', { name: item })).click();
  await expect(menu).toBeHidden();
}

function sidebarItem(app: Page, name: string): Locator {
  return app.getByRole('navigation').getByRole('button', { name, exact: true });
}

/** Drags rows onto a sidebar item with the DOM's drag events (dragstart on the row fills the DataTransfer). */
async function dragRowTo(app: Page, row: string, target: Locator): Promise<void> {
  const dataTransfer = await app.evaluateHandle(() => new DataTransfer());
  await torrentRow(app, row).dispatchEvent('dragstart', { dataTransfer });
  await target.dispatchEvent('dragenter', { dataTransfer });
  await target.dispatchEvent('dragover', { dataTransfer });
  await target.dispatchEvent('drop', { dataTransfer });
}

test('a category with a save path moves its torrent there when assigned from the context menu; it keeps seeding and the category survives a restart', async ({ tessera, app }, testInfo) => {
  test.setTimeout(120_000);
  await expect(app.getByRole('grid', { name: 'Torrents' })).toBeVisible();
  await addSeeded(app, tessera.downloadDir, tessera.workDir, 'Category film', 41);
  await expect(torrentRow(app, 'Category film')).toContainText('Seeding');

  // The category manager: a nested category with a save path.
  const movies = join(tessera.workDir, 'movies 4k');
  await app.getByRole('button', { name: 'Manage categories' }).click();
  const manager = app.getByRole('dialog', { name: 'Categories' });
  await expect(manager).toContainText('moves the files of that category');
  await manager.getByLabel('New category').fill('Movies//4K');
  await manager.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(manager.getByRole('alert')).toContainText('empty level');
  await manager.getByLabel('New category').fill(' Movies / 4K ');
  await manager.getByRole('button', { name: 'Add', exact: true }).click();
  await manager.getByLabel('Save path of Movies/4K').fill(movies);
  await manager.getByRole('button', { name: 'Save' }).click();
  await expect(manager).toBeHidden();
  await expect(sidebarItem(app, 'Category Movies 0')).toBeVisible();
  await expect(sidebarItem(app, 'Category Movies/4K 0')).toBeVisible();

  await contextSubmenu(app, 'Category film', 'Category', 'Movies/4K');
  await expect.poll(() => existsSync(join(movies, 'Category film', 'one.bin')), { timeout: 30_000 }).toBe(true);
  expect(existsSync(join(movies, 'Category film', 'two.bin'))).toBe(true);
  expect(existsSync(join(tessera.downloadDir, 'Category film', 'one.bin')), 'nothing left where it was').toBe(false);
  await expect(torrentRow(app, 'Category film')).toContainText('Seeding', { timeout: 30_000 });
  await expectComplete(app, 'Category film', 10_000);
  await expect(sidebarItem(app, 'Category Movies 1')).toBeVisible();
  await expect(sidebarItem(app, 'Category Movies/4K 1')).toBeVisible();
  await expect(sidebarItem(app, 'Uncategorised 0')).toBeVisible();
  await snap(app, testInfo, 'category-assigned');

  await tessera.restart();
  await expect(torrentRow(app, 'Category film')).toBeVisible({ timeout: 30_000 });
  await expect(sidebarItem(app, 'Category Movies/4K 1')).toBeVisible();
  await expect(torrentRow(app, 'Category film')).toContainText('Seeding', { timeout: 30_000 });
  await expectComplete(app, 'Category film', 10_000);
});

test('a tag filters the list with the right counts; rows dragged onto a sidebar tag or category are assigned', async ({ tessera, app }, testInfo) => {
  test.setTimeout(120_000);
  await expect(app.getByRole('grid', { name: 'Torrents' })).toBeVisible();
  await addSeeded(app, tessera.downloadDir, tessera.workDir, 'Tagged one', 51);
  await addSeeded(app, tessera.downloadDir, tessera.workDir, 'Plain two', 52);

  await contextSubmenu(app, 'Tagged one', 'Tags', 'New tag…');
  const newTag = app.getByRole('dialog', { name: 'New tag' });
  await newTag.getByLabel('Tag').fill('a,b');
  await newTag.getByRole('button', { name: 'Add tag' }).click();
  await expect(newTag.getByRole('alert')).toContainText('comma');
  await newTag.getByLabel('Tag').fill('hd');
  await newTag.getByRole('button', { name: 'Add tag' }).click();
  await expect(newTag).toBeHidden();

  await expect(sidebarItem(app, 'Tag hd 1')).toBeVisible();
  await expect(sidebarItem(app, 'Untagged 1')).toBeVisible();
  await expect(sidebarItem(app, 'All tags 2')).toBeVisible();
  await expect(sidebarItem(app, 'Trackerless 2'), 'the Trackers section counts torrents without trackers').toBeVisible();
  const rows = app.getByRole('grid', { name: 'Torrents' }).getByRole('row').filter({ hasNot: app.getByRole('columnheader') });
  await sidebarItem(app, 'Tag hd 1').click();
  await expect(sidebarItem(app, 'Tag hd 1')).toHaveAttribute('aria-current', 'true');
  await expect(rows).toHaveCount(1);
  await expect(torrentRow(app, 'Tagged one')).toBeVisible();
  await expect(torrentRow(app, 'Plain two')).toHaveCount(0);
  await snap(app, testInfo, 'tag-filter');
  await sidebarItem(app, 'Untagged 1').click();
  await expect(rows).toHaveCount(1);
  await expect(torrentRow(app, 'Plain two')).toBeVisible();
  await sidebarItem(app, 'All tags 2').click();
  await expect(rows).toHaveCount(2);

  // Drag "Plain two" onto the tag: now both have it.
  await dragRowTo(app, 'Plain two', sidebarItem(app, 'Tag hd 1'));
  await expect(sidebarItem(app, 'Tag hd 2')).toBeVisible();
  await expect(sidebarItem(app, 'Untagged 0')).toBeVisible();

  // A category made from the context menu, then the other row dragged onto it.
  await contextSubmenu(app, 'Tagged one', 'Category', 'New category…');
  const newCategory = app.getByRole('dialog', { name: 'New category' });
  await newCategory.getByLabel('Category name').fill('Linux/ISOs');
  await newCategory.getByRole('button', { name: 'Create and assign' }).click();
  await expect(newCategory).toBeHidden();
  await expect(sidebarItem(app, 'Category Linux/ISOs 1')).toBeVisible();
  await dragRowTo(app, 'Plain two', sidebarItem(app, 'Category Linux/ISOs 1'));
  await expect(sidebarItem(app, 'Category Linux/ISOs 2')).toBeVisible();
  await expect(sidebarItem(app, 'Uncategorised 0')).toBeVisible();
  // No save path on this category: the data stays where it was.
  expect(existsSync(join(tessera.downloadDir, 'Plain two', 'one.bin'))).toBe(true);

  // The category filter combines with the state filter: paused torrents in Linux/ISOs: none.
  await sidebarItem(app, 'Category Linux 2').click();
  await expect(rows).toHaveCount(2);
  await app.getByRole('navigation').getByRole('button', { name: /^Paused/ }).click();
  await expect(rows).toHaveCount(0);
});

test('the Add dialog puts a torrent in a category (its save path fills "Save to") with tags; the torrent finds its data there', async ({ tessera, app }) => {
  test.setTimeout(120_000);
  await expect(app.getByRole('grid', { name: 'Torrents' })).toBeVisible();
  const films = join(tessera.workDir, 'films');
  const payload = await makeTestPayload(films, { name: 'Picked film', seed: 61, files: [{ path: 'one.bin', size: 50_000 }] });
  const t = await makeTorrent({ source: payload.root, out: join(tessera.workDir, 'picked.torrent'), tiers: [], pieceLengthLog2: 15 });

  await app.getByRole('button', { name: 'Manage categories' }).click();
  const manager = app.getByRole('dialog', { name: 'Categories' });
  await manager.getByLabel('New category').fill('Films');
  await manager.getByRole('button', { name: 'Add', exact: true }).click();
  await manager.getByLabel('Save path of Films').fill(films);
  await manager.getByRole('button', { name: 'Save' }).click();
  await expect(manager).toBeHidden();

  await dropFiles(app, [{ name: 'picked.torrent', bytes: readFileSync(t.file) }]);
  const dialog = app.getByRole('dialog', { name: 'Add torrent' });
  await expect(dialog).toContainText('Picked film');
  await dialog.getByLabel('Category', { exact: true }).selectOption('Films');
  await expect(dialog.getByLabel('Save to')).toHaveValue(films);
  await dialog.getByLabel('Tags').fill('hd, x,');
  await dialog.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expectComplete(app, 'Picked film', 30_000);
  await expect(sidebarItem(app, 'Category Films 1')).toBeVisible();
  await expect(sidebarItem(app, 'Tag hd 1')).toBeVisible();
  await expect(sidebarItem(app, 'Tag x 1')).toBeVisible();
});
