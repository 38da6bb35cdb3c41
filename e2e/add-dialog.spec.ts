// The Add dialog's file list stays small in the DOM for a torrent with thousands of files in one folder,
// and a file far down can still be scrolled to and unticked by its label.
import { test, expect } from './fixtures/app.js';
import { dropFiles, snap } from './fixtures/ui.js';
import { encode } from '../engine/bencode/index.js';

const FILES = 3000;

/** A metainfo file that only needs to be inspected: one-byte files, so a single (unchecked) piece hash. */
function manyFilesTorrent(): Uint8Array {
  const files = Array.from({ length: FILES }, (_, i) => ({ length: 1, path: [`file ${i + 1}.bin`] }));
  return encode({ info: { name: 'Many files', 'piece length': 16_384, pieces: new Uint8Array(20), files } });
}

test('a folder of 3,000 files: the Add dialog renders a window of rows and scrolls to the last one', async ({ app }, testInfo) => {
  await dropFiles(app, [{ name: 'many.torrent', bytes: manyFilesTorrent() }]);
  const dialog = app.getByRole('dialog', { name: 'Add torrent' });
  await expect(dialog).toContainText(`in ${FILES} files`);
  const list = dialog.getByRole('list', { name: 'Files' });
  await expect(dialog.getByRole('button', { name: 'Collapse Many files' })).toHaveAttribute('aria-expanded', 'true');
  const items = list.getByRole('listitem');
  expect(await items.count()).toBeLessThan(60);
  await expect(items.first()).toHaveAttribute('aria-setsize', String(FILES + 1));

  const scrollTo = (where: 'top' | 'bottom') =>
    dialog.locator('.file-tree').evaluate((el, w) => {
      el.scrollTop = w === 'top' ? 0 : el.scrollHeight;
    }, where);
  await scrollTo('bottom');
  await dialog.getByRole('checkbox', { name: `Download file ${FILES}.bin`, exact: true }).uncheck();
  await expect(dialog).toContainText('selected');
  await expect(items.last()).toHaveAttribute('aria-posinset', String(FILES + 1));
  expect(await items.count()).toBeLessThan(60);
  // The folder's row left the DOM while scrolled away; back in view, it shows the change.
  await scrollTo('top');
  await expect(dialog.getByRole('checkbox', { name: 'Download Many files', exact: true })).toHaveAttribute('aria-checked', 'mixed');
  await snap(app, testInfo, 'add-dialog-many-files');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
});
