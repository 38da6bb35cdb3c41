/**
 * Peer ids: a best-effort client name from a remote peer id, and our own peer id.
 *
 * Recognised conventions:
 *  - Azureus style "-XXvvvv-": two-character client code and four version characters. Version
 *    characters are read as base 36 (0-9, then A-Z / a-z = 10..35). Most clients use three of
 *    them ("-qB4520-" qBittorrent 4.5.2, "-LT2080-" libtorrent 2.0.8, "-lt0D80-" rakshasa
 *    libTorrent 0.13.8). Special cases: Transmission up to 3.x is "major.minor2"
 *    ("-TR3000-" Transmission 3.00), from 4.0 "major.minor.patch"; WebTorrent packs a
 *    two-digit major and minor ("-WW0109-" WebTorrent 1.9); Vuze and BiglyBT use all four.
 *    Uppercase "LT" is libtorrent (Rasterbar); lowercase "lt" is libTorrent (rakshasa), the
 *    library under rTorrent.
 *  - aria2 "A2-1-36-0-" (aria2 1.36.0) and Mainline "M4-3-6--" (Mainline 4.3.6).
 *  - Shadow style "S58B-----": one letter, up to five base-64 version characters, "---".
 * Anything else is "Unknown (<first 8 bytes, non-printable as '.'>)", or "Unknown" when none
 * of them is printable. The result is for display only; never trust it for decisions.
 */
import { randomBytes } from 'node:crypto';

/** Our Azureus-style prefix: Tessera 0.1.0. */
export const TESSERA_PEER_ID_PREFIX = '-TS0100-';

const AZUREUS_CLIENTS: Record<string, string> = {
  AG: 'Ares',
  AZ: 'Vuze',
  BC: 'BitComet',
  BI: 'BiglyBT',
  BT: 'BitTorrent',
  DE: 'Deluge',
  FD: 'Free Download Manager',
  FW: 'FrostWire',
  HL: 'Halite',
  KT: 'KTorrent',
  LT: 'libtorrent',
  lt: 'libTorrent (rakshasa)',
  LW: 'LimeWire',
  PI: 'PicoTorrent',
  qB: 'qBittorrent',
  SD: 'Thunder',
  TR: 'Transmission',
  TS: 'Tessera',
  UM: 'µTorrent Mac',
  UT: 'µTorrent',
  UW: 'µTorrent Web',
  WD: 'WebTorrent Desktop',
  WW: 'WebTorrent',
  XL: 'Xunlei',
};

const SHADOW_CLIENTS: Record<string, string> = {
  A: 'ABC',
  O: 'Osprey Permaseed',
  Q: 'BTQueue',
  R: 'Tribler',
  S: 'Shadow',
  T: 'BitTornado',
  U: 'UPnP NAT Bit Torrent',
};

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** '0'-'9' -> 0..9, 'A'-'Z' and 'a'-'z' -> 10..35. */
function base36(c: number): number {
  if (isDigit(c)) return c - 0x30;
  if (c >= 0x41 && c <= 0x5a) return c - 0x41 + 10;
  return c - 0x61 + 10;
}

/** Shadow's alphabet: 0-9, A-Z, a-z, '.', '-' -> 0..63; -1 otherwise. */
function base64(c: number): number {
  if (isDigit(c)) return c - 0x30;
  if (c >= 0x41 && c <= 0x5a) return c - 0x41 + 10;
  if (c >= 0x61 && c <= 0x7a) return c - 0x61 + 36;
  if (c === 0x2e) return 62;
  return -1;
}

