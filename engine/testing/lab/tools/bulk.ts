// An iperf-like TCP bulk flow. `sink --port P`: accepts connections, counts bytes and prints for each, when it ends,
// {"bytes":B,"seconds":S,"mbit":M} (first byte to end of stream), and while data flows, every 250 ms, a line
// `received <ms> <bytes>` (its clock, bytes on every connection so far) so a test can take the rate over any window.
// `source --to host:port --seconds S`: sends as fast
// as the connection takes for S seconds, then ends the stream and prints {"sent":B}.
import { createServer, connect } from 'node:net';
import { endpoint, flags, num, report } from './args.js';

const { mode, flags: f } = flags(process.argv.slice(2), ['port', 'to', 'seconds']);

if (mode === 'sink') {
  const port = num(f, 'port');
  let total = 0;
  let reported = -1;
  setInterval(() => {
    if (total === reported) return;
    reported = total;
    console.log(`received ${Math.round(performance.now())} ${total}`);
  }, 250).unref();
  const server = createServer((sock) => {
    let bytes = 0;
    let first = 0;
    sock.on('data', (b: Buffer) => {
      if (bytes === 0) first = performance.now();
      bytes += b.length;
      total += b.length;
    });
    sock.on('end', () => {
      const seconds = (performance.now() - first) / 1000;
      report({ bytes, seconds: Math.round(seconds * 1000) / 1000, mbit: Math.round(((bytes * 8) / seconds / 1e6) * 1000) / 1000 });
      sock.end();
    });
    sock.on('error', () => sock.destroy());
  });
  server.listen(port, () => console.log(`listening ${port}`));
} else if (mode === 'source') {
  const to = endpoint(f, 'to');
  const until = performance.now() + num(f, 'seconds', 5) * 1000;
  const chunk = Buffer.alloc(64 * 1024, 0x5a);
  let sent = 0;
  const sock = connect(to.port, to.host);
  const pump = (): void => {
    while (performance.now() < until) {
      sent += chunk.length;
      if (!sock.write(chunk)) return void sock.once('drain', pump);
    }
    sock.end(() => report({ sent }));
  };
  sock.on('connect', pump);
  sock.on('error', (e) => {
    console.error(`bulk source: ${e.message}`);
    process.exit(1);
  });
} else {
  console.error('usage: bulk.ts sink --port P | source --to host:port [--seconds S]');
  process.exit(2);
}
