// The doctor in the UI (issue 17): with our global download limit at 100 KiB/s and a real libtorrent seeder,
// the Why? tab names the limit first with a "Raise limit" button, the Status column says it too, the tab passes
// axe in light and dark, and the button opens Settings where lifting the limit lets the download finish.
import { AxeBuilder } from '@axe-core/playwright';
import { test, expect } from './fixtures/app.js';
import { startSwarm } from './fixtures/swarm.js';
import { addTorrentByDrop, expectComplete, snap, torrentRow } from './fixtures/ui.js';

test('Why? names our global limit with "Raise limit", and raising it lets the download finish', async ({ tessera, app }, testInfo) => {
  test.setTimeout(150_000);
  const swarm = await startSwarm(tessera.workDir, 'Capped payload', { files: [{ path: 'big.bin', size: 6_000_000 }] });
  try {
    await expect(app.getByRole('grid', { name: 'Torrents' })).toBeVisible();
    // Our limit: 100 KiB/s for all downloads, set where a user sets it.
    await app.getByRole('button', { name: 'Settings' }).click();
    let settings = app.getByRole('dialog', { name: 'Settings' });
    await settings.getByLabel('Download limit', { exact: true }).fill('100');
    await settings.getByRole('button', { name: 'Save' }).click();
    await expect(settings).toBeHidden();

    await addTorrentByDrop(app, 'Capped payload', swarm.torrentBytes);
    const row = torrentRow(app, 'Capped payload');
    await row.click();
    await app.getByRole('tab', { name: 'Why?' }).click();
    const panel = app.getByRole('region', { name: 'Why it is not at full speed' });
    const first = panel.getByRole('listitem').first();
    await expect(first).toContainText('global limit 100 KiB/s', { timeout: 40_000 });
    await expect(first).toContainText('The global download limit caps all torrents at 100 KiB/s');
    await expect(row).toContainText('global limit 100 KiB/s');

    const found: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      await app.emulateMedia({ colorScheme: scheme });
      await expect(app.locator('html')).toHaveAttribute('data-theme', scheme);
      const result = await new AxeBuilder({ page: app }).analyze();
      found.push(...result.violations.map((v) => `${scheme}: ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 4).join(', ')}`));
      await snap(app, testInfo, `why-tab-${scheme}`);
    }
    expect(found, found.join('\n')).toEqual([]);

    // The action, from the keyboard: focus the button, press Enter; Settings opens with the limit to raise.
    const raise = first.getByRole('button', { name: 'Raise limit' });
    await raise.focus();
    await app.keyboard.press('Enter');
    settings = app.getByRole('dialog', { name: 'Settings' });
    await expect(settings).toBeVisible();
    await settings.getByLabel('Download limit', { exact: true }).fill('');
    await settings.getByRole('button', { name: 'Save' }).click();
    await expect(settings).toBeHidden();

    await expectComplete(app, 'Capped payload', 60_000);
    await expect(panel).not.toContainText('global limit');
  } finally {
    await swarm.close();
  }
});
