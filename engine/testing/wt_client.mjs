#!/usr/bin/env node
// Reference client for interop tests: webtorrent (npm) seeding or leeching one torrent over TCP only.
// Usage: node wt_client.mjs --role seed|leech --torrent FILE|MAGNET --data DIR --port N [--peer HOST:PORT ...] [--secure 0|1|2]
// --secure is WebTorrent's protocol encryption option: 0 off, 1 MSE offering RC4 and plaintext (its default), 2 RC4 only.
// Prints: "listening <port>", "ready" (seed: data verified), "progress <fraction> <downloaded> <uploaded> <peers>"
// every 500 ms, "finished" when the download completes, and "stats uploaded=N downloaded=M" on SIGINT/SIGTERM.
import { readFileSync } from 'node:fs';
import WebTorrent from 'webtorrent';

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : def);
const peers = args.flatMap((a, i) => (a === '--peer' ? [args[i + 1]] : []));
const role = opt('role', 'leech');
const port = Number(opt('port', '0'));
const secure = Number(opt('secure', '1'));

const client = new WebTorrent({
  dht: false,
  lsd: false,
  utPex: false,
  utp: false, // TCP only
  natUpnp: false,
  natPmp: false,
  webSeeds: false,
  secure,
  torrentPort: port, // webtorrent has no bind-address option: it listens on all interfaces
  tracker: {}, // HTTP/UDP trackers from the .torrent; no WebRTC (webrtc-polyfill is stubbed)
});
client.on('error', (err) => {
  console.log(`error ${err && err.message ? err.message : err}`);
  process.exitCode = 1;
});
client.on('listening', () => console.log(`listening ${client.address()?.port ?? port}`));

// A magnet URI is passed through as is (metadata over ut_metadata); anything else is a .torrent file.
const source = opt('torrent');
const torrent = client.add(source.startsWith('magnet:') ? source : readFileSync(source), { path: opt('data'), skipVerify: false });
torrent.on('error', (err) => console.log(`error ${err && err.message ? err.message : err}`));
torrent.on('warning', (err) => console.log(`warning ${err && err.message ? err.message : err}`));
torrent.on('ready', () => {
  for (const p of peers) torrent.addPeer(p);
  if (role === 'seed' && torrent.done) console.log('ready');
});
torrent.on('done', () => console.log(role === 'seed' ? 'ready' : 'finished'));

const progress = setInterval(() => {
  console.log(`progress ${torrent.progress.toFixed(4)} ${torrent.downloaded} ${torrent.uploaded} ${torrent.numPeers}`);
}, 500);

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  clearInterval(progress);
  console.log(`stats uploaded=${torrent.uploaded} downloaded=${torrent.downloaded}`);
  client.destroy(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
