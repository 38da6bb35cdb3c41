// The README's screenshots of the main window, light and dark, taken of a real session: `tessera daemon`
// with torrents downloading from libtorrent seeders on loopback, one paused, one waiting for peers.
// Run: npm run screenshots (builds the renderer first). Writes assets/screenshots/main-{light,dark}.png.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, expect } from '@playwright/test';
import { chromiumLaunchOptions } from './fixtures/chromium.js';
import { startDaemon } from './fixtures/daemon.js';
import { startSwarm, type Swarm } from './fixtures/swarm.js';
import { addTorrentByDrop, torrentRow } from './fixtures/ui.js';
import { makeTestPayload, makeTorrent, stopAll } from '../engine/testing/index.js';

const out = fileURLToPath(new URL('../assets/screenshots/', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'tessera-screenshots-'));

const swarms: Swarm[] = [];
try {
  const big = [{ path: 'recordings/day-1.flac', size: 24_000_000 }, { path: 'recordings/day-2.flac', size: 20_000_000 }, { path: 'notes.txt', size: 12_345 }];
  swarms.push(await startSwarm(root, 'Field recordings', { files: big, seed: 21, uploadLimit: 900_000 }));
  swarms.push(await startSwarm(root, 'Lecture slides', { seed: 22, uploadLimit: 300_000 }));
  swarms.push(await startSwarm(root, 'Photo archive', { seed: 23 }));
  const lonely = await makeTestPayload(join(root, 'unseeded'), { name: 'Conference videos', seed: 24, files: [{ path: 'talk.webm', size: 3_000_000 }] });
  const lonelyTorrent = await makeTorrent({ source: lonely.root, out: join(root, 'lonely.torrent'), tiers: [[swarms[0].tracker.httpUrl]], pieceLengthLog2: 16 });

  const daemon = await startDaemon({ dataDir: join(root, 'state'), downloadDir: join(root, 'downloads') });
  const browser = await chromium.launch(chromiumLaunchOptions());
  const context = await browser.newContext({ viewport: { width: 1440, height: 800 }, colorScheme: 'light' });
  const page = await context.newPage();
  await page.goto(daemon.url);
  await expect(page.getByRole('grid', { name: 'Torrents' })).toBeVisible();

  await addTorrentByDrop(page, 'Photo archive', swarms[2].torrentBytes);
  await addTorrentByDrop(page, 'Field recordings', swarms[0].torrentBytes);
  await addTorrentByDrop(page, 'Lecture slides', swarms[1].torrentBytes);
  await addTorrentByDrop(page, 'Conference videos', readFileSync(lonelyTorrent.file));
  await torrentRow(page, 'Lecture slides').click();
  await page.getByRole('toolbar', { name: 'Torrent actions' }).getByRole('button', { name: 'Pause', exact: true }).click();

  await torrentRow(page, 'Field recordings').click();
  await page.getByRole('tab', { name: 'Pieces' }).click();
  await page.getByRole('checkbox', { name: 'Availability heat' }).uncheck();
  // Let the big one get well under way, so the piece map and rates show something.
  await expect(torrentRow(page, 'Field recordings').getByRole('progressbar')).toHaveAttribute('aria-valuenow', /^(1[5-9]|[2-9]\d)(\.\d)?$/, { timeout: 90_000 });
  await page.screenshot({ path: join(out, 'main-light.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.getByRole('tab', { name: 'Peers' }).click();
  await page.waitForTimeout(1500);
  await page.screenshot({ path: join(out, 'main-dark.png') });
  console.log(`screenshots: wrote ${join(out, 'main-light.png')} and main-dark.png`);
  await browser.close();
  await daemon.stop();
} finally {
  for (const s of swarms) await s.close();
  await stopAll();
  rmSync(root, { recursive: true, force: true });
}
