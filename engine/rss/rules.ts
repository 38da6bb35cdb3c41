/** Which rule takes which feed item. Pure: the session's RSS service adds what this picks. */
import type { RssRule } from '../api/rss-types.js';
import { episodeKey, episodeMatches, episodeOf, parseEpisodeFilter, type EpisodeFilter } from './episode-filter.js';
import { compileTitlePattern, type TitleMatcher } from './title-match.js';

export interface CompiledRule {
  readonly rule: RssRule;
  readonly must: TitleMatcher | null;
  readonly mustNot: TitleMatcher | null;
  readonly episodes: EpisodeFilter | null;
}

/** Compiles a rule's patterns; throws an Error with a one-line reason naming the field. */
export function compileRule(rule: RssRule): CompiledRule {
  const at = (field: string, f: () => unknown) => {
    try {
      return f();
    } catch (err) {
      throw new Error(`rule "${rule.name}": ${field}: ${(err as Error).message}`);
    }
  };
  return {
    rule,
    must: at('must contain', () => compileTitlePattern(rule.mustContain, rule.useRegex)) as TitleMatcher | null,
    mustNot: at('must not contain', () => compileTitlePattern(rule.mustNotContain, rule.useRegex)) as TitleMatcher | null,
    episodes: at('episode filter', () => parseEpisodeFilter(rule.episodeFilter)) as EpisodeFilter | null,
  };
}

export type RuleVerdict = { match: false } | { match: true; episode: string | null };

/**
 * Whether the rule takes an item of this feed. `episodesTaken`: episodes the rule already added
 * (its record and this refresh's), for the smart filter.
 */
export function judge(c: CompiledRule, feedId: string, title: string, episodesTaken: ReadonlySet<string>): RuleVerdict {
  const { rule } = c;
  if (!rule.enabled) return { match: false };
  if (rule.feedIds.length > 0 && !rule.feedIds.includes(feedId)) return { match: false };
  // A rule with no condition at all would take everything: it takes nothing instead.
  if (!c.must && !c.episodes) return { match: false };
  if (c.must && !c.must(title)) return { match: false };
  if (c.mustNot && c.mustNot(title)) return { match: false };
  const ep = episodeOf(title);
  if (c.episodes && (!ep || !episodeMatches(c.episodes, ep))) return { match: false };
  const key = ep ? episodeKey(ep) : null;
  if (rule.smartFilter && key && episodesTaken.has(key)) return { match: false };
  return { match: true, episode: key };
}