function ascii(bytes: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to && i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

function azureusVersion(code: string, v: Uint8Array): string {
  const [a, b, c, d] = [v[0], v[1], v[2], v[3]];
  switch (code) {
    case 'TR': {
      if (base36(a) <= 3) return `${base36(a)}.${String.fromCharCode(b, c)}${d === 0x5a || d === 0x58 ? '+' : ''}`;
      const suffix = d === 0x42 ? ' beta' : d === 0x5a || d === 0x58 ? '+' : '';
      return `${base36(a)}.${base36(b)}.${base36(c)}${suffix}`;
    }
    case 'WW':
    case 'WD':
      if (isDigit(a) && isDigit(b) && isDigit(c) && isDigit(d)) {
        return `${Number(String.fromCharCode(a, b))}.${Number(String.fromCharCode(c, d))}`;
      }
      return `${base36(a)}.${base36(b)}.${base36(c)}`;
    case 'AZ':
    case 'BI':
      return `${base36(a)}.${base36(b)}.${base36(c)}.${base36(d)}`;
    default:
      return `${base36(a)}.${base36(b)}.${base36(c)}`;
  }
}

function unknown(peerId: Uint8Array): string {
  let s = '';
  let printable = 0;
  for (let i = 0; i < 8 && i < peerId.length; i++) {
    const c = peerId[i];
    if (c >= 0x20 && c <= 0x7e) {
      s += String.fromCharCode(c);
      printable++;
    } else {
      s += '.';
    }
  }
  return printable === 0 ? 'Unknown' : `Unknown (${s})`;
}

/** A display name such as "qBittorrent 4.5.2" for a peer id. Never throws. */
export function clientFromPeerId(peerId: Uint8Array): string {
  if (peerId.length < 8) return unknown(peerId);
  const p = peerId;

  // Azureus style: -XXvvvv-
  if (p[0] === 0x2d && p[7] === 0x2d && isAlnum(p[1]) && isAlnum(p[2])) {
    let versionOk = true;
    for (let i = 3; i < 7; i++) if (!isAlnum(p[i])) versionOk = false;
    const code = ascii(p, 1, 3);
    const name = AZUREUS_CLIENTS[code];
    if (versionOk && name !== undefined && Object.hasOwn(AZUREUS_CLIENTS, code)) {
      return `${name} ${azureusVersion(code, p.subarray(3, 7))}`;
    }
    return unknown(p);
  }

  // aria2: "A2-<major>-<minor>-<patch>-"
  const head = ascii(p, 0, 20);
  const aria = /^A2-(\d{1,3})-(\d{1,3})-(\d{1,3})-/.exec(head);
  if (aria) return `aria2 ${Number(aria[1])}.${Number(aria[2])}.${Number(aria[3])}`;

  // Mainline: "M4-3-6--" / "M4-10-0-"
  const mainline = /^M(\d)-(\d{1,2})-(\d{1,2})-/.exec(head);
  if (mainline) return `Mainline ${mainline[1]}.${Number(mainline[2])}.${Number(mainline[3])}`;

  // Shadow style: letter, up to five version chars padded with '-', then "---".
  const shadowName = SHADOW_CLIENTS[String.fromCharCode(p[0])];
  if (shadowName !== undefined && Object.hasOwn(SHADOW_CLIENTS, String.fromCharCode(p[0])) && p.length >= 9 &&
      p[6] === 0x2d && p[7] === 0x2d && p[8] === 0x2d) {
    const parts: number[] = [];
    for (let i = 1; i < 6 && p[i] !== 0x2d; i++) {
      const v = base64(p[i]);
      if (v < 0) return unknown(p);
      parts.push(v);
    }
    if (parts.length > 0) return `${shadowName} ${parts.join('.')}`;
  }

  return unknown(p);
}

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * A fresh 20-byte peer id: `prefix` (8 ASCII bytes, default "-TS0100-") followed by 12 random
 * characters from [0-9A-Za-z]. `random` is injectable for tests.
 */
export function makePeerId(prefix: string = TESSERA_PEER_ID_PREFIX, random: (n: number) => Uint8Array = randomBytes): Uint8Array {
  if (prefix.length !== 8 || !/^[\x20-\x7e]{8}$/.test(prefix)) throw new RangeError(`peer id prefix must be 8 printable ASCII chars: ${prefix}`);
  const out = new Uint8Array(20);
  for (let i = 0; i < 8; i++) out[i] = prefix.charCodeAt(i);
  let filled = 8;
  while (filled < 20) {
    for (const b of random(16)) {
      // Rejection sampling keeps the 62 characters equally likely.
      if (b >= 248 || filled >= 20) continue;
      out[filled++] = ALPHABET.charCodeAt(b % 62);
    }
  }
  return out;
}
