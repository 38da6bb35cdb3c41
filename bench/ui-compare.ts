/**
 * The UI benchmark's batch path, this tree against older commits (`node --import tsx bench/ui-compare.ts
 * [--ref 727f9ae ...] [--rounds 6]`): each commit's bench page (bench/ui-page.tsx of that commit) is
 * bundled the same way and opened in one Chromium, and the builds take turns, round by round in rotated
 * order, so a busy machine slows them alike. Each turn runs 2 s of 500 changes a second (the rows settle
 * as in use), then times 40 batches of 125 changed torrents and 20 of 500 (client → store → React
 * commit). Prints each build's median of the rounds' medians and, paired round by round, its ratio to
 * the first ref (the base).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from '@playwright/test';
import { chromiumLaunchOptions } from '../e2e/fixtures/chromium.js';
import { bundleUiPage } from './ui-bundle.js';

interface Stats {
  median: number;
}
interface BenchApi {
  ready(): Promise<number>;
  frames(ms: number, scroll: boolean, changesPerSecond: number): Promise<Stats>;
  batchTimes(changes: number, runs: number): Promise<Stats>;
}
type PageGlobal = { tesseraBench: BenchApi };

const root = fileURLToPath(new URL('..', import.meta.url));
const outRoot = `${root}dist/bench-ui-compare`;

function args(): { refs: string[]; rounds: number } {
  const refs: string[] = [];
  let rounds = 6;
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--ref' && argv[i + 1]) refs.push(argv[++i]);
    else if (argv[i] === '--rounds' && argv[i + 1]) rounds = Number(argv[++i]);
    else throw new Error(`bench/ui-compare: unknown argument "${argv[i]}"; use --ref <commit> (repeatable) and --rounds <n>`);
  }
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('bench/ui-compare: --rounds takes a whole number ≥ 1');
  return { refs: refs.length ? refs : ['727f9ae'], rounds };
}

/** The commit's tree, exported under dist/ (inside the repository, so its imports find node_modules). */
function exportTree(ref: string): string {
  const dir = `${outRoot}/${ref}/src`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const tar = execFileSync('git', ['archive', ref, 'bench', 'renderer', 'engine', 'e2e/fixtures'], { cwd: root, maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  return dir;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const { refs, rounds } = args();
  const builds: { name: string; url: string }[] = [];
  for (const ref of refs) builds.push({ name: ref, url: await bundleUiPage(exportTree(ref), `${outRoot}/${ref}/page`) });
  builds.push({ name: 'this tree', url: await bundleUiPage(root, `${outRoot}/now/page`) });

  const browser = await chromium.launch(chromiumLaunchOptions());
  const loadBefore = loadavg();
  try {
    const pages: Page[] = [];
    for (const b of builds) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
      const page = await context.newPage();
      await page.goto(b.url);
      await page.waitForFunction(() => 'tesseraBench' in globalThis);
      await page.evaluate(() => (globalThis as unknown as PageGlobal).tesseraBench.ready());
      pages.push(page);
    }
    const results = builds.map(() => ({ b125: [] as number[], b500: [] as number[] }));
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < builds.length; k++) {
        const i = (r + k) % builds.length;
        const page = pages[i];
        await page.bringToFront();
        await page.evaluate(() => (globalThis as unknown as PageGlobal).tesseraBench.frames(2000, false, 500));
        results[i].b125.push((await page.evaluate(() => (globalThis as unknown as PageGlobal).tesseraBench.batchTimes(125, 40))).median);
        results[i].b500.push((await page.evaluate(() => (globalThis as unknown as PageGlobal).tesseraBench.batchTimes(500, 20))).median);
      }
      process.stdout.write(`round ${r + 1}/${rounds} done\n`);
    }
    const loadAfter = loadavg();
    const f = (n: number): string => `${n.toFixed(2)} ms`;
    console.log(`\nOne batch, median of ${rounds} rounds' medians (load average before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${loadAfter.map((x) => x.toFixed(2)).join(' ')})`);
    console.log(`${'build'.padEnd(12)}${'125 rows'.padStart(12)}${'500 rows'.padStart(12)}${'ratio 125'.padStart(12)}${'ratio 500'.padStart(12)}`);
    const base = results[0];
    results.forEach((res, i) => {
      const ratio = (mine: number[], theirs: number[]): string => median(mine.map((x, j) => x / theirs[j])).toFixed(2);
      console.log(`${builds[i].name.padEnd(12)}${f(median(res.b125)).padStart(12)}${f(median(res.b500)).padStart(12)}${ratio(res.b125, base.b125).padStart(12)}${ratio(res.b500, base.b500).padStart(12)}`);
    });
    console.log('(ratio: paired round by round against the first build, median of the rounds)');
    for (const [i, res] of results.entries()) console.log(`  ${builds[i].name}: 125 rows ${res.b125.map((x) => x.toFixed(2)).join(' ')} | 500 rows ${res.b500.map((x) => x.toFixed(2)).join(' ')}`);
  } finally {
    await browser.close();
  }
}

await main();
