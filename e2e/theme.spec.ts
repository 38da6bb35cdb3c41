// The theme follows the system until the user picks one in Settings; the piece-map canvases read the same colours.
import { test, expect } from './fixtures/app.js';
import { snap } from './fixtures/ui.js';

const background = (page: import('@playwright/test').Page): Promise<string> => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

test('the theme follows the system scheme live, and a chosen theme overrides it and is kept', async ({ app }, testInfo) => {
  await expect(app.getByRole('grid', { name: 'Torrents' })).toBeVisible();
  const html = app.locator('html');
  await app.emulateMedia({ colorScheme: 'light' });
  await expect(html).toHaveAttribute('data-theme', 'light');
  const light = await background(app);

  await app.emulateMedia({ colorScheme: 'dark' });
  await expect(html).toHaveAttribute('data-theme', 'dark');
  const dark = await background(app);
  expect(dark).not.toBe(light);
  await snap(app, testInfo, 'system-dark');

  await app.getByRole('button', { name: 'Settings' }).click();
  const dialog = app.getByRole('dialog', { name: 'Settings' });
  await dialog.getByLabel('Theme').selectOption('light');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(html).toHaveAttribute('data-theme', 'light');
  expect(await background(app)).toBe(light);

  await app.reload();
  await expect(app.getByRole('grid', { name: 'Torrents' })).toBeVisible();
  await expect(html).toHaveAttribute('data-theme', 'light', { timeout: 5_000 });
  await app.emulateMedia({ colorScheme: 'light' });
  await app.emulateMedia({ colorScheme: 'dark' });
  await expect(html).toHaveAttribute('data-theme', 'light');
  await snap(app, testInfo, 'chosen-light-on-dark-system');
});
