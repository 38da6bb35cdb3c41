/** Checks for tracker lists (setTorrentOptions' trackers, createTorrent) and web seeds. Pure. */
import { array, fail } from './validate-primitives.js';

const MAX_TIERS = 100;
const MAX_URL = 2048;
const TRACKER_URL = /^(https?|udp):\/\/[^\s/?#]+/i;
const WEB_SEED_URL = /^https?:\/\/[^\s/?#]+/i;

/** An announce URL: http(s):// or udp:// with a host; why not, in words, or null. */
export function trackerUrlProblem(url: string): string | null {
  if (url.length === 0) return 'is empty';
  if (url.length > MAX_URL) return `is longer than ${MAX_URL} characters`;
  if (!TRACKER_URL.test(url)) return 'must be an http://, https:// or udp:// tracker URL';
  return null;
}

export function webSeedProblem(url: string): string | null {
  if (url.length > MAX_URL) return `is longer than ${MAX_URL} characters`;
  if (!WEB_SEED_URL.test(url)) return 'must be an http:// or https:// URL';
  return null;
}

/** Tiers in order, each 1..100 tracker URLs; no URL twice. */
export function trackerTiers(v: unknown, path: string): string[][] {
  const seen = new Set<string>();
  return array(v, path, MAX_TIERS).map((tier, i) =>
    array(tier, `${path}[${i}]`, MAX_TIERS, 1).map((url, j) => {
      const p = `${path}[${i}][${j}]`;
      if (typeof url !== 'string') fail(p, 'must be a string');
      const problem = trackerUrlProblem(url as string);
      if (problem) fail(p, problem);
      if (seen.has(url as string)) fail(p, `lists ${url as string} twice`);
      seen.add(url as string);
      return url as string;
    }),
  );
}

export function webSeeds(v: unknown, path: string): string[] {
  return array(v, path, MAX_TIERS).map((url, i) => {
    if (typeof url !== 'string') fail(`${path}[${i}]`, 'must be a string');
    const problem = webSeedProblem(url as string);
    if (problem) fail(`${path}[${i}]`, problem);
    return url as string;
  });
}
