// The main process wired against a fake electron and a fake engine: windows, open requests, IPC, quit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UiMessage } from '../engine/api/types.js';
import type { WorkerToHost } from '../engine/worker/messages.js';
import { startTessera, type EngineHandle, type TesseraApp } from './app.js';
import { CHANNELS } from './channels.js';
import type { IpcMainEventLike } from './electron-api.js';
import { createFakeElectron, FakeWindow, type FakeElectron } from './testing/fake-electron.js';

const MAGNET = 'magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567';

function fakeEngine() {
  const sent: UiMessage[] = [];
  const listeners = new Set<(m: WorkerToHost) => void>();
  const rec = { log: [] as string[] };
  const engine: EngineHandle = {
    ready: Promise.resolve(6881),
    send: (m) => {
      sent.push(m);
      if (m.kind === 'request' && m.command.type === 'add') for (const l of listeners) l({ kind: 'reply', requestId: m.requestId, ok: true, result: { id: 'a'.repeat(40), name: 'x' } });
    },
    onMessage: (l) => (listeners.add(l), () => void listeners.delete(l)),
    shutdown: async (ms) => (rec.log.push(`engine.shutdown(${ms})`), 'clean'),
  };
  return {
    engine,
    sent,
    get log() {
      return rec.log;
    },
    set log(v: string[]) {
      rec.log = v;
    },
    emit: (m: WorkerToHost) => listeners.forEach((l) => l(m)),
  };
}

interface Harness {
  f: FakeElectron;
  app: TesseraApp;
  eng: ReturnType<typeof fakeEngine>;
  dir: string;
  win: () => FakeWindow;
  ipc: (channel: string, ...args: unknown[]) => void;
  logs: string[];
  /** launchPlayer calls, as "player url". */
  launched: string[];
}

async function start(argv: string[], setup?: (dir: string) => void): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-app-'));
  setup?.(dir);
  const f = createFakeElectron(join(dir, 'userData'));
  const eng = fakeEngine();
  const logs: string[] = [];
  const launched: string[] = [];
  const app = startTessera(f.api, {
    argv,
    cwd: dir,
    platform: 'linux',
    dev: false,
    execPath: '/opt/tessera',
    paths: { rendererDir: join(dir, 'renderer'), preload: '/app/preload.cjs', trayIcon: '/app/tray.png' },
    startEngine: () => eng.engine,
    log: (l) => void logs.push(l),
    // The fake's mpv is "not installed", so the error path is seen too.
    launchPlayer: async (player, url) => (launched.push(`${player} ${url}`), player === 'mpv' ? 'mpv is not installed' : null),
    stopTimeoutMs: 200,
  });
  assert.ok(app);
  f.readyNow();
  await app.started;
  const win = (): FakeWindow => app.window() as unknown as FakeWindow;
  const ipc = (channel: string, ...args: unknown[]): void => {
    const event: IpcMainEventLike = { sender: { id: win().webContents.id }, senderFrame: { url: 'app://tessera/index.html' } };
    f.ipc.get(channel)!(event, ...args);
  };
  return { f, app, eng, dir, win, ipc, logs, launched };
}

test('every window is created sandboxed and hardened; permissions are denied; app:// is served', async () => {
  const h = await start(['/opt/tessera']);
  try {
    const w = h.win();
    assert.deepEqual(w.options.webPreferences, {
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    });
    assert.equal(w.webContents.url, 'app://tessera/index.html');
    assert.deepEqual(w.webContents.openHandler!({ url: 'https://x.example/' }), { action: 'deny' });
    assert.equal(w.webContents.listenerCount('will-navigate'), 1);
    assert.deepEqual(h.f.permissionAnswers, [false, false, false, false, false]);
    assert.ok(h.f.protocolHandlers.has('app'));
    assert.ok(h.logs.some((l) => /interface is not built/.test(l)), 'a missing renderer build is reported');

    // A window made later (macOS 'activate' after closing) is just as locked down.
    h.win().userClose();
    assert.equal(h.app.window(), null);
    h.f.emitApp('activate');
    assert.equal(FakeWindow.all.length, 2);
    assert.deepEqual(FakeWindow.all[1]!.options.webPreferences, w.options.webPreferences);
    assert.equal(FakeWindow.all[1]!.webContents.listenerCount('will-navigate'), 1);
  } finally {
    rmSync(h.dir, { recursive: true, force: true });
  }
});

test('a second instance quits at once', () => {
  const f = createFakeElectron('/nonexistent');
  f.gotLock = false;
  const app = startTessera(f.api, { argv: [], cwd: '/', platform: 'linux', dev: false, execPath: '', paths: { rendererDir: '', preload: '', trayIcon: '' }, startEngine: () => assert.fail('no engine'), log: () => undefined });
  assert.equal(app, null);
  assert.deepEqual(f.calls, ['app.quit', 'app.quit: quitting']);
});

