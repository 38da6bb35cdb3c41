// Bad input gets a clear, one-line error where it happened, and nothing else is disturbed.
import { test, expect } from './fixtures/app.js';
import { dropFiles, snap } from './fixtures/ui.js';

test('a malformed .torrent dropped on the window is explained in the Add dialog, and nothing is added', async ({ app }, testInfo) => {
  await expect(app.getByRole('grid', { name: 'Torrents' })).toBeVisible();
  await dropFiles(app, [{ name: 'broken.torrent', bytes: new TextEncoder().encode('d8:announce3:foo4:infoi1ee') }]);
  const dialog = app.getByRole('dialog', { name: 'Add torrent' });
  await expect(dialog).toBeVisible();
  const alert = dialog.getByRole('alert');
  await expect(alert).toBeVisible();
  const text = (await alert.textContent()) ?? '';
  expect(text).toMatch(/not a usable torrent \(.*info.*\)\. Download the \.torrent file again/);
  expect(text.split('\n').filter((l) => l.trim() !== '')).toHaveLength(1);
  await expect(dialog.getByRole('button', { name: 'Add', exact: true })).toBeDisabled();
  await snap(app, testInfo, 'malformed-torrent');
  await dialog.getByRole('button', { name: /Cancel|Close/ }).click();
  await expect(app.getByRole('grid', { name: 'Torrents' }).locator('[role="row"][data-id]')).toHaveCount(0);
});
