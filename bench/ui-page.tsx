/**
 * The page bench/ui.ts measures: the real renderer (App, store, engine client, details pane) fed by a
 * synthetic engine through a fake Transport. Bundled by bench/ui.ts with esbuild; not part of the app.
 */
import '../renderer/styles/app.css';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import type { EngineEvent, EngineMessage, GlobalStats, PieceMap, Settings, TorrentPatch, TorrentSummary, UiMessage } from '../engine/api/types.js';
import { EngineClient } from '../renderer/api/engine-client.js';
import { Listeners, type ConnectionStatus, type Transport } from '../renderer/api/transport.js';
import { App } from '../renderer/App.js';
import { DetailsPane } from '../renderer/components/details/DetailsPane.js';
import { summary } from '../renderer/lib/test-rows.js';
import { DEFAULT_SETTINGS } from '../engine/api/validate.js';
import { seededRandom } from '../engine/testing/random.js';
import { TesseraProvider } from '../renderer/store/context.js';
import { createTesseraStore } from '../renderer/store/store.js';
import { connectStore } from '../renderer/store/sync.js';

const SETTINGS: Settings = { ...DEFAULT_SETTINGS, downloadDir: '/downloads' };

const random = seededRandom(42);
const STATES: TorrentSummary['state'][] = ['downloading', 'seeding', 'paused', 'seeding', 'queued', 'stalled', 'seeding'];

function makeTorrents(count: number): TorrentSummary[] {
  return Array.from({ length: count }, (_, i) => {
    const total = Math.floor(random() * 8 * 1024 ** 3) + 1024 ** 2;
    const progress = random();
    return summary(i.toString(16).padStart(40, '0'), {
      name: `Synthetic torrent ${i} ${['ubuntu', 'debian', 'fedora', 'arch', 'mint'][i % 5]}-${i % 97}.iso`,
      state: STATES[i % STATES.length],
      queuePosition: i,
      totalBytes: total,
      wantedBytes: total,
      doneBytes: Math.floor(total * progress),
      progress,
      addedAt: Date.now() - Math.floor(random() * 1e9),
    });
  });
}

const global: GlobalStats = { downRate: 0, upRate: 0, downloadedTotal: 0, uploadedTotal: 0, connectedPeers: 0, dhtNodes: 300, freeDiskBytes: 1e12, altLimitsActive: false, downloadLimit: null, uploadLimit: null };

class SyntheticEngine implements Transport {
  readonly torrents: TorrentSummary[];
  private seq = 0;
  private readonly messages = new Listeners<EngineMessage>();
  private readonly statuses = new Listeners<ConnectionStatus>();

  constructor(count: number) {
    this.torrents = makeTorrents(count);
  }

  send(message: UiMessage): void {
    const c = message.command;
    const reply = (result: unknown): void => {
      queueMicrotask(() => this.messages.emit({ kind: 'reply', requestId: message.requestId, ok: true, result: result as null }));
    };
    switch (c.type) {
      case 'snapshot':
        reply(null);
        queueMicrotask(() => this.emit({ kind: 'snapshot', seq: 0, torrents: this.torrents, global, settings: SETTINGS }));
        return;
      case 'getSettings':
        return reply(SETTINGS);
      case 'getInfo': {
        const t = this.torrents.find((x) => x.id === c.id);
        return reply({ id: c.id, name: t?.name ?? c.id, infoHash: c.id, pieceLength: 1 << 20, pieceCount: 100_000, totalBytes: t?.totalBytes ?? 0, private: false, comment: null, createdBy: 'bench', creationDate: 1_700_000_000, magnetUri: `magnet:?xt=urn:btih:${c.id}`, files: [], fileCount: 0, trackers: [] });
      }
      default:
        return reply(null);
    }
  }

  onMessage(listener: (message: EngineMessage) => void): () => void {
    return this.messages.add(listener);
  }

  onStatus(listener: (status: ConnectionStatus) => void): () => void {
    return this.statuses.add(listener);
  }

  close(): void {}

  open(): void {
    this.statuses.emit({ state: 'open' });
  }

  /** Sends an event with the next sequence number (a snapshot restarts the count). */
  emit(event: EngineEvent): void {
    this.seq = event.kind === 'snapshot' ? event.seq : this.seq + 1;
    this.messages.emit({ ...event, seq: this.seq });
  }

  /** A batch in which `count` random torrents change rates and progress. */
  batch(count: number, pieces?: PieceMap, detailsId?: string): EngineEvent {
    const changed: TorrentPatch[] = [];
    for (let i = 0; i < count; i++) {
      const t = this.torrents[Math.floor(random() * this.torrents.length)];
      const progress = Math.min(1, t.progress + random() * 0.001);
      changed.push({ id: t.id, downRate: Math.floor(random() * 4 * 1024 ** 2), upRate: Math.floor(random() * 1024 ** 2), progress, doneBytes: Math.floor(t.totalBytes * progress), eta: Math.floor(random() * 10_000), peers: Math.floor(random() * 50), seeds: Math.floor(random() * 20) });
      t.progress = progress;
    }
    return { kind: 'batch', seq: 0, added: [], changed, removed: [], global: { ...global, downRate: random() * 1e7, upRate: random() * 1e6 }, details: pieces && detailsId ? { id: detailsId, pieces } : null, notices: [] };
  }
}