test('open requests from argv, second-instance and open-url wait for ready, then arrive in order; junk and bad files do not', async () => {
  const h = await start(['/opt/tessera', '--no-sandbox', 'first run.torrent', MAGNET, 'README.md'], (dir) => {
    writeFileSync(join(dir, 'first run.torrent'), 'd4:infodee');
    mkdirSync(join(dir, 'other cwd'));
    writeFileSync(join(dir, 'other cwd', 'ü.torrent'), 'd4:infoi1ee');
  });
  try {
    h.f.emitApp('second-instance', {}, ['/opt/tessera', '--allow-file-access-from-files', '--original-process-start-time=1337', 'ü.torrent', 'missing.torrent'], join(h.dir, 'other cwd'));
    h.f.emitApp('open-url', { preventDefault: () => undefined }, MAGNET + '&dn=2');
    await h.app.idle();
    assert.equal(h.win().webContents.sent.length, 0, 'nothing before ready');
    assert.ok(h.f.calls.some((c) => /Could not open the torrent.*missing\.torrent.*does not exist/.test(c)), h.f.calls.join('\n'));

    h.ipc(CHANNELS.hello);
    const port = h.win().webContents.posted.find((p) => p.channel === CHANNELS.port);
    assert.equal(port?.transfer.length, 1, 'the renderer gets a MessagePort');
    h.ipc(CHANNELS.ready);
    const opened = h.win().webContents.sent.filter((s) => s.channel === CHANNELS.open).map((s) => s.args[0]);
    assert.deepEqual(opened, [
      { kind: 'torrent', name: 'first run.torrent', data: new Uint8Array(Buffer.from('d4:infodee')) },
      { kind: 'magnet', uri: MAGNET },
      { kind: 'torrent', name: 'ü.torrent', data: new Uint8Array(Buffer.from('d4:infoi1ee')) },
      { kind: 'magnet', uri: MAGNET + '&dn=2' },
    ]);
    // Once ready, new ones go straight through; a reload (hello again) queues until the next ready.
    h.f.emitApp('open-url', { preventDefault: () => undefined }, MAGNET + '&dn=3');
    await h.app.idle();
    assert.equal(h.win().webContents.sent.length, 5);
    h.ipc(CHANNELS.hello);
    h.f.emitApp('open-url', { preventDefault: () => undefined }, MAGNET + '&dn=4');
    await h.app.idle();
    assert.equal(h.win().webContents.sent.length, 5);
    assert.equal(h.app.queue.size, 1);
  } finally {
    rmSync(h.dir, { recursive: true, force: true });
  }
});

test('with "add without asking" on, main adds through the relay instead of asking the renderer', async () => {
  const h = await start(['/opt/tessera', MAGNET], (dir) => {
    mkdirSync(join(dir, 'userData'), { recursive: true });
    writeFileSync(join(dir, 'userData', 'ui-settings.json'), JSON.stringify({ addWithoutAsking: true }));
  });
  try {
    await h.app.idle();
    assert.deepEqual(
      h.eng.sent.map((m) => m.command),
      [{ type: 'add', source: { kind: 'magnet', uri: MAGNET } }],
    );
    assert.equal(h.app.queue.size, 0);
  } finally {
    rmSync(h.dir, { recursive: true, force: true });
  }
});

test('IPC: only the Tessera window is heard, and bad payloads are rejected before they reach the OS', async () => {
  const h = await start(['/opt/tessera']);
  try {
    const folder = join(h.dir, 'dl');
    mkdirSync(folder);
    const foreign: IpcMainEventLike = { sender: { id: 9999 }, senderFrame: { url: 'app://tessera/index.html' } };
    h.f.ipc.get(CHANNELS.openExternal)!(foreign, 'https://example.org/');
    const otherOrigin: IpcMainEventLike = { sender: { id: h.win().webContents.id }, senderFrame: { url: 'https://evil.example/' } };
    h.f.ipc.get(CHANNELS.openExternal)!(otherOrigin, 'https://example.org/');
    h.ipc(CHANNELS.openExternal, 'file:///etc/passwd');
    h.ipc(CHANNELS.openExternal, 'javascript:alert(1)');
    h.ipc(CHANNELS.openExternal, 'https://example.org/', 'extra');
    h.ipc(CHANNELS.openPath, 'relative/dir');
    h.ipc(CHANNELS.openPath, join(h.dir, 'no-such-folder'));
    h.ipc(CHANNELS.openPath, { path: folder });
    h.ipc(CHANNELS.showItemInFolder, 'x\0y');
    h.ipc(CHANNELS.setProgress, 1.5);
    h.ipc(CHANNELS.setProgress, '0.5');
    h.ipc(CHANNELS.ready, 'payload');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(h.f.shellCalls, []);
    assert.equal(h.win().progress, null);
    assert.ok(h.logs.filter((l) => /rejected|ignored/.test(l)).length >= 12, h.logs.join('\n'));

    h.ipc(CHANNELS.openExternal, 'https://example.org/');
    h.ipc(CHANNELS.openPath, folder);
    h.ipc(CHANNELS.showItemInFolder, join(folder, 'file.bin'));
    h.ipc(CHANNELS.setProgress, 0.25);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(h.f.shellCalls, ['openExternal https://example.org/', `openPath ${folder}`, `showItemInFolder ${join(folder, 'file.bin')}`]);
    assert.equal(h.win().progress, 0.25);
    h.ipc(CHANNELS.setProgress, null);
    assert.equal(h.win().progress, -1);
  } finally {
    rmSync(h.dir, { recursive: true, force: true });
  }
});

