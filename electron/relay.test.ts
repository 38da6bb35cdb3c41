import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineMessage, GlobalStats, UiMessage } from '../engine/api/types.js';
import type { WorkerToHost } from '../engine/worker/messages.js';
import { EngineRelay, NO_REQUEST_ID, type RendererSide } from './relay.js';

function fakeEngine() {
  const sent: UiMessage[] = [];
  let listener: ((m: WorkerToHost) => void) | null = null;
  return {
    sent,
    emit: (m: WorkerToHost) => listener?.(m),
    side: { send: (m: UiMessage) => void sent.push(m), onMessage: (l: (m: WorkerToHost) => void) => ((listener = l), () => (listener = null)) },
  };
}

function fakeRenderer() {
  const got: EngineMessage[] = [];
  let onMessage: ((d: unknown) => void) | null = null;
  let onClose: (() => void) | null = null;
  let closed = false;
  const side: RendererSide = {
    post: (m) => void got.push(m),
    onMessage: (l) => void (onMessage = l),
    onClose: (l) => void (onClose = l),
    close: () => void (closed = true),
  };
  return { got, side, send: (d: unknown) => onMessage!(d), fireClose: () => onClose!(), isClosed: () => closed };
}

const G: GlobalStats = { downRate: 1, upRate: 2, downloadedTotal: 0, uploadedTotal: 0, connectedPeers: 0, dhtNodes: 0, freeDiskBytes: 0, altLimitsActive: false, downloadLimit: null, uploadLimit: null };

test('relay: renderer ids are mapped to engine ids and back; main has its own', async () => {
  const e = fakeEngine();
  const relay = new EngineRelay(e.side);
  const r = fakeRenderer();
  relay.attachRenderer(r.side);
  r.send({ kind: 'request', requestId: 1, command: { type: 'snapshot' } });
  const mainReply = relay.request({ type: 'pause', ids: 'all' });
  assert.equal(e.sent.length, 2);
  const [fromRenderer, fromMain] = e.sent;
  assert.notEqual(fromRenderer!.requestId, fromMain!.requestId);
  e.emit({ kind: 'reply', requestId: fromMain!.requestId, ok: true, result: null });
  e.emit({ kind: 'reply', requestId: fromRenderer!.requestId, ok: true, result: null });
  assert.deepEqual(r.got, [{ kind: 'reply', requestId: 1, ok: true, result: null }], 'only its own reply, with its own id');
  assert.equal((await mainReply).ok, true);
  e.emit({ kind: 'reply', requestId: 999, ok: true, result: null });
  assert.equal(r.got.length, 1, 'unknown replies are dropped');
});

test('relay: invalid requests are answered with InvalidCommand and never forwarded', () => {
  const e = fakeEngine();
  const relay = new EngineRelay(e.side);
  const r = fakeRenderer();
  relay.attachRenderer(r.side);
  const bad: unknown[] = [
    null,
    'x',
    { kind: 'request', requestId: 3, command: { type: 'remove', ids: ['zz'], deleteData: true } },
    { kind: 'request', requestId: 4, command: { type: 'snapshot' }, extra: 1 },
    { kind: 'request', requestId: -5, command: { type: 'snapshot' } },
    { kind: 'request', requestId: 6, command: { type: 'add', source: { kind: 'magnet', uri: 'http://x' } } },
    { kind: 'request', requestId: 7, command: { type: 'add', source: { kind: 'torrent', data: [1, 2, 3] } } },
  ];
  for (const b of bad) r.send(b);
  assert.deepEqual(e.sent, []);
  assert.equal(r.got.length, bad.length);
  for (const m of r.got) assert.ok(m.kind === 'reply' && !m.ok && m.error.name === 'InvalidCommand', JSON.stringify(m));
  assert.deepEqual(r.got.map((m) => m.kind === 'reply' && m.requestId), [NO_REQUEST_ID, NO_REQUEST_ID, 3, 4, NO_REQUEST_ID, 6, 7]);
});

test('relay: events pass through by identity; the tap sees global and notices; a new renderer replaces the old', () => {
  const e = fakeEngine();
  const globals: GlobalStats[] = [];
  const notices: unknown[] = [];
  const relay = new EngineRelay(e.side, { onGlobal: (g) => globals.push(g), onNotices: (n) => notices.push(...n) });
  const r1 = fakeRenderer();
  relay.attachRenderer(r1.side);
  r1.send({ kind: 'request', requestId: 1, command: { type: 'snapshot' } });
  const batch: WorkerToHost = { kind: 'batch', seq: 1, added: [], changed: [], removed: [], global: G, details: null, notices: [{ type: 'completed', id: 'a'.repeat(40), name: 'n', savePath: '/d' }] };
  e.emit(batch);
  assert.equal(r1.got[0], batch, 'the same object, not a re-built one');
  assert.deepEqual(globals, [G]);
  assert.equal(notices.length, 1);

  const r2 = fakeRenderer();
  relay.attachRenderer(r2.side);
  assert.equal(r1.isClosed(), true);
  e.emit({ kind: 'reply', requestId: e.sent[0]!.requestId, ok: true, result: null });
  assert.equal(r1.got.length, 1, 'the old page does not get replies');
  assert.equal(r2.got.length, 0, 'nor does the new one');
  r1.send({ kind: 'request', requestId: 2, command: { type: 'snapshot' } });
  assert.equal(e.sent.length, 1, 'the old port can no longer send');
  e.emit({ kind: 'log', line: 'x', torrent: null });
  e.emit({ kind: 'ready', port: 1 });
  assert.equal(r2.got.length, 0, 'host control messages stay in main');
});

test('relay: after stopAccepting, requests get ShuttingDown and nothing reaches the engine', async () => {
  const e = fakeEngine();
  const relay = new EngineRelay(e.side);
  const r = fakeRenderer();
  relay.attachRenderer(r.side);
  relay.stopAccepting();
  r.send({ kind: 'request', requestId: 1, command: { type: 'snapshot' } });
  const m = await relay.request({ type: 'resume', ids: 'all' });
  assert.deepEqual(e.sent, []);
  assert.equal(!m.ok && m.error.name, 'ShuttingDown');
  const got = r.got[0];
  assert.ok(got?.kind === 'reply' && !got.ok && got.error.name === 'ShuttingDown' && got.requestId === 1);
});
