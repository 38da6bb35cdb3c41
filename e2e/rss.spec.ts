// RSS (issue 17, must-show 1): a feed served on loopback with six items whose enclosures are real .torrent
// files; a rule made in the Rules dialog (its live preview shows the two it takes) adds exactly those two;
// a refresh adds no duplicates. The Feeds view and the Rules dialog pass axe, light and dark.
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures/app.js';
import { snap, torrentRow } from './fixtures/ui.js';
import { startFeedServer, tinyTorrent, type FeedServer } from '../engine/session/test-rss-server.js';
import { rss2Sample } from '../engine/rss/test-samples.js';

const TITLES = ['Nightly.Show.S02E01.720p', 'Nightly.Show.S02E02.720p', 'Cooking.Hour.S05E11', 'Nature.Documentary.2026', 'Nightly.Show.S02E02.1080p-OTHER', 'Linux.Distro.24.04'];
const WANTED = ['Nightly.Show.S02E01.720p', 'Nightly.Show.S02E02.720p'];

async function audit(app: Page, where: string): Promise<string[]> {
  const result = await new AxeBuilder({ page: app }).analyze();
  return result.violations.map((v) => `${where}: ${v.id} (${v.impact ?? 'n/a'}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 4).join(', ')}`);
}

function listRows(app: Page) {
  return app.getByRole('grid', { name: 'Torrents' }).locator('.list-body [role="row"]');
}

test('a feed with six items and a rule matching two adds exactly those two; a refresh adds none again', async ({ app }, testInfo) => {
  test.setTimeout(120_000);
  const server: FeedServer = await startFeedServer();
  try {
    TITLES.forEach((t, i) => server.set(`/files/${i}.torrent`, tinyTorrent(t), 'application/x-bittorrent'));
    server.set('/shows.xml', rss2Sample(TITLES.map((title, i) => ({ title, url: `${server.base}/files/${i}.torrent`, size: 1_000_000 * (i + 1) })), 'Loopback shows'));
    await expect(app.getByRole('grid', { name: 'Torrents' })).toBeVisible();

    await app.getByRole('button', { name: 'Feeds' }).click();
    const view = app.getByRole('region', { name: 'RSS feeds' });
    await view.getByLabel('Feed URL').fill(`${server.base}/shows.xml`);
    await view.getByRole('button', { name: 'Add feed' }).click();
    const items = view.getByRole('table', { name: 'Items of Loopback shows' });
    await expect(items.locator('tbody tr')).toHaveCount(6);
    await expect(view.getByRole('button', { name: /Loopback shows/ })).toContainText('ok · 6 items');

    await view.getByRole('button', { name: 'Download rules…' }).click();
    const dialog = app.getByRole('dialog', { name: 'RSS download rules' });
    await dialog.getByRole('button', { name: 'New rule' }).click();
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Nightly Show');
    await dialog.getByRole('textbox', { name: 'Must contain', exact: true }).fill('nightly show');
    await dialog.getByRole('textbox', { name: 'Episode filter' }).fill('S02E01-');
    await dialog.getByRole('checkbox', { name: 'Loopback shows' }).check();
    const preview = dialog.getByRole('region', { name: 'Preview: items this rule takes' });
    // The smart filter leaves out the second release of S02E02.
    await expect(preview.getByRole('listitem')).toHaveText(WANTED);
    await snap(app, testInfo, 'rss-rules-dialog');
    await dialog.getByRole('button', { name: 'Save rules' }).click();
    await expect(dialog).toBeHidden();

    // The items the rule took show the rule and a tick.
    for (const t of WANTED) await expect(items.getByRole('row', { name: new RegExp(t.replace(/\./g, '\\.')) })).toContainText('Nightly Show✓');
    await snap(app, testInfo, 'rss-feeds-view');

    await app.getByRole('button', { name: /^All \d+$/ }).click();
    for (const t of WANTED) await expect(torrentRow(app, t)).toBeVisible();
    await expect(listRows(app)).toHaveCount(2);

    // Refresh: the feed is fetched again (a conditional GET), and nothing is added twice.
    const before = server.hits.get('/shows.xml') ?? 0;
    await app.getByRole('button', { name: 'Feeds' }).click();
    await view.getByRole('button', { name: 'Refresh', exact: true }).click();
    await expect.poll(() => server.hits.get('/shows.xml') ?? 0).toBeGreaterThan(before);
    await expect(view.getByRole('button', { name: /Loopback shows/ })).toContainText('ok · 6 items');
    await app.getByRole('button', { name: /^All \d+$/ }).click();
    await app.waitForTimeout(1500);
    await expect(listRows(app)).toHaveCount(2);
    expect(server.notModified).toBeGreaterThan(0);
  } finally {
    await server.close();
  }
});

test('axe finds no violations in the Feeds view and the Rules dialog, light and dark', async ({ app }, testInfo) => {
  test.setTimeout(90_000);
  const server = await startFeedServer();
  try {
    server.set('/f.xml', rss2Sample([{ title: 'Audit.S01E01', url: `${server.base}/a.torrent` }], 'Audited feed'));
    server.set('/broken.xml', '<rss><channel><item>');
    await app.getByRole('button', { name: 'Feeds' }).click();
    const view = app.getByRole('region', { name: 'RSS feeds' });
    for (const path of ['/f.xml', '/broken.xml']) {
      await view.getByLabel('Feed URL').fill(`${server.base}${path}`);
      await view.getByRole('button', { name: 'Add feed' }).click();
    }
    // A broken feed shows its error, and the view goes on working.
    await expect(view.getByRole('button', { name: /broken\.xml/ })).toContainText('feed: malformed XML');
    await view.getByRole('button', { name: /Audited feed/ }).click();
    await expect(view.getByRole('table', { name: 'Items of Audited feed' }).locator('tbody tr')).toHaveCount(1);
    const found: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      await app.emulateMedia({ colorScheme: scheme });
      await expect(app.locator('html')).toHaveAttribute('data-theme', scheme);
      found.push(...(await audit(app, `${scheme}, Feeds view`)));
      await snap(app, testInfo, `feeds-view-${scheme}`);
      await view.getByRole('button', { name: 'Download rules…' }).click();
      const dialog = app.getByRole('dialog', { name: 'RSS download rules' });
      await dialog.getByRole('button', { name: 'New rule' }).click();
      await dialog.getByRole('textbox', { name: 'Must contain', exact: true }).fill('audit');
      await expect(dialog.getByRole('region', { name: 'Preview: items this rule takes' }).getByRole('listitem')).toHaveText(['Audit.S01E01']);
      found.push(...(await audit(app, `${scheme}, Rules dialog`)));
      await snap(app, testInfo, `rss-rules-${scheme}`);
      await app.keyboard.press('Escape');
      await expect(dialog).toBeHidden();
    }
    expect(found, found.join('\n')).toEqual([]);
  } finally {
    await server.close();
  }
});
