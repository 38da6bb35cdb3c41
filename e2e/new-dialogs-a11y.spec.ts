// Accessibility audit (axe-core) and screenshots, light and dark, of the dialogs and tab controls added for
// issue 18: Torrent options, Set location, Force recheck, Edit trackers, Create torrent, the Trackers tab's and
// the Peers tab's controls, and the Settings dialog with fields the daemon fixes; for issue 17 the category
// manager, New category, New tag and the Category submenu. No violations at all.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { test, expect } from './fixtures/app.js';
import { addTorrentByDrop, snap, torrentRow } from './fixtures/ui.js';
import { makeTestPayload, makeTorrent } from '../engine/testing/index.js';
import type { Page } from '@playwright/test';

async function audit(app: Page, where: string): Promise<string[]> {
  const result = await new AxeBuilder({ page: app }).analyze();
  return result.violations.map((v) => `${where}: ${v.id} (${v.impact ?? 'n/a'}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 4).join(', ')}`);
}

test('axe finds no violations in the new dialogs and tab controls, light and dark; each is captured', async ({ tessera, app }, testInfo) => {
  test.setTimeout(420_000); // about 35 axe audits: 3.0 min under load 17 on the shared 2-core machine
  const payload = await makeTestPayload(join(tessera.workDir, 'a11y'), { name: 'Audited controls', seed: 31, files: [{ path: 'one.bin', size: 40_000 }] });
  const t = await makeTorrent({ source: payload.root, out: join(tessera.workDir, 'controls.torrent'), tiers: [['http://127.0.0.1:9/announce']], pieceLengthLog2: 15 });
  await expect(app.getByRole('grid', { name: 'Torrents' })).toBeVisible();
  await addTorrentByDrop(app, 'Audited controls', readFileSync(t.file));
  const found: string[] = [];

  const dialogStep = async (scheme: string, title: string, open: () => Promise<void>, shot: string): Promise<void> => {
    await open();
    const dialog = app.getByRole('dialog', { name: title });
    await expect(dialog).toBeVisible();
    // Let asynchronous checks (the folder field) settle before the audit and the picture.
    await app.waitForTimeout(400);
    found.push(...(await audit(app, `${scheme}, ${title} dialog`)));
    await snap(app, testInfo, `${shot}-${scheme}`);
    await app.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
  };
  const menu = async (item: string): Promise<void> => {
    await torrentRow(app, 'Audited controls').click({ button: 'right' });
    await app.getByRole('menu', { name: 'Torrent actions' }).getByRole('menuitem', { name: item }).click();
  };

  for (const scheme of ['light', 'dark'] as const) {
    await app.emulateMedia({ colorScheme: scheme });
    await expect(app.locator('html')).toHaveAttribute('data-theme', scheme);
    await torrentRow(app, 'Audited controls').click();

    await dialogStep(scheme, 'Torrent options', () => menu('Torrent options…'), 'torrent-options');
    await dialogStep(scheme, 'Set location', () => menu('Set location…'), 'set-location');
    await dialogStep(scheme, 'Force recheck', () => menu('Force recheck…'), 'recheck');
    await dialogStep(scheme, 'Create torrent', () => app.getByRole('button', { name: 'Create torrent' }).click(), 'create-torrent');
    await dialogStep(scheme, 'Settings', () => app.getByRole('button', { name: 'Settings' }).click(), 'settings-host-fixed');
    // Issue 17: a watch folder row and the pause schedule's editor shown (closed with Escape, nothing saved).
    await dialogStep(
      scheme,
      'Settings',
      async () => {
        await app.getByRole('button', { name: 'Settings' }).click();
        const settings = app.getByRole('dialog', { name: 'Settings' });
        await settings.getByRole('button', { name: 'Add watch folder' }).click();
        await settings.getByLabel('Pause all downloads on a schedule (seeding goes on)').check();
      },
      'settings-watch-folders',
    );
    // Issue 17: the category manager, and New category / New tag from the context menu's submenus.
    await dialogStep(scheme, 'Categories', () => app.getByRole('button', { name: 'Manage categories' }).click(), 'categories');
    const submenu = async (parent: string, item: string): Promise<void> => {
      await torrentRow(app, 'Audited controls').click({ button: 'right' });
      const m = app.getByRole('menu', { name: 'Torrent actions' });
      await m.getByRole('menuitem', { name: parent }).click();
      await m.getByRole('menuitem', { name: item }).click();
    };
    await dialogStep(scheme, 'New category', () => submenu('Category', 'New category…'), 'new-category');
    await dialogStep(scheme, 'New tag', () => submenu('Tags', 'New tag…'), 'new-tag');

    await app.getByRole('tab', { name: 'Trackers' }).click();
    await expect(app.getByRole('table', { name: 'Trackers' })).toBeVisible();
    found.push(...(await audit(app, `${scheme}, Trackers tab with its controls`)));
    await snap(app, testInfo, `trackers-tab-${scheme}`);
    await dialogStep(scheme, 'Edit trackers', () => app.getByRole('button', { name: 'Edit trackers…' }).click(), 'edit-trackers');

    await app.getByRole('tab', { name: 'Peers' }).click();
    await expect(app.getByLabel('Peer address to add')).toBeVisible();
    found.push(...(await audit(app, `${scheme}, Peers tab with its controls`)));
    await snap(app, testInfo, `peers-tab-${scheme}`);

    await torrentRow(app, 'Audited controls').click({ button: 'right' });
    await expect(app.getByRole('menu', { name: 'Torrent actions' })).toBeVisible();
    found.push(...(await audit(app, `${scheme}, context menu`)));
    await snap(app, testInfo, `context-menu-${scheme}`);
    await app.keyboard.press('Escape');

    // Issue 17: the Feeds view (empty) and its Rules dialog; e2e/rss.spec.ts audits them with feeds and items.
    await app.getByRole('button', { name: 'Feeds' }).click();
    found.push(...(await audit(app, `${scheme}, Feeds view`)));
    await dialogStep(scheme, 'RSS download rules', () => app.getByRole('button', { name: 'Download rules…' }).click(), 'rss-rules');
    await app.getByRole('button', { name: /^All \d+$/ }).click();
    // The Category submenu, opened from the keyboard (→ on "Category").
    await torrentRow(app, 'Audited controls').click({ button: 'right' });
    const actions = app.getByRole('menu', { name: 'Torrent actions' });
    await actions.getByRole('menuitem', { name: 'Category' }).focus();
    await app.keyboard.press('ArrowRight');
    await expect(actions.getByRole('menuitem', { name: 'New category…' })).toBeVisible();
    await expect(actions.getByRole('menuitem', { name: '◂ Back' })).toBeFocused();
    found.push(...(await audit(app, `${scheme}, Category submenu`)));
    await snap(app, testInfo, `category-submenu-${scheme}`);
    await app.keyboard.press('ArrowLeft');
    await expect(actions.getByRole('menuitem', { name: 'Category' })).toBeVisible();
    await app.keyboard.press('Escape');
  }
  expect(found, found.join('\n')).toEqual([]);
});
