// Iterative Kademlia lookup (BEP 5 find_node / get_peers) as a state machine with no I/O and no timers.
//
// The owner asks `next()` for the contacts to query now (at most `alpha` in flight, slow ones not counted), sends the
// queries however it likes, and feeds back `onResponse` / `onSlow` / `onFailure`. The lookup ends (`done`) when the k
// closest live contacts it knows have all answered, when nothing is left to ask, or after `maxQueries` queries.
// get_peers lookups collect `values` (peers) and each responder's token, so the owner can announce_peer to the
// k closest nodes that handed out a token.

import { compareDistance, idsEqual } from './node-id.js';

/** A DHT node's address; `id` is null for a bootstrap address whose id we have not learnt yet. */
export interface Contact {
  readonly id: Uint8Array | null;
  readonly host: string;
  readonly port: number;
}

export interface PeerAddress {
  readonly host: string;
  readonly port: number;
}

export type LookupKind = 'find_node' | 'get_peers';

export interface LookupOptions {
  readonly kind: LookupKind;
  /** 20-byte target: a node id (find_node) or an info hash (get_peers). */
  readonly target: Uint8Array;
  /** Queries in flight at once (slow ones excluded). Clamped to 1..16. Default 3. */
  readonly alpha?: number;
  /** How many closest nodes must answer. Default 8. */
  readonly k?: number;
  /** Hard cap on queries sent, whatever the network returns. Default 100. */
  readonly maxQueries?: number;
  /** Candidates kept (closest first); farther ones are forgotten. Default 8 × k. */
  readonly maxCandidates?: number;
  /** Our own id: never queried, never returned. */
  readonly selfId?: Uint8Array;
}

/** What a find_node / get_peers response carried, already decoded. */
export interface LookupResponse {
  /** The responder's id (from `r.id`). */
  readonly id: Uint8Array;
  readonly nodes?: readonly Contact[];
  /** get_peers only. */
  readonly values?: readonly PeerAddress[];
  /** get_peers only: write token for announce_peer. */
  readonly token?: Uint8Array;
}

export interface TokenHolder {
  readonly contact: Contact & { readonly id: Uint8Array };
  readonly token: Uint8Array;
}

type State = 'new' | 'inflight' | 'slow' | 'responded' | 'failed';

interface Candidate {
  contact: Contact;
  key: string;
  state: State;
  token: Uint8Array | null;
}

export function contactKey(c: PeerAddress): string {
  return `${c.host}:${c.port}`;
}

function validAddress(c: PeerAddress): boolean {
  return Number.isInteger(c.port) && c.port > 0 && c.port < 65536 && c.host !== '0.0.0.0' && c.host.length > 0;
}

export class Lookup {
  readonly kind: LookupKind;
  readonly target: Uint8Array;
  readonly alpha: number;
  readonly k: number;
  private readonly maxQueries: number;
  private readonly maxCandidates: number;
  private readonly selfId: Uint8Array | null;
  /** Sorted by distance to the target; contacts with no id sort last. */
  private candidates: Candidate[] = [];
  private readonly byKey = new Map<string, Candidate>();
  private readonly peerKeys = new Set<string>();
  private readonly peerList: PeerAddress[] = [];
  private sent = 0;
  private aborted = false;

  constructor(opts: LookupOptions, seeds: Iterable<Contact>) {
    if (opts.target.length !== 20) throw new RangeError(`lookup target must be 20 bytes, got ${opts.target.length}`);
    this.kind = opts.kind;
    this.target = opts.target;
    this.alpha = Math.min(16, Math.max(1, Math.floor(opts.alpha ?? 3)));
    this.k = Math.max(1, Math.floor(opts.k ?? 8));
    this.maxQueries = Math.max(1, opts.maxQueries ?? 100);
    this.maxCandidates = Math.max(this.k, opts.maxCandidates ?? this.k * 8);
    this.selfId = opts.selfId ?? null;
    for (const s of seeds) this.add(s);
  }

  /** Queries sent so far. */
  get queries(): number {
    return this.sent;
  }

  /** Contacts with a query in flight (slow ones included). */
  get pending(): number {
    let n = 0;
    for (const c of this.candidates) if (c.state === 'inflight' || c.state === 'slow') n++;
    return n;
  }

  /**
   * True when the lookup is over: the k closest contacts not known to be dead have all answered, or nothing is left
   * to ask and nothing is in flight, or the query budget is spent and nothing useful is in flight, or it was aborted.
   */
  get done(): boolean {
    if (this.aborted) return true;
    let seen = 0;
    let waiting = false;
    let askable = false;
    for (const c of this.candidates) {
      if (c.state === 'failed') continue;
      if (seen >= this.k) break;
      seen++;
      if (c.state === 'new') askable = true;
      else if (c.state === 'inflight' || c.state === 'slow') waiting = true;
    }
    if (!waiting && !askable) return true;
    if (this.sent >= this.maxQueries) return !waiting;
    return false;
  }

  /**
   * The contacts to query now; each is marked in flight. Returns [] while alpha queries are outstanding, when the
   * k closest are all asked, or when done. Call again after every response, slow notice and failure.
   */
  next(): Contact[] {
    if (this.done) return [];
    let active = 0;
    for (const c of this.candidates) if (c.state === 'inflight') active++;
    const out: Contact[] = [];
    let seen = 0;
    for (const c of this.candidates) {
      if (active >= this.alpha || this.sent >= this.maxQueries) break;
      if (c.state === 'failed') continue;
      if (seen >= this.k) break;
      seen++;
      if (c.state !== 'new') continue;
      c.state = 'inflight';
      active++;
      this.sent++;
      out.push(c.contact);
    }
    return out;
  }

