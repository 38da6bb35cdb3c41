import type { Entry } from './entry.js';

/**
 * The host names of a torrent's trackers, for the sidebar's Trackers filter (issue 17): sorted, once each.
 * From its own tiers, else its metainfo's, else its magnet's; a torrent whose metainfo is not parsed
 * (a record after a restart) shows the hosts its record kept. Cached per entry and recomputed only when
 * the tier list it came from is replaced, so an unchanged list keeps its identity and makes no row patch.
 */
const cache = new WeakMap<Entry, { source: readonly (readonly string[])[] | readonly string[] | null; hosts: string[] }>();

export function trackerHostsOf(e: Entry): string[] {
  const source = e.trackers ?? e.meta?.announce ?? e.magnet?.trackers ?? null;
  const hit = cache.get(e);
  if (hit && (hit.source === source || source === null)) return hit.hosts;
  const hosts = source === null ? [] : hostsOf(source.flat());
  cache.set(e, { source, hosts });
  return hosts;
}

/** A record's kept hosts, for an entry whose metainfo is not parsed yet. */
export function rememberTrackerHosts(e: Entry, hosts: readonly string[]): void {
  cache.set(e, { source: null, hosts: [...hosts] });
}

export function hostsOf(urls: readonly string[]): string[] {
  const out = new Set<string>();
  for (const u of urls) {
    try {
      const host = new URL(u).hostname.toLowerCase();
      if (host) out.add(host);
    } catch {
      // Not a URL: no host to list it under.
    }
  }
  return [...out].sort();
}
