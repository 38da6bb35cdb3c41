/**
 * The peers the user banned (banPeer), kept in `banned-peers.json` in the data folder so a ban outlives a
 * restart. Written atomically (temp file, fsync, rename) after each ban; a damaged or foreign file costs
 * the list (one log line), never the session.
 */
import { readFileIfExists, writeFileAtomic } from '../storage/resume/atomic-file.js';

export interface BannedPeer {
  readonly host: string;
  readonly port: number;
}

const FORMAT_VERSION = 1;
/** More than anyone bans by hand; a longer file is not ours. */
export const MAX_BANNED = 10_000;

/** The list in a saved file, or why it cannot be used. Pure. */
export function decodeBannedPeers(text: string): { peers: BannedPeer[] } | { problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { problem: 'not valid JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { v?: unknown }).v !== FORMAT_VERSION) return { problem: `not a version ${FORMAT_VERSION} ban list` };
  const list = (parsed as { peers?: unknown }).peers;
  if (!Array.isArray(list) || list.length > MAX_BANNED) return { problem: `peers: expected a list of at most ${MAX_BANNED}` };
  const peers: BannedPeer[] = [];
  for (const p of list as unknown[]) {
    const { host, port } = (typeof p === 'object' && p !== null ? p : {}) as { host?: unknown; port?: unknown };
    if (typeof host !== 'string' || host.length === 0 || host.length > 255 || typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
      return { problem: `peers: ${JSON.stringify(p)} is not { host, port }` };
    }
    peers.push({ host, port });
  }
  return { peers };
}

export function encodeBannedPeers(peers: readonly BannedPeer[]): string {
  return JSON.stringify({ v: FORMAT_VERSION, peers: peers.map((p) => ({ host: p.host, port: p.port })) });
}

export class BannedPeers {
  private list: BannedPeer[] = [];
  /** Saves in the order the bans came, one at a time. */
  private saving: Promise<void> = Promise.resolve();

  constructor(private readonly path: string, private readonly log: (line: string) => void) {}

  get all(): readonly BannedPeer[] {
    return this.list;
  }

  /** Reads the saved list (none yet: empty). */
  async load(): Promise<void> {
    let bytes: Uint8Array | null;
    try {
      bytes = await readFileIfExists(this.path);
    } catch (err) {
      this.log(`banned peers: could not read ${this.path} (${(err as Error).message}); starting with none`);
      return;
    }
    if (bytes === null) return;
    const decoded = decodeBannedPeers(Buffer.from(bytes).toString('utf8'));
    if ('problem' in decoded) {
      this.log(`banned peers: ${this.path} ignored (${decoded.problem}); starting with none`);
      return;
    }
    this.list = decoded.peers;
  }

  /** Adds a ban (once) and saves the list; resolves when it is on disk (a failed write is logged). */
  add(peer: BannedPeer): Promise<void> {
    if (this.list.some((p) => p.host === peer.host && p.port === peer.port)) return this.saving;
    if (this.list.length >= MAX_BANNED) this.list.shift();
    this.list.push({ host: peer.host, port: peer.port });
    const text = encodeBannedPeers(this.list);
    this.saving = this.saving.then(() => writeFileAtomic(this.path, text).catch((err: Error) => this.log(`banned peers: could not save ${this.path}: ${err.message}`)));
    return this.saving;
  }
}
