// Managing the list: pause and resume, reorder the download queue, remove with data, and a restart of the
// engine that brings back the same list in the same order.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect } from './fixtures/app.js';
import { startSwarm } from './fixtures/swarm.js';
import { addTorrentByDrop, expectComplete, snap, torrentRow } from './fixtures/ui.js';
import { makeTestPayload, makeTorrent } from '../engine/testing/index.js';
import type { Locator, Page } from '@playwright/test';

/** A torrent nobody seeds: it stays incomplete, so it keeps its place in the download queue. */
async function unseededTorrent(dir: string, name: string, seed: number): Promise<Uint8Array> {
  const payload = await makeTestPayload(join(dir, 'unseeded'), { name, seed, files: [{ path: 'data.bin', size: 300_000 }] });
  const t = await makeTorrent({ source: payload.root, out: join(dir, `${name}.torrent`), tiers: [['http://127.0.0.1:9/announce']], pieceLengthLog2: 15 });
  return readFileSync(t.file);
}

/** The names in the list, top to bottom (the list is sorted by queue position by default). */
async function listedNames(app: Page): Promise<string[]> {
  return app.getByRole('grid', { name: 'Torrents' }).locator('[role="row"][data-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
}

function toolbarButton(app: Page, name: string): Locator {
  return app.getByRole('toolbar', { name: 'Torrent actions' }).getByRole('button', { name, exact: true });
}

test('pause, resume, reorder the queue, remove with data, and the same list after a restart', async ({ tessera, app }, testInfo) => {
  test.setTimeout(150_000);
  const swarm = await startSwarm(tessera.workDir, 'Finished payload', { seed: 3 });
  try {
    await expect(app.getByRole('grid', { name: 'Torrents' })).toBeVisible();
    await addTorrentByDrop(app, 'Finished payload', swarm.torrentBytes);
    await expectComplete(app, 'Finished payload', 60_000);
    await addTorrentByDrop(app, 'Alpha', await unseededTorrent(tessera.workDir, 'Alpha', 11));
    await addTorrentByDrop(app, 'Bravo', await unseededTorrent(tessera.workDir, 'Bravo', 12));
    const queued = (names: string[]): string[] => names.filter((n) => n === 'Alpha' || n === 'Bravo');
    expect(queued(await listedNames(app))).toEqual(['Alpha', 'Bravo']);

    // Pause and resume Alpha.
    const alpha = torrentRow(app, 'Alpha');
    await alpha.click();
    await toolbarButton(app, 'Pause').click();
    await expect(alpha).toContainText('Paused');
    await snap(app, testInfo, 'paused');
    await toolbarButton(app, 'Resume').click();
    await expect(alpha).not.toContainText('Paused');

    // Bravo to the top of the queue.
    await torrentRow(app, 'Bravo').click();
    await toolbarButton(app, 'Move up').click();
    await expect.poll(async () => queued(await listedNames(app))).toEqual(['Bravo', 'Alpha']);
    await snap(app, testInfo, 'reordered');

    // Remove the finished torrent and its files.
    const files = join(tessera.downloadDir, 'Finished payload');
    expect(existsSync(files)).toBe(true);
    await torrentRow(app, 'Finished payload').click();
    await toolbarButton(app, 'Remove').click();
    const confirm = app.getByRole('dialog', { name: 'Remove torrents' });
    await confirm.getByRole('checkbox', { name: 'Also delete downloaded files' }).check();
    await snap(app, testInfo, 'remove-confirm');
    await confirm.getByRole('button', { name: 'Remove', exact: true }).click();
    await expect(torrentRow(app, 'Finished payload')).toHaveCount(0);
    await expect.poll(() => existsSync(files), { timeout: 10_000 }).toBe(false);

    // Restart the engine: the same torrents come back, in the same queue order.
    const before = await listedNames(app);
    await tessera.restart();
    await expect(app.getByText('Connected', { exact: true })).toBeVisible({ timeout: 30_000 });
    await expect.poll(() => listedNames(app), { timeout: 30_000 }).toEqual(before);
    expect(before).toEqual(['Bravo', 'Alpha']);
    await snap(app, testInfo, 'after-restart');
  } finally {
    await swarm.close();
  }
});
