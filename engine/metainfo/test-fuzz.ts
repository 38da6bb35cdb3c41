// Test-only: what the metainfo fuzzers share (v1 in parse-fuzz.test.ts, v2 in v2-fuzz.test.ts).
import assert from 'node:assert/strict';
import { MetainfoError } from './errors.js';
import { parseTorrent, type Metainfo } from './index.js';

export const FUZZ_RUNS = Number(process.env.METAINFO_FUZZ_RUNS ?? 300);

/** Parses, or fails only with a one-line MetainfoError (undefined); anything else is thrown on. */
export function parseOrMetainfoError(buf: Uint8Array): Metainfo | undefined {
  try {
    return parseTorrent(buf);
  } catch (e) {
    if (!(e instanceof MetainfoError)) throw e;
    assert.ok(e.message.startsWith('torrent: ') && !e.message.includes('\n'), e.message);
    return undefined;
  }
}
