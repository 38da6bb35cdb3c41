// Minimal types for the parts of bittorrent-dht (npm, untyped) that dht.test.ts uses.
declare module 'bittorrent-dht' {
  import type { EventEmitter } from 'node:events';

  export interface DhtOptions {
    /** false: do not bootstrap; or a list of 'host:port'. */
    bootstrap?: false | string[];
    nodeId?: Uint8Array | string;
    host?: string | false;
    concurrency?: number;
    timeBucketOutdated?: number;
  }
  export interface DhtPeer {
    host: string;
    port: number;
  }
  export default class DHT extends EventEmitter {
    constructor(opts?: DhtOptions);
    readonly nodeId: Uint8Array;
    readonly ready: boolean;
    listen(port: number, host: string, cb?: () => void): void;
    address(): { address: string; family: string; port: number };
    addNode(node: { host: string; port: number; id?: Uint8Array }): void;
    announce(infoHash: Uint8Array | string, port: number, cb?: (err: Error | null) => void): void;
    lookup(infoHash: Uint8Array | string, cb?: (err: Error | null, nodesFound: number) => void): () => void;
    toJSON(): { nodes: Array<{ host: string; port: number }>; values: unknown };
    destroy(cb?: () => void): void;
    on(event: 'peer', fn: (peer: DhtPeer, infoHash: Uint8Array, from: DhtPeer | null) => void): this;
    on(event: 'ready' | 'listening', fn: () => void): this;
    on(event: 'error' | 'warning', fn: (err: Error) => void): this;
    on(event: string, fn: (...args: never[]) => void): this;
  }
}
