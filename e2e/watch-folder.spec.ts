// Watch folders and the pause schedule (issue 17), in real Chromium against `tessera daemon`: folders set up in
// Settings by keyboard; a .torrent dropped into one appears in the list within 5 s and the file is renamed to
// .added or deleted as configured; a bad file is renamed to .invalid with a message in the UI; a pause schedule
// that covers now pauses a download with its reason and shows in the status bar. Settings audited with axe.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { test, expect } from './fixtures/app.js';
import { snap, torrentRow } from './fixtures/ui.js';
import { createTorrent } from '../engine/metainfo/create.js';
import type { Page } from '@playwright/test';

/** A small torrent named `name` (a folder with one file), made without writing it anywhere watched. */
async function torrentNamed(workDir: string, name: string): Promise<Uint8Array> {
  const dir = join(workDir, 'payloads', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'data.bin'), `payload of ${name}`);
  return createTorrent(dir, { pieceLength: 16_384, trackers: [] });
}

async function openSettings(app: Page): Promise<ReturnType<Page['getByRole']>> {
  await app.getByRole('button', { name: 'Settings' }).click();
  const dialog = app.getByRole('dialog', { name: 'Settings' });
  await expect(dialog.getByLabel('Theme')).toBeVisible();
  return dialog;
}

test('a .torrent dropped into a watch folder appears within 5 s and is renamed or deleted as configured; a bad file is set aside with a message', async ({ tessera, app }, testInfo) => {
  const renameDir = join(tessera.workDir, 'watch rename');
  const deleteDir = join(tessera.workDir, 'watch-delete');
  await expect(app.getByRole('grid', { name: 'Torrents' })).toBeVisible();

  // Set up by keyboard: Add watch folder moves the focus into the new folder field.
  const dialog = await openSettings(app);
  await dialog.getByRole('button', { name: 'Add watch folder' }).focus();
  await app.keyboard.press('Enter');
  await expect(dialog.getByRole('textbox', { name: 'Folder 1' })).toBeFocused();
  await app.keyboard.type(renameDir);
  await expect(dialog.getByRole('group', { name: 'Watch folder 1' })).toContainText('The folder will be created.');
  await dialog.getByRole('button', { name: 'Add watch folder' }).click();
  await dialog.getByRole('textbox', { name: 'Folder 2' }).fill(deleteDir);
  const second = dialog.getByRole('group', { name: 'Watch folder 2' });
  await second.getByLabel('After adding, the file is').selectOption('delete');
  await second.getByLabel('Category').fill('Inbox');
  // A relative folder is refused in place, naming what to do.
  await dialog.getByRole('button', { name: 'Add watch folder' }).click();
  await dialog.getByRole('textbox', { name: 'Folder 3' }).fill('relative/path');
  await expect(dialog.getByRole('group', { name: 'Watch folder 3' })).toContainText('is a relative path; give the full path');
  await dialog.getByRole('button', { name: 'Remove watch folder 3' }).click();
  await expect(dialog.getByRole('group', { name: 'Watch folder 3' })).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect.poll(() => existsSync(renameDir) && existsSync(deleteDir), { message: 'the engine created both folders' }).toBe(true);

  const renamed = await torrentNamed(tessera.workDir, 'Watched and renamed');
  const deleted = await torrentNamed(tessera.workDir, 'Watched and deleted');
  let dropped = Date.now();
  writeFileSync(join(renameDir, 'first.torrent'), renamed);
  await expect(torrentRow(app, 'Watched and renamed')).toBeVisible({ timeout: 5_000 });
  expect(Date.now() - dropped).toBeLessThan(5_000);
  await expect.poll(() => existsSync(join(renameDir, 'first.torrent.added')) && !existsSync(join(renameDir, 'first.torrent'))).toBe(true);

  dropped = Date.now();
  writeFileSync(join(deleteDir, 'second.torrent'), deleted);
  await expect(torrentRow(app, 'Watched and deleted')).toBeVisible({ timeout: 5_000 });
  expect(Date.now() - dropped).toBeLessThan(5_000);
  await expect.poll(() => existsSync(join(deleteDir, 'second.torrent'))).toBe(false);

  writeFileSync(join(renameDir, 'broken.torrent'), 'd4:infoi1ee this is not a torrent');
  const alert = app.getByRole('alert').filter({ hasText: '"broken.torrent" in the watch folder' });
  await expect(alert).toContainText('is not a valid torrent file');
  await expect(alert).toContainText('renamed to broken.torrent.invalid; put a good copy in the folder to add it');
  expect(existsSync(join(renameDir, 'broken.torrent.invalid'))).toBe(true);
  await snap(app, testInfo, 'watch-folder-invalid-file');

  // The same torrent dropped again is not added twice.
  writeFileSync(join(renameDir, 'again.torrent'), renamed);
  await expect.poll(() => existsSync(join(renameDir, 'again.torrent.added')), { timeout: 5_000 }).toBe(true);
  await expect(app.getByRole('grid', { name: 'Torrents' }).getByRole('row', { name: 'Watched and renamed', exact: true })).toHaveCount(1);

  // Saved: the dialog shows both folders as configured.
  const again = await openSettings(app);
  await expect(again.getByRole('textbox', { name: 'Folder 1' })).toHaveValue(renameDir);
  await expect(again.getByRole('group', { name: 'Watch folder 2' }).getByLabel('After adding, the file is')).toHaveValue('delete');
  await expect(again.getByRole('group', { name: 'Watch folder 2' }).getByLabel('Category')).toHaveValue('Inbox');
  await again.getByRole('button', { name: 'Cancel' }).click();
});

