/** The security settings every window and web contents gets, in one place so a test can assert them. */
import type { PreventableEvent, SecureWebPreferences, WebContentsLike } from './electron-api.js';

export const APP_SCHEME = 'app';
export const APP_HOST = 'tessera';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/**
 * The renderer is one bundled script and one stylesheet from app://tessera; it talks to the engine
 * through the preload only, so it needs no network but the engine's loopback stream server (see STREAM_SOURCES). React sets styles through the CSSOM, which
 * style-src does not restrict; canvas and data: images cover the piece map and icons.
 */
/**
 * The engine's stream server (issue 16) listens on loopback on a port chosen at start: the player's
 * <video> plays from it, and subtitles and the codec sniff are read from it. Loopback only, never `*`.
 */
export const STREAM_SOURCES = 'http://127.0.0.1:* http://[::1]:* http://localhost:*';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  `connect-src ${STREAM_SOURCES}`,
  // blob: for subtitle tracks converted from SRT in the page.
  `media-src blob: ${STREAM_SOURCES}`,
  "object-src 'none'",
  "worker-src 'none'",
  "frame-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function secureWebPreferences(preload: string): SecureWebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
  };
}

/** URLs shell.openExternal may open: http(s) and magnet only, of sane length, parseable. */
export function isSafeExternalUrl(url: unknown): url is string {
  if (typeof url !== 'string' || url.length === 0 || url.length > 64 * 1024) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === 'magnet:') return /^magnet:\?/i.test(url);
  return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname !== '';
}

/** True for URLs of our own renderer (app://tessera/…). */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/**
 * No navigation away from the app, no new windows, no <webview>. A link the user clicks to an http(s)
 * page opens in the system browser through `openExternal` (checked again there).
 */
export function hardenWebContents(contents: WebContentsLike, openExternal: (url: string) => void): void {
  contents.on('will-navigate', (event: PreventableEvent, url: string) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event: PreventableEvent, url: string) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event: PreventableEvent) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url) && !url.toLowerCase().startsWith('magnet:')) openExternal(url);
    return { action: 'deny' };
  });
}
