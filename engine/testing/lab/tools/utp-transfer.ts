// A bare uTP transfer between two lab hosts (our UtpSocket over a UDP socket, no BitTorrent on top), for path tests.
// `receive --port P`: accepts one connection, prints `listening P`, and when the sender closes prints
// {"bytes":B,"sha1":H,"seconds":S}. `send --to host:port --bytes N`: sends N pseudo-random bytes, closes, waits for
// the FIN's acknowledgement and prints {"sent":N,"sha1":H,"seconds":S,"pathMtu":{...}} (the connection's path MTU
// discovery: the datagram size data went out at, the search ceiling, probes sent / acknowledged / lost).
import { createHash } from 'node:crypto';
import { UdpSocket } from '../../../net/udp.js';
import { UtpSocket } from '../../../net/utp/socket.js';
import { endpoint, flags, num, report } from './args.js';

const { mode, flags: f } = flags(process.argv.slice(2), ['port', 'to', 'bytes']);
const CHUNK = 64 * 1024;

/** The same pseudo-random chunk every run (xorshift), so a transfer's hash depends only on its length. */
function chunkBytes(): Uint8Array {
  const out = new Uint8Array(CHUNK);
  let x = 0x9e3779b9;
  for (let i = 0; i < CHUNK; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

async function bind(port: number): Promise<UdpSocket> {
  return UdpSocket.bind({ port, host: '0.0.0.0', maxDatagram: 65_535, receiveBufferBytes: 4 << 20 });
}

if (mode === 'receive') {
  const port = num(f, 'port');
  const udp = await bind(port);
  const utp = new UtpSocket(udp);
  utp.onConnection((stream) => {
    const hash = createHash('sha1');
    let bytes = 0;
    let first = 0;
    stream.attach({
      receive(chunk) {
        if (bytes === 0) first = performance.now();
        bytes += chunk.length;
        hash.update(chunk);
      },
      drained() {},
      transportClosed() {
        report({ bytes, sha1: hash.digest('hex'), seconds: Math.round(performance.now() - first) / 1000 });
        // Linger: the ACK of the sender's FIN is still on its way out, and a lost one is answered when the FIN comes again.
        setTimeout(() => {
          utp.close();
          void udp.close().then(() => process.exit(0));
        }, 3000);
      },
    });
  });
  console.log(`listening ${port}`);
} else if (mode === 'send') {
  const to = endpoint(f, 'to');
  const total = num(f, 'bytes');
  const udp = await bind(0);
  const utp = new UtpSocket(udp);
  const stream = await utp.connect(to.host, to.port, 20_000);
  const chunk = chunkBytes();
  const hash = createHash('sha1');
  const start = performance.now();
  let sent = 0;
  await new Promise<void>((resolve, reject) => {
    const pump = (): void => {
      while (sent < total) {
        const n = Math.min(CHUNK, total - sent);
        const piece = chunk.subarray(0, n);
        hash.update(piece);
        sent += n;
        if (!stream.write(piece)) return;
      }
      resolve();
    };
    stream.attach({ receive() {}, drained: pump, transportClosed: (reason) => reject(new Error(`uTP connection closed after ${sent} bytes: ${reason}`)) });
    pump();
  });
  stream.destroy(); // the FIN follows the data; the socket keeps the connection until it is acknowledged
  const seconds = Math.round(performance.now() - start) / 1000;
  const deadline = Date.now() + 120_000;
  while (utp.connectionCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  if (utp.connectionCount > 0) throw new Error('the FIN was never acknowledged');
  report({ sent, sha1: hash.digest('hex'), seconds, pathMtu: stream.pathMtu });
  utp.close();
  await udp.close();
} else {
  throw new Error('usage: utp-transfer.ts receive --port P | send --to host:port --bytes N');
}
