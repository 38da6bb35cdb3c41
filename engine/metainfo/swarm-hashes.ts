/** What names a torrent's swarm: its id, plus for a hybrid its v2 hash. */
export interface SwarmIdentity {
  readonly infoHash: Uint8Array;
  readonly version?: 1 | 2 | 'hybrid';
  readonly infoHashV2?: Uint8Array;
}

/**
 * The 20-byte hashes a torrent is announced under (trackers, DHT) and reached by (handshakes). A hybrid
 * torrent has two swarms, the v1 one (SHA-1 info hash) and the v2 one (SHA-256 truncated to 20 bytes,
 * BEP 52); peers that only know one of them must still find us. Everything else has one: its id (for a
 * v2-only torrent that is already the truncated v2 hash).
 */
export function swarmHashes(t: SwarmIdentity): Uint8Array[] {
  if (t.version !== 'hybrid' || !t.infoHashV2) return [t.infoHash];
  return [t.infoHash, t.infoHashV2.subarray(0, 20)];
}