export interface Stats {
  count: number;
  median: number;
  p95: number;
  max: number;
  mean: number;
}

function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
  return { count: s.length, median: at(0.5), p95: at(0.95), max: s.at(-1) ?? 0, mean: s.reduce((a, b) => a + b, 0) / Math.max(1, s.length) };
}

function nextFrame(): Promise<number> {
  return new Promise((resolve) => requestAnimationFrame(resolve));
}

const engine = new SyntheticEngine(10_000);
const store = createTesseraStore();
const client = new EngineClient(engine);
connectStore(client, store);

const root = document.getElementById('root');
const details = document.getElementById('details');
if (!root || !details) throw new Error('bench page: #root or #details missing');
createRoot(root).render(
  <TesseraProvider store={store} client={client}>
    <App />
  </TesseraProvider>,
);
createRoot(details).render(
  <TesseraProvider store={store} client={client}>
    <DetailsPane />
  </TesseraProvider>,
);

function scroller(): HTMLElement {
  const el = document.querySelector<HTMLElement>('[role="grid"]');
  if (!el) throw new Error('bench page: the torrent list (role=grid) is not rendered');
  return el;
}

const bench = {
  async ready(): Promise<number> {
    engine.open();
    await client.request({ type: 'snapshot' });
    for (let i = 0; i < 200 && !store.getState().loaded; i++) await nextFrame();
    await nextFrame();
    return document.querySelectorAll('[role="grid"] [role="row"]').length;
  },

  /** rAF deltas over `ms`, optionally scrolling the list every frame and/or streaming changes (per second, in 4 batches). */
  async frames(ms: number, scroll: boolean, changesPerSecond: number): Promise<Stats> {
    const el = scroll ? scroller() : null;
    const timer = changesPerSecond > 0 ? window.setInterval(() => engine.emit(engine.batch(Math.round(changesPerSecond / 4))), 250) : 0;
    const deltas: number[] = [];
    let last = await nextFrame();
    const end = last + ms;
    let direction = 1;
    while (last < end) {
      if (el) {
        if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) direction = -1;
        else if (el.scrollTop <= 0) direction = 1;
        el.scrollTop += direction * 45;
      }
      const t = await nextFrame();
      deltas.push(t - last);
      last = t;
    }
    if (timer) window.clearInterval(timer);
    return stats(deltas);
  },

  /** One batch through the engine client into the store, rendered synchronously (store.applyEvent + React commit). */
  async batchTimes(changes: number, runs: number): Promise<Stats> {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const event = engine.batch(changes);
      await nextFrame();
      const t0 = performance.now();
      flushSync(() => engine.emit(event));
      times.push(performance.now() - t0);
    }
    return stats(times);
  },

  /**
   * The Pieces tab redrawing a map of `pieceCount` pieces that changes every time: the time between a
   * frame callback queued before the batch and one queued after it is the canvas's own redraw.
   * `everyPiece`: each batch flips every piece (the worst case, as on first show), else a few pieces
   * change as in a live download.
   */
  async pieceRedraws(pieceCount: number, runs: number, everyPiece: boolean): Promise<{ draw: Stats; canvas: { width: number; height: number; cells: string } }> {
    const id = engine.torrents[0].id;
    store.getState().showDetails(id);
    store.getState().setDetailsTab('pieces');
    const bytes = Math.ceil(pieceCount / 8);
    const have = new Uint8Array(bytes).map(() => Math.floor(random() * 256));
    const downloading = new Uint8Array(bytes);
    const availability = new Uint16Array(pieceCount).map(() => Math.floor(random() * 30));
    const map = (): PieceMap => ({ pieceCount, pieceLength: 1 << 20, have: have.slice(), downloading: downloading.slice(), availability: availability.slice() });
    engine.emit(engine.batch(0, map(), id));
    await nextFrame();
    await nextFrame();
    const times: number[] = [];
    // The first redraws run cold code (JIT, the tab's first layout); they are not what a user sees.
    const warmup = 5;
    for (let i = 0; i < runs + warmup; i++) {
      if (everyPiece) for (let b = 0; b < bytes; b++) have[b] ^= 0xff;
      else have[Math.floor(random() * bytes)] ^= 0xff;
      downloading[Math.floor(random() * bytes)] = 0x10;
      const event = engine.batch(0, map(), id);
      await nextFrame();
      let before = 0;
      requestAnimationFrame(() => {
        before = performance.now();
      });
      engine.emit(event);
      const after = await new Promise<number>((resolve) => requestAnimationFrame(() => resolve(performance.now())));
      if (i >= warmup) times.push(after - before);
    }
    const canvas = document.querySelector<HTMLCanvasElement>('#details canvas');
    return { draw: stats(times), canvas: { width: canvas?.width ?? 0, height: canvas?.height ?? 0, cells: canvas?.getAttribute('aria-label') ?? '' } };
  },
};

declare global {
  interface Window {
    tesseraBench: typeof bench;
  }
}
window.tesseraBench = bench;