test('notices: a completed download notifies, and a click shows it in the folder', async () => {
  const h = await start(['/opt/tessera']);
  try {
    const g = { downRate: 2_500_000, upRate: 0, downloadedTotal: 0, uploadedTotal: 0, connectedPeers: 0, dhtNodes: 0, freeDiskBytes: 0, altLimitsActive: false, downloadLimit: null, uploadLimit: null };
    h.eng.emit({ kind: 'batch', seq: 1, added: [], changed: [], removed: [], global: g, details: null, notices: [{ type: 'completed', id: 'b'.repeat(40), name: 'Big Buck', savePath: '/dl' }] });
    assert.equal(h.f.notifications.length, 1);
    assert.equal(h.f.notifications[0]!.body, 'Big Buck');
    h.f.notifications[0]!.clicks[0]!();
    assert.deepEqual(h.f.shellCalls, ['showItemInFolder /dl/Big Buck']);
  } finally {
    rmSync(h.dir, { recursive: true, force: true });
  }
});

test('quit: stop accepting, engine flushed and stopped, then the app really quits; close-to-tray hides instead', async () => {
  const h = await start(['/opt/tessera'], (dir) => {
    mkdirSync(join(dir, 'userData'), { recursive: true });
    writeFileSync(join(dir, 'userData', 'ui-settings.json'), JSON.stringify({ closeToTray: true }));
  });
  try {
    h.win().visible = true;
    assert.equal(h.win().userClose(), false, 'close-to-tray keeps the window');
    assert.equal(h.win().visible, false);

    h.f.calls.length = 0;
    h.eng.log = h.f.calls;
    h.f.api.app.quit();
    assert.deepEqual(h.f.calls, ['app.quit', 'engine.shutdown(200)'], 'the first quit is held while the engine stops');
    const pending = h.app.relay()!.request({ type: 'snapshot' });
    assert.equal(((await pending) as { ok: boolean; error?: { name: string } }).error?.name, 'ShuttingDown');
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(h.f.calls, ['app.quit', 'engine.shutdown(200)', 'tray.destroy', 'app.quit', 'app.quit: quitting']);
    assert.equal(h.eng.sent.length, 0, 'no command reached the engine after quitting began');
  } finally {
    rmSync(h.dir, { recursive: true, force: true });
  }
});

test('open in player: only vlc or mpv, only on a loopback http URL; a missing player is reported in a box', async () => {
  const h = await start(['/opt/tessera']);
  try {
    const url = 'http://127.0.0.1:41234/stream/0123abcd/aa/0/film.mkv';
    h.ipc(CHANNELS.openInPlayer, { player: 'sh', url });
    h.ipc(CHANNELS.openInPlayer, { player: 'vlc', url: 'https://example.org/film.mkv' });
    h.ipc(CHANNELS.openInPlayer, { player: 'vlc', url: 'http://192.168.1.2:8080/film.mkv' });
    h.ipc(CHANNELS.openInPlayer, { player: 'vlc', url: 'file:///etc/passwd' });
    h.ipc(CHANNELS.openInPlayer, { player: 'vlc', url: `${url} --extraintf=x` });
    h.ipc(CHANNELS.openInPlayer, { player: 'vlc', url: 'http://user:pw@127.0.0.1:1/x' });
    h.ipc(CHANNELS.openInPlayer, 'vlc', url);
    h.ipc(CHANNELS.openInPlayer, url);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(h.launched, []);
    assert.equal(h.logs.filter((l) => /open-in-player: rejected/.test(l)).length, 8, h.logs.join('\n'));

    h.ipc(CHANNELS.openInPlayer, { player: 'vlc', url });
    h.ipc(CHANNELS.openInPlayer, { player: 'mpv', url: 'http://[::1]:5000/s/x' });
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(h.launched, [`vlc ${url}`, 'mpv http://[::1]:5000/s/x']);
    assert.deepEqual(
      h.f.calls.filter((c) => c.includes('player')),
      ['messageBox error: Could not open the player: mpv is not installed'],
    );
  } finally {
    rmSync(h.dir, { recursive: true, force: true });
  }
});
