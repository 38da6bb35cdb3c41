// The details pane rendered to HTML in Node: what each tab shows for a known store, and its roles and names.
import { register } from 'node:module';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as React from 'react';
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import type { EngineEvent, EngineMessage, GlobalStats, TorrentDetails, UiMessage } from '../../../engine/api/types.js';
import { DEFAULT_SETTINGS } from '../../../engine/api/validate.js';
import { EngineClient } from '../../api/engine-client.js';
import { Listeners, type ConnectionStatus, type Transport } from '../../api/transport.js';
import { summary } from '../../lib/test-rows.js';
import { TesseraProvider } from '../../store/context.js';
import { createTesseraStore, type DetailsTab } from '../../store/store.js';

// tsx compiles .tsx with the root tsconfig.json, which sets no "jsx": JSX becomes React.createElement
// against a global React. The renderer's own build (esbuild, automatic runtime) does not need this.
Object.assign(globalThis, { React });
// The components import their stylesheet for esbuild; under Node a .css module is empty.
register(
  `data:text/javascript,${encodeURIComponent(
    "export async function load(url, context, next) { return url.endsWith('.css') ? { format: 'module', source: '', shortCircuit: true } : next(url, context); }",
  )}`,
);
const { DetailsPane } = await import('./DetailsPane.js');
const { pieceSummary } = await import('./PiecesTab.js');

class FakeTransport implements Transport {
  readonly sent: UiMessage[] = [];
  private readonly messages = new Listeners<EngineMessage>();
  private readonly statuses = new Listeners<ConnectionStatus>();
  send(message: UiMessage): void {
    this.sent.push(message);
  }
  onMessage(listener: (message: EngineMessage) => void): () => void {
    return this.messages.add(listener);
  }
  onStatus(listener: (status: ConnectionStatus) => void): () => void {
    return this.statuses.add(listener);
  }
  close(): void {}
}

const global: GlobalStats = { downRate: 0, upRate: 0, downloadedTotal: 0, uploadedTotal: 0, connectedPeers: 0, dhtNodes: 0, freeDiskBytes: 0, altLimitsActive: false, downloadLimit: null, uploadLimit: null };

function render(tab: DetailsTab | null, details?: Omit<TorrentDetails, 'id'>, fields: Parameters<typeof summary>[1] = {}): string {
  const store = createTesseraStore();
  const snapshot: EngineEvent = { kind: 'snapshot', seq: 0, torrents: [summary('abc', { name: 'Ubuntu ISO', ...fields })], global, settings: { ...DEFAULT_SETTINGS } };
  store.getState().applyEvent(snapshot);
  if (tab !== null) {
    store.getState().showDetails('abc');
    store.getState().setDetailsTab(tab);
    if (details) store.getState().applyEvent({ kind: 'batch', seq: 1, added: [], changed: [], removed: [], global, details: { id: 'abc', ...details }, notices: [] });
  }
  const client = new EngineClient(new FakeTransport());
  // Server rendering reads getInitialState(); point it at the state built above.
  const rendered = { ...store, getInitialState: store.getState };
  return renderToString(createElement(TesseraProvider, { store: rendered, client, children: createElement(DetailsPane) }));
}

test('with nothing selected the pane says what to do', () => {
  assert.match(render(null), /Select a torrent to see its details/);
});

test('seven tabs in a tablist, the active one selected and the only tab stop', () => {
  const html = render('files', { files: [] });
  assert.match(html, /role="tablist"/);
  const tabs = [...html.matchAll(/<button[^>]*role="tab"[^>]*>([^<]+)<\/button>/g)];
  assert.deepEqual(tabs.map((m) => m[1]), ['General', 'Files', 'Peers', 'Trackers', 'Pieces', 'Speed', 'Why?']);
  const selected = tabs.filter((m) => m[0].includes('aria-selected="true"'));
  assert.equal(selected.length, 1);
  assert.match(selected[0][0], /tabindex="0"/);
  assert.match(html, /role="tabpanel"[^>]*aria-labelledby="dt-tab-files"/);
});

