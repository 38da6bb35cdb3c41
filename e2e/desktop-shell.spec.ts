// The desktop shell around the UI (electron project only): the bridge is exactly window.tessera, the page
// has no Node, and the engine answers through the relay.
import { test, expect } from './fixtures/app.js';

test.skip(({ tesseraTarget }) => tesseraTarget !== 'electron', 'desktop shell checks need the electron project');

test('the window exposes only window.tessera, with the bridge’s methods, and no Node', async ({ app }) => {
  const shape = await app.evaluate(() => ({
    keys: Object.keys((globalThis as unknown as { tessera: object }).tessera).sort(),
    require: typeof (globalThis as unknown as { require?: unknown }).require,
    process: typeof (globalThis as unknown as { process?: unknown }).process,
  }));
  expect(shape.keys).toEqual(['onMessage', 'onOpenRequest', 'openExternal', 'openPath', 'ready', 'send', 'setProgress', 'showItemInFolder']);
  expect(shape.require).toBe('undefined');
  expect(shape.process).toBe('undefined');
});

test('a request through the bridge is answered; a bad one gets InvalidCommand from the relay', async ({ app }) => {
  const replies = await app.evaluate(
    () =>
      new Promise<unknown[]>((resolve) => {
        type Bridge = { send(m: unknown): void; onMessage(l: (m: { kind: string; requestId?: number }) => void): () => void };
        const bridge = (globalThis as unknown as { tessera: Bridge }).tessera;
        const got: unknown[] = [];
        bridge.onMessage((m) => {
          if (m.kind === 'reply' && (m.requestId === 900001 || m.requestId === 900002)) got.push(m);
          if (got.length === 2) resolve(got);
        });
        bridge.send({ kind: 'request', requestId: 900001, command: { type: 'getSettings' } });
        bridge.send({ kind: 'request', requestId: 900002, command: { type: 'pause', ids: ['not-a-hash'] } });
      }),
  );
  const byId = new Map((replies as { requestId: number; ok: boolean; error?: { name: string } }[]).map((r) => [r.requestId, r]));
  expect(byId.get(900001)?.ok).toBe(true);
  expect(byId.get(900002)?.error?.name).toBe('InvalidCommand');
});
