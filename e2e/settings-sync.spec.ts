// Settings never silently revert: the dialog shows what the engine has now (after a save, after a change
// in another tab, with the daemon's own flags), and the alternative-limits toggle follows every change.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect } from './fixtures/app.js';
import { startDaemon } from './fixtures/daemon.js';
import { chromiumLaunchOptions } from './fixtures/chromium.js';
import { freePort } from '../engine/testing/index.js';
import type { Page } from '@playwright/test';

async function openSettings(page: Page): Promise<ReturnType<Page['getByRole']>> {
  await page.getByRole('button', { name: 'Settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await expect(dialog.getByLabel('Theme')).toBeVisible();
  return dialog;
}

test('a saved setting shows when the dialog is opened again, and a later save of another field keeps it', async ({ app }) => {
  await expect(app.getByRole('grid', { name: 'Torrents' })).toBeVisible();
  let dialog = await openSettings(app);
  await dialog.getByLabel('Stop at ratio').fill('0.7');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();

  dialog = await openSettings(app);
  await expect(dialog.getByLabel('Stop at ratio')).toHaveValue('0.7');
  await dialog.getByLabel('Upload slots per torrent').fill('6');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();

  dialog = await openSettings(app);
  await expect(dialog.getByLabel('Stop at ratio')).toHaveValue('0.7');
  await expect(dialog.getByLabel('Upload slots per torrent')).toHaveValue('6');

  // The hole punching switch (Connections), by keyboard: on by default, off after Space and Save, kept.
  const holepunch = dialog.getByRole('checkbox', { name: /^Hole punching/ });
  await expect(holepunch).toBeChecked();
  await holepunch.focus();
  await app.keyboard.press('Space');
  await expect(holepunch).not.toBeChecked();
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  dialog = await openSettings(app);
  await expect(dialog.getByRole('checkbox', { name: /^Hole punching/ })).not.toBeChecked();
  await expect(dialog.getByLabel('Stop at ratio')).toHaveValue('0.7');
});

test('a change in a second tab shows in the first (in its open dialog too); the alt-limits toggle and its tooltip follow every change', async ({ app }) => {
  await expect(app.getByRole('grid', { name: 'Torrents' })).toBeVisible();
  // A second tab opened with the link the daemon printed (the page keeps its token per tab, out of the URL).
  const token = await app.evaluate(() => sessionStorage.getItem('tessera.token'));
  const second = await app.context().newPage();
  await second.goto(`${app.url().split('#')[0]}#token=${token ?? ''}`);
  await expect(second.getByRole('grid', { name: 'Torrents' })).toBeVisible();

  const first = await openSettings(app);
  await first.getByLabel('Max connections per torrent').fill('77');
  const other = await openSettings(second);
  await other.getByLabel('Stop at ratio').fill('0.9');
  await other.getByRole('button', { name: 'Save' }).click();
  await expect(other).toBeHidden();
  // The first tab's open dialog: the field not edited there follows; the edit there stays.
  await expect(first.getByLabel('Stop at ratio')).toHaveValue('0.9');
  await expect(first.getByLabel('Max connections per torrent')).toHaveValue('77');
  await first.getByRole('button', { name: 'Save' }).click();
  await expect(first).toBeHidden();
  const check = await openSettings(second);
  await expect(check.getByLabel('Stop at ratio')).toHaveValue('0.9');
  await expect(check.getByLabel('Max connections per torrent')).toHaveValue('77');
  await check.getByRole('button', { name: 'Cancel' }).click();

  const toggle = (p: Page) => p.getByRole('button', { name: 'Alternative speed limits' });
  for (let round = 0; round < 3; round++) {
    const clicker = round % 2 === 0 ? app : second;
    const on = (await toggle(clicker).getAttribute('aria-pressed')) !== 'true';
    await toggle(clicker).click();
    for (const p of [app, second]) {
      await expect(toggle(p)).toHaveAttribute('aria-pressed', String(on));
      await expect(toggle(p)).toHaveAttribute('title', new RegExp(`Click to ${on ? 'turn off' : 'turn on'} the alternative limits`));
    }
  }
  await second.close();
});

test('the daemon started with --peer-port, --no-lsd (and --no-dht) and --no-holepunch shows them in Settings; the status bar says DHT off', async ({ tessera, playwright }) => {
  const root = join(tessera.workDir, 'flags');
  mkdirSync(join(root, 'state'), { recursive: true });
  mkdirSync(join(root, 'dl'), { recursive: true });
  const peerPort = await freePort();
  const daemon = await startDaemon({ dataDir: join(root, 'state'), downloadDir: join(root, 'dl'), peerPort, name: 'flags-daemon', extraArgs: ['--no-holepunch'] });
  const browser = await playwright.chromium.launch(chromiumLaunchOptions());
  try {
    const page = await browser.newPage();
    await page.goto(daemon.url);
    await expect(page.getByRole('grid', { name: 'Torrents' })).toBeVisible();
    await expect(page.getByRole('contentinfo', { name: 'Status' })).toContainText('DHT: off');
    const dialog = await openSettings(page);
    await expect(dialog.getByLabel('Listening port')).toHaveValue(String(peerPort));
    await expect(dialog.getByLabel('Listening port')).toBeDisabled();
    await expect(dialog.getByRole('checkbox', { name: /Local peer discovery/ })).not.toBeChecked();
    await expect(dialog.getByRole('checkbox', { name: /Local peer discovery/ })).toBeDisabled();
    await expect(dialog.getByRole('checkbox', { name: /^DHT/ })).not.toBeChecked();
    await expect(dialog).toContainText("Set by the daemon's command line (--no-lsd)");
    await expect(dialog.getByRole('checkbox', { name: /^Hole punching/ })).not.toBeChecked();
    await expect(dialog.getByRole('checkbox', { name: /^Hole punching/ })).toBeDisabled();
    await expect(dialog).toContainText("Set by the daemon's command line (--no-holepunch)");
  } finally {
    await browser.close();
    await daemon.stop();
  }
});
