// Minimal types for the parts of bittorrent-tracker (npm, untyped) that engine/testing/tracker.ts uses.
declare module 'bittorrent-tracker' {
  import type { EventEmitter } from 'node:events';
  import type { Server as HttpServer } from 'node:http';
  import type { Socket as UdpSocket } from 'node:dgram';

  export interface ServerOptions {
    interval?: number;
    trustProxy?: boolean;
    http?: boolean;
    udp?: boolean;
    ws?: boolean;
    stats?: boolean;
    filter?: (infoHash: string, params: unknown, cb: (err: Error | null) => void) => void;
  }
  export interface Swarm {
    complete: number;
    incomplete: number;
    peers: { keys: string[]; peek(key: string): { ip: string; port: number; peerId: string; complete: boolean } | undefined };
  }
  export class Server extends EventEmitter {
    constructor(opts?: ServerOptions);
    http: HttpServer | null;
    udp4: UdpSocket | null;
    udp6: UdpSocket | null;
    torrents: Record<string, Swarm | undefined>;
    listen(port: number | { http?: number; udp?: number }, hostname: string | { http?: string; udp?: string; udp6?: string }, onListening?: () => void): void;
    close(cb?: (err?: Error | null) => void): void;
  }
}
