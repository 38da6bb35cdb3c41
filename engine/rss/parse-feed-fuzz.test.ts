// Fuzzes the feed parser like the metainfo fuzzers: mutated real-shaped feeds parse or fail with one FeedError line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFeed } from './parse-feed.js';
import { FeedError } from './feed-types.js';
import { ATOM_SAMPLE, rss2Sample } from './test-samples.js';

const RUNS = Number(process.env.FEED_FUZZ_RUNS ?? 400);

/** A small seeded generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const TOKENS = ['<', '>', '</', '/>', '&', '&amp;', '&#x110000;', '<![CDATA[', ']]>', '<!--', '-->', '"', "'", '=', '<item>', '</item>', '<entry>', '<link href="', '\u0000', '\uFFFF', '<?xml', '?>'];

function mutate(src: string, r: () => number): string {
  let s = src;
  const edits = 1 + Math.floor(r() * 8);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(r() * s.length);
    const op = r();
    if (op < 0.35) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 20));
    else if (op < 0.7) s = s.slice(0, at) + TOKENS[Math.floor(r() * TOKENS.length)] + s.slice(at);
    else s = s.slice(0, at) + s.slice(at, at + Math.floor(r() * 200)) + s.slice(at);
  }
  return s;
}

test(`feed parser: ${RUNS} mutated RSS and Atom feeds each parse or fail with one FeedError line`, () => {
  const bases = [rss2Sample([{ title: 'Show S01E01', url: 'http://h/a.torrent' }, { title: 'Show S01E02', url: 'magnet:?xt=urn:btih:aa' }]), ATOM_SAMPLE];
  const r = rng(17);
  let parsed = 0;
  for (let i = 0; i < RUNS; i++) {
    const input = mutate(bases[i % bases.length]!, r);
    try {
      const f = parseFeed(input);
      for (const item of f.items) assert.equal(typeof item.id, 'string');
      parsed++;
    } catch (err) {
      if (!(err instanceof FeedError)) throw new Error(`run ${i}: ${String(err)} for ${JSON.stringify(input.slice(0, 300))}`);
      assert.ok(err.message.startsWith('feed: ') && !err.message.includes('\n'), err.message);
    }
  }
  // Both outcomes occur, or the mutations are too weak (or too strong) to test anything.
  assert.ok(parsed > 0 && parsed < RUNS, `parsed ${parsed} of ${RUNS}`);
});