test('General shows live facts and, for an error, the message and what to do', () => {
  const html = render('general', undefined, { state: 'error', error: 'ENOSPC: no space left on device', ratio: 1.5, savePath: '/data/iso' });
  assert.match(html, /Error:/);
  assert.match(html, /disk is full/);
  assert.match(html, />Resume</);
  assert.match(html, />Force recheck</);
  assert.match(html, /1\.50/);
  assert.match(html, /\/data\/iso/);
});

test('Files: a tree with names on every control', () => {
  const html = render('files', {
    files: [
      { index: 0, path: 'Ubuntu/disc.iso', length: 2048, doneBytes: 1024, priority: 'normal' },
      { index: 1, path: 'Ubuntu/extra/readme.txt', length: 10, doneBytes: 10, priority: 'skip' },
    ],
  });
  assert.match(html, /aria-label="Files"/);
  assert.match(html, /aria-label="Collapse Ubuntu"/);
  assert.match(html, /aria-label="Download disc.iso"[^>]*checked=""/, 'checked = downloaded, as in the Add dialog');
  assert.doesNotMatch(html, /aria-label="Download readme.txt"[^>]*checked=""/, 'a skipped file is unchecked');
  assert.match(html, /aria-label="Priority of disc.iso"/);
  assert.match(html, /aria-label="Rename disc.iso"/);
  assert.doesNotMatch(html, /aria-label="Rename Ubuntu"/, 'the root folder keeps its name');
  assert.match(html, /aria-label="Progress of disc.iso"[^>]*aria-valuetext="50.0%"/);
  assert.match(html, /<option value="mixed" disabled=""[^>]*>Mixed<\/option>/, 'a folder with mixed priorities says so');
});

test('Peers: a sortable table sorted by address, flags with words for screen readers', () => {
  const peer = { client: 'qBittorrent 4.6.0', flags: 'DI', downRate: 2048, upRate: 0, progress: 0.5, downloaded: 4096, uploaded: 0 };
  const html = render('peers', { peers: [{ address: '10.0.0.20:6881', ...peer }, { address: '10.0.0.3:6881', ...peer, flags: 'uS' }] });
  assert.match(html, /<th[^>]*aria-sort="ascending"[^>]*><button[^>]*>Address/);
  assert.ok(html.indexOf('10.0.0.3:6881') < html.indexOf('10.0.0.20:6881'), 'numeric address order');
  assert.match(html, /D: downloading from them; I: incoming connection/);
  assert.match(html, /2\.00 KiB\/s/);
  assert.match(html, /Flags legend/);
});

test('Trackers: status in words, scrape counts and the countdown', () => {
  const html = render('trackers', {
    trackers: [{ url: 'udp://tracker.example:1337', tier: 0, status: 'error', message: 'connection timed out', seeds: 12, leechers: null, completed: 3400, nextAnnounceIn: 75 }],
  });
  assert.match(html, /Not working/);
  assert.match(html, /connection timed out/);
  assert.match(html, /3,400/);
  assert.match(html, /1:15/);
});

test('Pieces and Speed are canvases with role img and a legend', () => {
  const pieces = render('pieces', { pieces: { pieceCount: 8, pieceLength: 16384, have: new Uint8Array([0xf0]), downloading: new Uint8Array([0x08]), availability: new Uint16Array(8).fill(1) } });
  assert.match(pieces, /<canvas[^>]*role="img"/);
  assert.match(pieces, /Piece map legend/);
  assert.match(pieces, /Availability heat/);
  const speed = render('speed');
  assert.match(speed, /<canvas[^>]*role="img"/);
  assert.match(speed, /This torrent/);
  assert.match(speed, /Session/);
});

test('the piece map summary counts have, downloading and unavailable pieces', () => {
  const have = new Uint8Array(128).fill(0xff);
  have[101] = 0; // 812 of 1024
  have.fill(0, 102, 128);
  const map = { pieceCount: 1024, pieceLength: 1 << 20, have, downloading: new Uint8Array(128), availability: new Uint16Array(1024).fill(2) };
  map.downloading[110] = 0b1110_0000;
  map.availability[1023] = 0;
  assert.equal(pieceSummary(map), '808 of 1,024 pieces, 3 downloading, 1 missing that no peer has');
  assert.equal(pieceSummary(null), 'No piece map yet');
});
