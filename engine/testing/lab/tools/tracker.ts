// A BitTorrent tracker (bittorrent-tracker, HTTP only) on a lab host. `server --host H --port P --interval S`: prints
// `listening P`, then `announce <event> <ip>:<port>` for every announce, with the address as the tracker saw it.
import { Server } from 'bittorrent-tracker';
import { flags, num } from './args.js';

const { flags: f } = flags(process.argv.slice(2), ['host', 'port', 'interval']);
const host = f.host ?? '0.0.0.0';
const port = num(f, 'port');
const server = new Server({ interval: num(f, 'interval', 5) * 1000, http: true, udp: false, ws: false, stats: false, trustProxy: false, filter: (_h, _p, cb) => cb(null) });
server.on('warning', () => {});
server.on('error', (err: Error) => console.log(`error ${err.message}`));
for (const event of ['start', 'update', 'complete', 'stop'] as const) {
  server.on(event, (addr: string) => console.log(`announce ${event} ${addr}`));
}
server.listen({ http: port }, { http: host }, () => console.log(`listening ${port}`));
