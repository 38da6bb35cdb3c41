/** The rates a torrent's row and details show (smoothed; see lib/display-rates.ts), as narrow selectors. */
import { formatRate } from '../lib/format.js';
import { useTessera } from './context.js';

/**
 * The shown download or upload rate of one torrent as printed ("1.25 MiB/s", `zero` for none). Text, so a
 * row re-renders when what it prints changes, not on every step of the average.
 */
export function useShownRateText(id: string, which: 'down' | 'up', zero = ''): string {
  return useTessera((s) => {
    const t = s.torrents.get(id);
    if (!t) return zero;
    return formatRate(which === 'down' ? s.displayRates.down(t, s.ratesAt) : s.displayRates.up(t, s.ratesAt), zero);
  });
}
