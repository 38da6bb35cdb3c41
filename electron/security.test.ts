import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { appProtocolHandler, resolveAppFile } from './app-protocol.js';
import { validateLocalPath, validateNoArgs, validateProgress } from './ipc.js';
import { CONTENT_SECURITY_POLICY, hardenWebContents, isSafeExternalUrl } from './security.js';

test('openExternal: only http(s) and magnet URLs', () => {
  for (const ok of ['https://example.org/a?b', 'http://127.0.0.1:8080/', 'magnet:?xt=urn:btih:abc']) assert.equal(isSafeExternalUrl(ok), true, ok);
  for (const bad of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'ms-msdt:/id', 'https://', 'magnet:xt', '', 42, null, 'https://a/' + 'x'.repeat(70_000)]) {
    assert.equal(isSafeExternalUrl(bad), false, String(bad).slice(0, 40));
  }
});

test('CSP: no inline or remote script, no network', () => {
  assert.match(CONTENT_SECURITY_POLICY, /default-src 'none'/);
  assert.match(CONTENT_SECURITY_POLICY, /script-src 'self'(;|$)/);
  // The only network the page reaches is the engine's stream server on loopback (media, subtitles).
  assert.match(CONTENT_SECURITY_POLICY, /connect-src http:\/\/127\.0\.0\.1:\* http:\/\/\[::1\]:\* http:\/\/localhost:\*(;|$)/);
  assert.match(CONTENT_SECURITY_POLICY, /media-src blob: http:\/\/127\.0\.0\.1:\*/);
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-(inline|eval)|https:|(^|\s)\*/);
  for (const source of CONTENT_SECURITY_POLICY.split(/[;\s]+/).filter((s) => s.includes('http'))) {
    assert.match(source, /^http:\/\/(127\.0\.0\.1|\[::1\]|localhost):\*$/, `${source} is not a loopback source`);
  }
});

test('web contents: navigation away, redirects, webviews and new windows are refused; http(s) links go to the browser', () => {
  const handlers = new Map<string, (...a: unknown[]) => void>();
  let openHandler: ((d: { url: string }) => { action: 'deny' }) | null = null;
  const opened: string[] = [];
  hardenWebContents(
    {
      id: 1,
      on: (e: string, l: (...a: unknown[]) => void) => handlers.set(e, l),
      setWindowOpenHandler: (h) => void (openHandler = h),
      send: () => undefined,
      postMessage: () => undefined,
      isDestroyed: () => false,
      getURL: () => '',
    },
    (u) => opened.push(u),
  );
  const prevented = (event: string, url?: string): boolean => {
    let p = false;
    handlers.get(event)!({ preventDefault: () => (p = true) }, url);
    return p;
  };
  assert.equal(prevented('will-navigate', 'https://evil.example/'), true);
  assert.equal(prevented('will-navigate', 'file:///etc/passwd'), true);
  assert.equal(prevented('will-navigate', 'app://tessera/index.html'), false);
  assert.equal(prevented('will-redirect', 'https://evil.example/'), true);
  assert.equal(prevented('will-attach-webview'), true);
  assert.deepEqual(openHandler!({ url: 'https://example.org/' }), { action: 'deny' });
  assert.deepEqual(openHandler!({ url: 'file:///bin/sh' }), { action: 'deny' });
  assert.deepEqual(opened, ['https://example.org/']);
});

test('app:// serves only files inside the renderer folder, with the CSP header', async () => {
  const root = '/srv/r';
  assert.equal(resolveAppFile('app://tessera/', root), '/srv/r/index.html');
  assert.equal(resolveAppFile('app://tessera/app.js?x=1', root), '/srv/r/app.js');
  assert.equal(resolveAppFile('app://tessera/%2e%2e/%2e%2e/etc/passwd.js', root), '/srv/r/etc/passwd.js', 'the URL parser already clamps dot segments at the root');
  assert.equal(resolveAppFile('app://tessera/..%2f..%2fsecret.js', root), null);
  assert.equal(resolveAppFile('app://tessera/a%5c..%5cb.js', root), null);
  assert.equal(resolveAppFile('app://other/app.js', root), null);
  assert.equal(resolveAppFile('app://tessera/binary.exe', root), null);
  assert.equal(resolveAppFile('app://tessera/x.js', 'C:\\r', path.win32), 'C:\\r\\x.js');
  const dir = mkdtempSync(path.join(tmpdir(), 'tessera-proto-'));
  try {
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html>');
    const handle = appProtocolHandler(dir);
    const ok = await handle(new Request('app://tessera/index.html'));
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
    assert.match(ok.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(await ok.text(), '<!doctype html>');
    const missing = await handle(new Request('app://tessera/app.js'));
    assert.equal(missing.status, 404);
    assert.equal((await handle(new Request('app://tessera/index.html', { method: 'POST', body: 'x' }))).status, 405);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('IPC payloads: paths, progress and argument counts are checked', () => {
  const abs = path.posix.isAbsolute;
  assert.deepEqual(validateLocalPath('/home/a b/ü', abs), { ok: true, value: '/home/a b/ü' });
  for (const bad of ['relative/x', '', '/a\0b', '/' + 'a'.repeat(5000), 42, null, { toString: () => '/x' }]) assert.equal(validateLocalPath(bad, abs).ok, false);
  assert.deepEqual(validateProgress(null), { ok: true, value: null });
  assert.deepEqual(validateProgress(0.5), { ok: true, value: 0.5 });
  for (const bad of [-0.1, 1.5, NaN, Infinity, '0.5', undefined]) assert.equal(validateProgress(bad).ok, false);
  assert.equal(validateNoArgs([]).ok, true);
  assert.equal(validateNoArgs([1]).ok, false);
});
