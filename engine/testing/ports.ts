// Listening ports for reference clients that cannot bind port 0 and report it back.
// Ports come from below Linux's ephemeral range (32768-60999), so a port we hand out cannot be taken meanwhile
// by the kernel for an outgoing connection; each candidate is checked free on TCP and UDP (libtorrent and
// aria2 bind both) on 127.0.0.1. Where a listener can bind 0 and tell us its port, prefer that.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

const LOW = 20000;
const HIGH = 32000; // exclusive; below ip_local_port_range's default start of 32768
const handedOut = new Set<number>();

function tcpFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

function udpFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    sock.once('error', () => {
      sock.close();
      resolve(false);
    });
    sock.bind({ port, address: host, exclusive: true }, () => sock.close(() => resolve(true)));
  });
}

/** A port free for both TCP and UDP on `host`, not handed out before by this process. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    // Spread by PID so parallel test processes rarely probe the same ports.
    const port = LOW + ((process.pid * 7919 + Math.floor(Math.random() * (HIGH - LOW))) % (HIGH - LOW));
    if (handedOut.has(port)) continue;
    if ((await tcpFree(port, host)) && (await udpFree(port, host))) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`freePort: no free port in [${LOW}, ${HIGH}) on ${host} after 200 attempts`);
}

/** Binds port 0 on `host` over TCP, reads the kernel's choice back and closes (an ephemeral port). */
export function ephemeralPort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
