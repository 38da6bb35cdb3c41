/**
 * Episode filters and episode numbers in titles. Pure.
 *
 * Filter syntax (qBittorrent's, plus the SxxEyy spelling): `;`-separated parts, each
 *   `1x05` or `S01E05`        one episode
 *   `1x05-08` or `S01E05-08`  a range within the season
 *   `1x05-` or `S01E05-`      that episode and everything after it, later seasons too
 *   `2` or `S02`              the whole season
 */

export interface Episode {
  season: number;
  episode: number;
}

type Part =
  | { kind: 'season'; season: number }
  | { kind: 'range'; season: number; from: number; to: number | null; openEnded: boolean };

export interface EpisodeFilter {
  readonly parts: readonly Part[];
}

const PART = /^(?:s?(\d{1,4}))(?:(?:x|e)(\d{1,5})(?:-(\d{1,5})?)?)?$/i;

/** Parses a filter; throws an Error naming the bad part and the expected form. '' gives null (no filter). */
export function parseEpisodeFilter(text: string): EpisodeFilter | null {
  const parts: Part[] = [];
  for (const raw of text.split(';')) {
    const token = raw.trim();
    if (token === '') continue;
    const m = PART.exec(token);
    if (!m) throw new Error(`episode filter part "${token.slice(0, 40)}" is not like 1x05, S01E05-08, 1x05- or S02`);
    const season = Number(m[1]);
    if (season === 0) throw new Error(`episode filter part "${token}": seasons start at 1`);
    if (m[2] === undefined) {
      parts.push({ kind: 'season', season });
      continue;
    }
    const from = Number(m[2]);
    const dash = token.includes('-');
    const to = m[3] === undefined ? (dash ? null : from) : Number(m[3]);
    if (to !== null && to < from) throw new Error(`episode filter part "${token}": the range ends before it starts`);
    parts.push({ kind: 'range', season, from, to, openEnded: to === null });
  }
  return parts.length === 0 ? null : { parts };
}

/** Whether the filter takes this episode. */
export function episodeMatches(filter: EpisodeFilter, ep: Episode): boolean {
  for (const p of filter.parts) {
    if (p.kind === 'season') {
      if (ep.season === p.season) return true;
    } else if (p.openEnded) {
      if (ep.season > p.season || (ep.season === p.season && ep.episode >= p.from)) return true;
    } else if (ep.season === p.season && ep.episode >= p.from && ep.episode <= (p.to ?? p.from)) return true;
  }
  return false;
}

const SXE = /\bS(\d{1,4})[ ._-]?E(\d{1,5})/i;
const NXN = /\b(\d{1,2})x(\d{1,3})\b/i;

/** The season and episode a release title names ("Show.S01E02.1080p", "Show 1x02"), or null. */
export function episodeOf(title: string): Episode | null {
  const head = title.slice(0, 512);
  const m = SXE.exec(head) ?? NXN.exec(head);
  if (!m) return null;
  return { season: Number(m[1]), episode: Number(m[2]) };
}

/** "S01E02": the key the smart duplicate filter remembers. */
export function episodeKey(ep: Episode): string {
  return `S${String(ep.season).padStart(2, '0')}E${String(ep.episode).padStart(2, '0')}`;
}
