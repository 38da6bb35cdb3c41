// Test helper: a deterministic simulated DHT of virtual nodes (no sockets, no timers) for lookup tests.
// Each virtual node knows up to `perBucket` others per XOR-prefix bucket, as a real routing table would.
import type { Contact, PeerAddress } from './lookup.js';
import { seededRandom } from '../testing/random.js';

/** Small seeded PRNG (mulberry32): same seed, same network. */
export const rng = seededRandom;

export function randomId(rand: () => number): Uint8Array {
  const id = new Uint8Array(20);
  for (let i = 0; i < 20; i++) id[i] = Math.floor(rand() * 256);
  return id;
}

export function xorCompare(target: Uint8Array, a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 20; i++) {
    const da = a[i] ^ target[i];
    const db = b[i] ^ target[i];
    if (da !== db) return da < db ? -1 : 1;
  }
  return 0;
}

function commonPrefixBits(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 20; i++) {
    const x = a[i] ^ b[i];
    if (x !== 0) return i * 8 + Math.clz32(x) - 24;
  }
  return 160;
}

export interface VirtualNode {
  readonly contact: Contact & { readonly id: Uint8Array };
  readonly known: Array<Contact & { readonly id: Uint8Array }>;
  readonly peers: Map<string, PeerAddress[]>;
  dead: boolean;
  queries: number;
}

export class SimNetwork {
  readonly nodes: VirtualNode[] = [];
  private readonly byAddr = new Map<string, VirtualNode>();

  constructor(size: number, seed: number, perBucket = 8) {
    const rand = rng(seed);
    for (let i = 0; i < size; i++) {
      const contact = { id: randomId(rand), host: `10.0.${i >> 8}.${i & 255}`, port: 6881 };
      const node: VirtualNode = { contact, known: [], peers: new Map(), dead: false, queries: 0 };
      this.nodes.push(node);
      this.byAddr.set(`${contact.host}:${contact.port}`, node);
    }
    for (const n of this.nodes) {
      const buckets = new Map<number, number>();
      // Visit the others in a node-specific shuffled order so tables differ.
      const order = this.nodes.filter((o) => o !== n).sort(() => rand() - 0.5);
      for (const o of order) {
        const b = commonPrefixBits(n.contact.id, o.contact.id);
        const have = buckets.get(b) ?? 0;
        if (have >= perBucket) continue;
        buckets.set(b, have + 1);
        n.known.push(o.contact);
      }
    }
  }

  node(addr: PeerAddress): VirtualNode | undefined {
    return this.byAddr.get(`${addr.host}:${addr.port}`);
  }

  /** The `k` live nodes truly closest to `target` (brute force). */
  trueClosest(target: Uint8Array, k: number): VirtualNode[] {
    return this.nodes.filter((n) => !n.dead).sort((a, b) => xorCompare(target, a.contact.id, b.contact.id)).slice(0, k);
  }

  /** find_node / get_peers answer of one virtual node: its 8 known nodes closest to target, plus stored peers. */
  answer(node: VirtualNode, target: Uint8Array): { id: Uint8Array; nodes: Contact[]; values: PeerAddress[]; token: Uint8Array } {
    node.queries++;
    const nodes = [...node.known].sort((a, b) => xorCompare(target, a.id, b.id)).slice(0, 8);
    const key = Buffer.from(target).toString('hex');
    return { id: node.contact.id, nodes, values: node.peers.get(key) ?? [], token: Buffer.from(`tok-${node.contact.host}`) };
  }
}
