// Watch while it downloads (issue 16, must-show 3): a torrent holding a small H.264/AAC MP4 (made here with
// ffmpeg, its index at the end of the file) and an HEVC one, seeded by libtorrent rate-limited so the
// download takes about half a minute. Play from the context menu: the video element passes 2 s of playback
// while the torrent is still under 100 %, with the subtitle file beside it as a track. The HEVC file, played
// from the Files tab, offers the external player instead. The player passes axe, light and dark.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures/app.js';
import { addTorrentByDrop, snap, torrentRow } from './fixtures/ui.js';
import { freePort, makeTestVideo, makeTorrent, startLibtorrent, startTracker } from '../engine/testing/index.js';

const NAME = 'Stream clips';
const SRT = '1\n00:00:00,500 --> 00:00:04,000\nHello from the subtitle file\n\n2\n00:00:04,500 --> 00:00:08,000\nSecond cue\n';

async function audit(app: Page, where: string): Promise<string[]> {
  const result = await new AxeBuilder({ page: app }).include('[role="dialog"]').analyze();
  return result.violations.map((v) => `${where}: ${v.id} (${v.impact ?? 'n/a'}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 4).join(', ')}`);
}

test('play an H.264 MP4 before the download completes; an HEVC file offers an external player', async ({ tessera, app }, testInfo) => {
  test.setTimeout(180_000);
  const seedDir = join(tessera.workDir, 'seed');
  const folder = join(seedDir, NAME);
  mkdirSync(folder, { recursive: true });
  // About 2.6 MB at ~800 kbit/s: the seeder's 80 kB/s makes the download last ~30 s, playback needs ~2 s of it plus the index.
  makeTestVideo({ out: join(folder, 'clip.mp4'), seconds: 24, codec: 'h264', videoKbps: 800 });
  // HEVC twice: index first (the sniff of the first bytes sees it), and index last in a file bigger than the
  // sniff, so only the media element itself can tell (its error, or a video without a picture).
  makeTestVideo({ out: join(folder, 'clip-hevc.mp4'), seconds: 3, codec: 'hevc', videoKbps: 200, faststart: true });
  makeTestVideo({ out: join(folder, 'late-hevc.mp4'), seconds: 6, codec: 'hevc', videoKbps: 600 });
  expect(statSync(join(folder, 'late-hevc.mp4')).size, 'the late-index HEVC file is bigger than the sniff').toBeGreaterThan(300 * 1024);
  mkdirSync(join(folder, 'Subs'));
  writeFileSync(join(folder, 'Subs', 'clip.en.srt'), SRT);
  const size = statSync(join(folder, 'clip.mp4')).size;
  expect(size, 'the H.264 clip is a few MiB').toBeGreaterThan(1_500_000);

  const tracker = await startTracker({ intervalSeconds: 5 });
  const torrent = await makeTorrent({ source: folder, out: join(tessera.workDir, `${NAME}.torrent`), tiers: [[tracker.httpUrl]], pieceLengthLog2: 16 });
  const seeder = await startLibtorrent({ role: 'seed', torrentFile: torrent.file, dataDir: seedDir, port: await freePort(), uploadLimit: 80_000 });
  try {
    await seeder.ready;
    await expect(app.getByRole('grid', { name: 'Torrents' })).toBeVisible();
    await addTorrentByDrop(app, NAME, readFileSync(torrent.file));

    // The context menu's Play picks the torrent's main media file: the larger video.
    await torrentRow(app, NAME).click({ button: 'right' });
    await app.getByRole('menu', { name: 'Torrent actions' }).getByRole('menuitem', { name: 'Play' }).click();
    const player = app.getByRole('dialog', { name: 'clip.mp4' });
    await expect(player).toBeVisible();
    const video = player.locator('video');
    await expect(video).toHaveAttribute('src', /^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+\//, { timeout: 20_000 });

    let progressAtTwoSeconds = -1;
    await expect
      .poll(
        async () => {
          const t = await video.evaluate((v: HTMLVideoElement) => v.currentTime);
          if (t > 2 && progressAtTwoSeconds < 0) progressAtTwoSeconds = Number(await torrentRow(app, NAME).getByRole('progressbar').getAttribute('aria-valuenow'));
          return t;
        },
        { message: 'the video plays past 2 s', timeout: 60_000, intervals: [250] },
      )
      .toBeGreaterThan(2);
    expect(progressAtTwoSeconds, 'the torrent was still downloading when playback passed 2 s').toBeLessThan(100);
    testInfo.annotations.push({ type: 'progress at currentTime > 2', description: `${progressAtTwoSeconds} %` });
    console.log(`stream.spec: currentTime passed 2 s with the torrent at ${progressAtTwoSeconds} %`);

    // The downloaded-parts bar follows the piece map; the subtitle file became a track.
    await expect(player.getByRole('img', { name: /^Downloaded \d+ % of the file/ })).toBeVisible();
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.textTracks.length), { message: 'the .srt beside the video is a track', timeout: 20_000 }).toBe(1);
    expect(await video.evaluate((v: HTMLVideoElement) => v.textTracks[0]?.label)).toBe('en');
    await expect(player.getByText(/Could not load subtitles/)).toHaveCount(0);

    const found: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      await app.emulateMedia({ colorScheme: scheme });
      found.push(...(await audit(app, `${scheme}, player`)));
      await snap(app, testInfo, `player-${scheme}`);
    }
    await app.emulateMedia({ colorScheme: 'light' });
    await app.keyboard.press('Escape');
    await expect(player).toBeHidden();

    // HEVC, played from its row in the Files tab: the choice of an external player, never a silent black box.
    await torrentRow(app, NAME).click();
    await app.getByRole('tab', { name: 'Files' }).click();
    await app.getByRole('button', { name: 'Play clip-hevc.mp4' }).click();
    const hevc = app.getByRole('dialog', { name: 'clip-hevc.mp4' });
    await expect(hevc).toBeVisible();
    const choices = hevc.getByRole('region', { name: 'Open in an external player' });
    await expect(choices).toBeVisible({ timeout: 45_000 });
    await expect(choices.getByRole('button', { name: 'Copy stream URL' })).toBeVisible();
    // A browser page cannot start programs: it shows the command lines instead of VLC/mpv buttons.
    await expect(choices.getByRole('textbox', { name: 'Command for VLC' })).toHaveValue(/^vlc 'http:\/\/.+clip-hevc\.mp4'$/);
    await expect(hevc.locator('video')).toHaveCount(0);
    for (const scheme of ['light', 'dark'] as const) {
      await app.emulateMedia({ colorScheme: scheme });
      found.push(...(await audit(app, `${scheme}, external player choice`)));
      await snap(app, testInfo, `player-external-${scheme}`);
    }
    await app.keyboard.press('Escape');
    await expect(hevc).toBeHidden();

    await app.getByRole('button', { name: 'Play late-hevc.mp4' }).click();
    const late = app.getByRole('dialog', { name: 'late-hevc.mp4' });
    await expect(late.getByRole('region', { name: 'Open in an external player' }), 'the media element found it could not show the HEVC picture').toBeVisible({ timeout: 45_000 });
    await snap(app, testInfo, 'player-external-late');
    await app.keyboard.press('Escape');
    await expect(late).toBeHidden();

    // A single-file video torrent plays on double-click (here it has no seeder: the player opens on it all the same).
    const single = await makeTorrent({ source: join(folder, 'clip-hevc.mp4'), out: join(tessera.workDir, 'single.torrent'), tiers: [], pieceLengthLog2: 15 });
    await addTorrentByDrop(app, 'clip-hevc.mp4', readFileSync(single.file));
    await torrentRow(app, 'clip-hevc.mp4').dblclick();
    const fromRow = app.getByRole('dialog', { name: 'clip-hevc.mp4' });
    await expect(fromRow).toBeVisible();
    await app.keyboard.press('Escape');
    await expect(fromRow).toBeHidden();
    expect(found, found.join('\n')).toEqual([]);
  } finally {
    await seeder.stop();
    await tracker.close();
  }
});
