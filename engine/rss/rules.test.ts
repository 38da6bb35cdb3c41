import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RssRule } from '../api/rss-types.js';
import { episodeKey, episodeMatches, episodeOf, parseEpisodeFilter } from './episode-filter.js';
import { compileTitlePattern } from './title-match.js';
import { compileRule, judge } from './rules.js';

function ep(filter: string, season: number, episode: number): boolean {
  const f = parseEpisodeFilter(filter);
  assert.ok(f);
  return episodeMatches(f, { season, episode });
}

test('episode filter: single, range, open-ended (into later seasons), whole season, both spellings', () => {
  assert.equal(ep('1x01', 1, 1), true);
  assert.equal(ep('1x01', 1, 2), false);
  assert.equal(ep('1x01-05;2x03', 1, 5), true);
  assert.equal(ep('1x01-05;2x03', 1, 6), false);
  assert.equal(ep('1x01-05;2x03', 2, 3), true);
  assert.equal(ep('1x01-05;2x03', 2, 4), false);
  assert.equal(ep('S01E01-', 1, 40), true);
  assert.equal(ep('S01E05-', 1, 4), false);
  assert.equal(ep('S01E05-', 3, 1), true);
  assert.equal(ep('s02', 2, 17), true);
  assert.equal(ep('S02;', 3, 1), false);
  assert.equal(parseEpisodeFilter(' ; '), null);
});

test('episode filter: bad parts are named', () => {
  assert.throws(() => parseEpisodeFilter('1x05;banana'), /part "banana" is not like 1x05/);
  assert.throws(() => parseEpisodeFilter('S00E01'), /seasons start at 1/);
  assert.throws(() => parseEpisodeFilter('1x09-03'), /ends before it starts/);
});

test('episodes in titles', () => {
  assert.deepEqual(episodeOf('Show.Name.S01E02.1080p.WEB'), { season: 1, episode: 2 });
  assert.deepEqual(episodeOf('Show Name s3 e14'), { season: 3, episode: 14 });
  assert.equal(episodeOf('Series 3 episode 14'), null);
  assert.deepEqual(episodeOf('Show Name S03 E14 x264'), { season: 3, episode: 14 });
  assert.deepEqual(episodeOf('Show Name S03.E14'), { season: 3, episode: 14 });
  assert.deepEqual(episodeOf('Show Name 2x05 [720p]'), { season: 2, episode: 5 });
  assert.equal(episodeOf('Movie 1920x1080'), null);
  assert.equal(episodeKey({ season: 1, episode: 2 }), 'S01E02');
});

test('words: space is AND, | is OR, * wildcards, case-insensitive', () => {
  const m = compileTitlePattern('show 1080p | other 720p', false)!;
  assert.equal(m('The.Show.S01E01.1080p'), true);
  assert.equal(m('The.Show.S01E01.720p'), false);
  assert.equal(m('OTHER thing 720P'), true);
  const w = compileTitlePattern('sh*w.s01', false)!;
  assert.equal(w('the.shoow.s01e01'), true);
  assert.equal(w('the.show.s02e01'), false);
  assert.equal(compileTitlePattern('  ', false), null);
});

test('regular expressions: linear time even for catastrophic shapes against hostile titles', () => {
  const hostile = 'a'.repeat(5000);
  for (const p of ['a*a*a*a*b', '(a+)+$', '(a|aa)*$', '(\\w+\\s?)*$', '.*a.*a.*a.*b']) {
    const m = compileTitlePattern(p, true)!;
    const started = performance.now();
    m(hostile);
    const ms = performance.now() - started;
    // The backtracking engine takes seconds on the first at 256 characters; linear matching, milliseconds.
    assert.ok(ms < 500, `${p}: ${ms.toFixed(0)} ms`);
  }
});

test('regular expressions: compiled with a cap, case-insensitive, unsupported and bad ones named', () => {
  const r = compileTitlePattern('^show\\.s0[12]e\\d+', true)!;
  assert.equal(r('Show.S01E09.x'), true);
  assert.equal(r('Show.S03E09.x'), false);
  assert.throws(() => compileTitlePattern('([a-z]', true), /not a valid regular expression/);
  assert.throws(() => compileTitlePattern('(show)\\1', true), /backreferences and lookarounds are not supported/);
  assert.throws(() => compileTitlePattern('show(?!\\.x265)', true), /not supported/);
  // Case folding keeps escapes, classes, ranges and named groups working.
  const c = compileTitlePattern('^(?<name>sh[a-o]w)\\.S\\d{2}E[^x]\\d\\b', true)!;
  assert.equal(c('SHOW.s01e12 rest'), true);
  assert.equal(c('show.s01ex2'), false);
  assert.equal(compileTitlePattern('\\D+', true)!('abc'), true);
  assert.equal(compileTitlePattern('\\D+', true)!('123'), false);
  assert.throws(() => compileTitlePattern('a'.repeat(300), true), /longer than 256/);
});

function rule(over: Partial<RssRule>): RssRule {
  return { id: 'r1', name: 'Show', enabled: true, mustContain: '', mustNotContain: '', useRegex: false, episodeFilter: '', smartFilter: false, feedIds: [], savePath: null, category: null, addPaused: false, downloadedEpisodes: [], ...over };
}

test('judge: conditions, feeds, enabled, and the smart duplicate filter across releases', () => {
  const c = compileRule(rule({ mustContain: 'show', mustNotContain: 'x265', episodeFilter: 'S01E01-', smartFilter: true, feedIds: ['f1'] }));
  const none = new Set<string>();
  assert.deepEqual(judge(c, 'f1', 'Show.S01E02.1080p', none), { match: true, episode: 'S01E02' });
  assert.deepEqual(judge(c, 'f2', 'Show.S01E02.1080p', none), { match: false });
  assert.deepEqual(judge(c, 'f1', 'Show.S01E02.x265', none), { match: false });
  assert.deepEqual(judge(c, 'f1', 'Show special', none), { match: false });
  // The same episode from another release group is a duplicate.
  assert.deepEqual(judge(c, 'f1', 'Show.S01E02.720p-OTHER', new Set(['S01E02'])), { match: false });
  assert.deepEqual(judge(compileRule(rule({ mustContain: 'show', enabled: false })), 'f1', 'show', none), { match: false });
  // No condition at all takes nothing, rather than everything.
  assert.deepEqual(judge(compileRule(rule({})), 'f1', 'anything', none), { match: false });
  assert.throws(() => compileRule(rule({ episodeFilter: 'zz' })), /rule "Show": episode filter: /);
});
