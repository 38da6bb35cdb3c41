/** The page title with overall progress, and the session speed history kept across reloads. */
import { useEffect } from 'react';
import { localStore } from '../lib/local-store.js';
import { pageTitle } from '../lib/page-title.js';
import { restoreHistory, saveHistory } from '../lib/speed-history-store.js';
import { useStoreApi } from '../store/context.js';

/**
 * The title walks the whole list, so it is brought up to date at most once per TITLE_EVERY_MS (a moment
 * after the first batch that changes the list), not on every batch.
 */
const TITLE_EVERY_MS = 1000;

/** Sets document.title as batches arrive, only when the text changes. */
export function usePageTitle(): void {
  const store = useStoreApi();
  useEffect(() => {
    let last = '';
    let timer: number | null = null;
    const update = (): void => {
      timer = null;
      const title = pageTitle(store.getState().torrents);
      if (title === last) return;
      last = title;
      document.title = title;
    };
    update();
    const off = store.subscribe((s, prev) => {
      if (s.torrents !== prev.torrents && timer === null) timer = window.setTimeout(update, TITLE_EVERY_MS);
    });
    return () => {
      off();
      if (timer !== null) window.clearTimeout(timer);
    };
  }, [store]);
}

/** How often the history is written while the page is open (it is also written when the page goes away). */
const SAVE_EVERY_MS = 15_000;

/** Restores the session speed graph's recent samples on start and saves them while running. */
export function usePersistedSpeedHistory(): void {
  const store = useStoreApi();
  useEffect(() => {
    const storage = localStore();
    const s = store.getState();
    if (restoreHistory(s.sessionSpeed, storage, Date.now()) > 0) store.setState({ speedTick: s.speedTick + 1 });
    const save = (): void => saveHistory(store.getState().sessionSpeed, storage);
    const timer = window.setInterval(save, SAVE_EVERY_MS);
    window.addEventListener('pagehide', save);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener('pagehide', save);
      save();
    };
  }, [store]);
}
