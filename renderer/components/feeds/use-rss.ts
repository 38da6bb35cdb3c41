/**
 * The RSS state for the Feeds view: rssList on mount, again after every rss notice (a refresh ended, a
 * rule added an item) and every 15 s while shown (the "refreshing" status and timed refreshes).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { RssState } from '../../../engine/api/rss-types.js';
import { useEngine, useStoreApi } from '../../store/context.js';
import { errorText } from '../commands.js';

const POLL_MS = 15_000;

export interface RssView {
  state: RssState | null;
  /** Why the last rssList failed, or null. */
  error: string | null;
  reload(): Promise<void>;
}

export function useRss(): RssView {
  const engine = useEngine();
  const store = useStoreApi();
  const [state, setState] = useState<RssState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const alive = useRef(true);

  const reload = useCallback(async () => {
    try {
      const next = await engine.request({ type: 'rssList' });
      if (!alive.current) return;
      setState(next);
      setError(null);
    } catch (e) {
      if (alive.current) setError(errorText(e));
    }
  }, [engine]);

  useEffect(() => {
    alive.current = true;
    void reload();
    const timer = setInterval(() => void reload(), POLL_MS);
    const off = store.subscribe((s, prev) => {
      if (s.notices === prev.notices) return;
      const last = s.notices[s.notices.length - 1];
      if (last && (last.type === 'rssAdded' || last.type === 'rssFeedUpdated')) void reload();
    });
    return () => {
      alive.current = false;
      clearInterval(timer);
      off();
    };
  }, [reload, store]);

  return { state, error, reload };
}
