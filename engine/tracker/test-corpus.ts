/** Test-only: loads the shared tracker corpus (never copied into the repo). */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TRACKER_SAMPLES_PATH = path.resolve(repoRoot, '..', 'shared', 'corpus', 'tracker-samples.json');

export interface HttpSample {
  name: string;
  bencoded_hex: string;
  canonical_bencode: boolean;
  request_kind?: string;
  /** The bencoded body as the corpus decodes it; byte strings as `{ hex }`. */
  decoded: Record<string, { hex?: string } | undefined>;
  expected: Record<string, unknown>;
}
export interface UdpPacket {
  name: string;
  hex: string;
}
export interface TrackerSamples {
  http_responses: HttpSample[];
  udp: { constants: { protocol_id_magic: string; actions: Record<string, number>; announce_events: Record<string, number>; announce_request_min_len: number }; packets: UdpPacket[] };
  http_query_encoding: { info_hash_hex: string; expected_query: string };
}

export function loadTrackerSamples(): TrackerSamples {
  if (!existsSync(TRACKER_SAMPLES_PATH)) {
    throw new Error(`tracker corpus not found at ${TRACKER_SAMPLES_PATH}: these tests need the shared conformance corpus (shared/corpus/tracker-samples.json next to the repo)`);
  }
  return JSON.parse(readFileSync(TRACKER_SAMPLES_PATH, 'utf8')) as TrackerSamples;
}

export const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