test('a pause schedule covering now pauses downloads with the reason and the status bar says until when; turning it off resumes them', async ({ tessera, app }) => {
  const watchDir = join(tessera.workDir, 'watch-paused');
  await expect(app.getByRole('grid', { name: 'Torrents' })).toBeVisible();
  const now = new Date();
  const minute = now.getHours() * 60 + now.getMinutes();
  // Every minute of every day but the one before now: open for the whole test.
  const to = (minute + 1439) % 1440;
  const hhmm = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

  let dialog = await openSettings(app);
  await dialog.getByLabel('Pause all downloads on a schedule (seeding goes on)').check();
  const days = dialog.getByRole('group', { name: 'Days downloads pause' });
  for (const day of ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']) await days.getByLabel(day, { exact: true }).check();
  await dialog.locator('input[name="pauseFrom"]').fill(hhmm(minute));
  await dialog.locator('input[name="pauseTo"]').fill(hhmm(to));
  await dialog.getByRole('button', { name: 'Add watch folder' }).click();
  await dialog.getByRole('textbox', { name: 'Folder 1' }).fill(watchDir);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(app.getByRole('status', { name: 'Active schedules' })).toHaveText(`Downloads paused until ${hhmm(to)}`);

  await expect.poll(() => existsSync(watchDir)).toBe(true);
  writeFileSync(join(watchDir, 'held.torrent'), await torrentNamed(tessera.workDir, 'Held by the schedule'));
  const row = torrentRow(app, 'Held by the schedule');
  await expect(row).toBeVisible({ timeout: 5_000 });
  // The Status column: the state, then the engine's reason without the repeated word ("Paused: schedule until …").
  await expect(row).toContainText(new RegExp(`Paused\\s*schedule until ${hhmm(to)}`));

  dialog = await openSettings(app);
  await dialog.getByLabel('Pause all downloads on a schedule (seeding goes on)').uncheck();
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(app.getByRole('status', { name: 'Active schedules' })).toHaveCount(0);
  await expect(row).not.toContainText('schedule until');
});

test('axe finds no violations in Settings with watch folders and the pause schedule shown, light and dark', async ({ app }, testInfo) => {
  await expect(app.getByRole('grid', { name: 'Torrents' })).toBeVisible();
  const found: string[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    await app.emulateMedia({ colorScheme: scheme });
    await expect(app.locator('html')).toHaveAttribute('data-theme', scheme);
    const dialog = await openSettings(app);
    await dialog.getByRole('button', { name: 'Add watch folder' }).click();
    await dialog.getByRole('textbox', { name: 'Folder 1' }).fill('not/absolute');
    await dialog.getByLabel('Pause all downloads on a schedule (seeding goes on)').check();
    await app.waitForTimeout(400);
    const result = await new AxeBuilder({ page: app }).analyze();
    found.push(...result.violations.map((v) => `${scheme}: ${v.id} (${v.impact ?? 'n/a'}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 4).join(', ')}`));
    await dialog.getByRole('group', { name: 'Watch folder 1' }).scrollIntoViewIfNeeded();
    await snap(app, testInfo, `settings-watch-folders-${scheme}`);
    await app.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
  }
  expect(found, found.join('\n')).toEqual([]);
});
