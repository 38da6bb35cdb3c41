/**
 * UI scale benchmark (`npm run bench ui`): the real renderer in real Chromium with 10,000 torrents in the
 * store, fed by a synthetic engine (bench/ui-page.tsx). Measures frame times while the list scrolls with
 * and without 500 changes a second, against an idle page measured in the same run; the time to apply
 * one batch (store + React commit); and the Pieces tab redrawing a 100,000-piece map.
 */
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from '@playwright/test';
import { chromiumLaunchOptions } from '../e2e/fixtures/chromium.js';
import { bundleUiPage } from './ui-bundle.js';

interface Stats {
  count: number;
  median: number;
  p95: number;
  max: number;
  mean: number;
}

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/bench-ui`;
const quick = process.argv.includes('--quick');
const SECONDS = quick ? 2 : 5;

async function bundle(): Promise<string> {
  return bundleUiPage(root, out);
}

const ms = (n: number): string => `${n.toFixed(2)} ms`;
const row = (label: string, s: Stats): string => `${label.padEnd(52)} median ${ms(s.median).padStart(9)}  p95 ${ms(s.p95).padStart(9)}  max ${ms(s.max).padStart(9)}  (n=${s.count})`;

async function openPage(url: string, deviceScaleFactor: number): Promise<{ page: Page; close: () => Promise<void> }> {
  const browser = await chromium.launch(chromiumLaunchOptions());
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, deviceScaleFactor });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => 'tesseraBench' in globalThis);
  if (errors.length) throw new Error(`bench page failed: ${errors.join('; ')}`);
  return { page, close: () => browser.close() };
}

async function main(): Promise<void> {
  const url = await bundle();
  const { page, close } = await openPage(url, 1);
  try {
    const rows = await page.evaluate(() => (globalThis as unknown as PageGlobal).tesseraBench.ready());
    console.log(`10,000 torrents loaded; list rows mounted: ${rows}\n`);
    const idle = await page.evaluate((t) => (globalThis as unknown as PageGlobal).tesseraBench.frames(t, false, 0), SECONDS * 1000);
    const scroll = await page.evaluate((t) => (globalThis as unknown as PageGlobal).tesseraBench.frames(t, true, 0), SECONDS * 1000);
    const scrollLive = await page.evaluate((t) => (globalThis as unknown as PageGlobal).tesseraBench.frames(t, true, 500), SECONDS * 1000);
    const batch125 = await page.evaluate(() => (globalThis as unknown as PageGlobal).tesseraBench.batchTimes(125, 40));
    const batch500 = await page.evaluate(() => (globalThis as unknown as PageGlobal).tesseraBench.batchTimes(500, 20));
    const pieces = await page.evaluate(() => (globalThis as unknown as PageGlobal).tesseraBench.pieceRedraws(100_000, 30, false));
    const piecesAll = await page.evaluate(() => (globalThis as unknown as PageGlobal).tesseraBench.pieceRedraws(100_000, 30, true));
    console.log('Frame time (requestAnimationFrame deltas)');
    console.log(row('  idle page (reference)', idle));
    console.log(row('  scrolling the list, no changes', scroll));
    console.log(row('  scrolling the list, 500 changes/s (4 batches/s)', scrollLive));
    console.log('Applying one batch (engine client → store → React commit, flushSync)');
    console.log(row('  125 changed torrents', batch125));
    console.log(row('  500 changed torrents', batch500));
    console.log(`Pieces tab, 100,000-piece map changing every batch, frame callback before → after (canvas ${pieces.canvas.width}×${pieces.canvas.height} device px, dpr 1)`);
    console.log(row('  redraw, a few pieces changed', pieces.draw));
    console.log(row('  redraw, every piece changed', piecesAll.draw));
    console.log(`  ${pieces.canvas.cells}`);
  } finally {
    await close();
  }
  const hi = await openPage(url, 2);
  try {
    await hi.page.evaluate(() => (globalThis as unknown as PageGlobal).tesseraBench.ready());
    const pieces = await hi.page.evaluate(() => (globalThis as unknown as PageGlobal).tesseraBench.pieceRedraws(100_000, 30, false));
    const piecesAll = await hi.page.evaluate(() => (globalThis as unknown as PageGlobal).tesseraBench.pieceRedraws(100_000, 30, true));
    console.log(`Pieces tab at dpr 2 (canvas ${pieces.canvas.width}×${pieces.canvas.height} device px)`);
    console.log(row('  redraw, a few pieces changed', pieces.draw));
    console.log(row('  redraw, every piece changed', piecesAll.draw));
    console.log(`  ${pieces.canvas.cells}`);
  } finally {
    await hi.close();
  }
}

interface BenchApi {
  ready(): Promise<number>;
  frames(ms: number, scroll: boolean, changesPerSecond: number): Promise<Stats>;
  batchTimes(changes: number, runs: number): Promise<Stats>;
  pieceRedraws(pieceCount: number, runs: number, everyPiece: boolean): Promise<{ draw: Stats; canvas: { width: number; height: number; cells: string } }>;
}

/** The page's global (bench/ui-page.tsx); used inside page.evaluate, whose functions run in the page. */
type PageGlobal = { tesseraBench: BenchApi };

await main();