  /**
   * Feeds a response from `from` (the address the query went to). Returns the peers not seen before in this lookup
   * (get_peers), so the owner can hand them out as they come. Responses from contacts not in flight are ignored.
   */
  onResponse(from: PeerAddress, res: LookupResponse): PeerAddress[] {
    const cand = this.byKey.get(contactKey(from));
    if (!cand || (cand.state !== 'inflight' && cand.state !== 'slow') || this.aborted) return [];
    if (res.id.length !== 20) {
      cand.state = 'failed';
      return [];
    }
    if (cand.contact.id === null || !idsEqual(cand.contact.id, res.id)) {
      // A bootstrap address, or a node that changed its id: take the id it answers with and re-sort.
      cand.contact = { id: res.id, host: cand.contact.host, port: cand.contact.port };
      if (this.selfId && idsEqual(res.id, this.selfId)) {
        cand.state = 'failed';
        return [];
      }
      this.sort();
    }
    cand.state = 'responded';
    if (res.token && res.token.length > 0) cand.token = res.token;
    for (const n of res.nodes ?? []) this.add(n);
    const fresh: PeerAddress[] = [];
    if (this.kind === 'get_peers') {
      for (const p of res.values ?? []) {
        if (!validAddress(p)) continue;
        const key = contactKey(p);
        if (this.peerKeys.has(key)) continue;
        this.peerKeys.add(key);
        this.peerList.push(p);
        fresh.push(p);
      }
    }
    this.trim();
    return fresh;
  }

  /** The query to `from` is taking long (its first attempt timed out): it no longer holds an alpha slot. */
  onSlow(from: PeerAddress): void {
    const cand = this.byKey.get(contactKey(from));
    if (cand && cand.state === 'inflight') cand.state = 'slow';
  }

  /** The query to `from` failed for good (timeouts, error reply). */
  onFailure(from: PeerAddress): void {
    const cand = this.byKey.get(contactKey(from));
    if (cand && (cand.state === 'inflight' || cand.state === 'slow')) cand.state = 'failed';
  }

  /** Ends the lookup now; `next()` returns nothing from here on. */
  abort(): void {
    this.aborted = true;
  }

  /** Every distinct peer found so far (get_peers). */
  peers(): readonly PeerAddress[] {
    return this.peerList;
  }

  /** The closest contacts that answered, closest first (at most `n`, default k). */
  closest(n = this.k): Array<Contact & { readonly id: Uint8Array }> {
    const out: Array<Contact & { readonly id: Uint8Array }> = [];
    for (const c of this.candidates) {
      if (out.length >= n) break;
      if (c.state === 'responded' && c.contact.id !== null) out.push(c.contact as Contact & { readonly id: Uint8Array });
    }
    return out;
  }

  /** The closest responders that gave a write token, closest first (at most `n`, default k): where to announce_peer. */
  tokenHolders(n = this.k): TokenHolder[] {
    const out: TokenHolder[] = [];
    for (const c of this.candidates) {
      if (out.length >= n) break;
      if (c.state === 'responded' && c.token && c.contact.id !== null) {
        out.push({ contact: c.contact as Contact & { readonly id: Uint8Array }, token: c.token });
      }
    }
    return out;
  }

  private add(c: Contact): void {
    if (!validAddress(c)) return;
    if (c.id !== null && c.id.length !== 20) return;
    if (c.id !== null && this.selfId && idsEqual(c.id, this.selfId)) return;
    const key = contactKey(c);
    if (this.byKey.has(key)) return;
    // Far contacts beyond the kept window are not worth remembering.
    if (this.candidates.length >= this.maxCandidates && c.id !== null) {
      const last = this.candidates[this.candidates.length - 1];
      if (last.contact.id !== null && compareDistance(this.target, c.id, last.contact.id) >= 0) return;
    }
    const cand: Candidate = { contact: c, key, state: 'new', token: null };
    this.byKey.set(key, cand);
    // Insert in order (binary search): candidate lists are short, but responses come often.
    let lo = 0;
    let hi = this.candidates.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.before(this.candidates[mid], cand)) lo = mid + 1;
      else hi = mid;
    }
    this.candidates.splice(lo, 0, cand);
  }

  private before(a: Candidate, b: Candidate): boolean {
    if (a.contact.id === null) return false;
    if (b.contact.id === null) return true;
    return compareDistance(this.target, a.contact.id, b.contact.id) <= 0;
  }

  private sort(): void {
    this.candidates.sort((a, b) => {
      if (a.contact.id === null) return b.contact.id === null ? 0 : 1;
      if (b.contact.id === null) return -1;
      return compareDistance(this.target, a.contact.id, b.contact.id);
    });
  }

  /** Forgets the farthest candidates past the window, except those still in flight (their answers are awaited). */
  private trim(): void {
    if (this.candidates.length <= this.maxCandidates) return;
    const keep: Candidate[] = [];
    for (let i = 0; i < this.candidates.length; i++) {
      const c = this.candidates[i];
      if (i < this.maxCandidates || c.state === 'inflight' || c.state === 'slow') keep.push(c);
      else this.byKey.delete(c.key);
    }
    this.candidates = keep;
  }
}
