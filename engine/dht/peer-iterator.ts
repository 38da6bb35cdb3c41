// Adapts a callback-driven lookup to an async iteration of the peers it finds (DhtNode.getPeers).
import type { Lookup, PeerAddress } from './lookup.js';

/**
 * Starts the lookup: `onPeers` takes each batch of new peers, `onStart` the Lookup once it exists (so breaking out
 * of the iteration can abort it), and `cancelled()` says whether the iteration already ended (check it before
 * starting a lookup that nobody would read).
 */
export type StartPeerLookup = (onPeers: (peers: readonly PeerAddress[]) => void, onStart: (l: Lookup) => void, cancelled: () => boolean) => Promise<unknown>;

/** Peers as `start`'s lookup finds them; the iteration ends with the lookup. Breaking out aborts the lookup. */
export function iteratePeers(start: StartPeerLookup): AsyncIterable<PeerAddress> {
  return {
    [Symbol.asyncIterator]: () => {
      const queue: PeerAddress[] = [];
      let finished = false;
      let wake: (() => void) | null = null;
      const poke = (): void => {
        const w = wake;
        wake = null;
        w?.();
      };
      let started: Lookup | null = null;
      const run = start(
        (ps) => {
          queue.push(...ps);
          poke();
        },
        (l) => {
          started = l;
        },
        () => finished,
      ).finally(() => {
        finished = true;
        poke();
      });
      void run.catch(() => undefined);
      return {
        next: async (): Promise<IteratorResult<PeerAddress>> => {
          for (;;) {
            const p = queue.shift();
            if (p) return { value: p, done: false };
            if (finished) return { value: undefined, done: true };
            await new Promise<void>((r) => {
              wake = r;
            });
          }
        },
        return: async (): Promise<IteratorResult<PeerAddress>> => {
          finished = true;
          (started as Lookup | null)?.abort();
          poke();
          return { value: undefined, done: true };
        },
      };
    },
  };
}
