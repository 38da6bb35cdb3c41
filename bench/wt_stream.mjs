#!/usr/bin/env node
// WebTorrent's side of `npm run bench stream`: webtorrent (npm) downloads one torrent from the given peers and
// serves its files with its own HTTP server (createServer, Range requests, reads prioritised around them).
// Usage: node wt_stream.mjs --torrent FILE --data DIR --http-port N --peer HOST:PORT [--file INDEX]
// Prints the file's stream URL as the first line once the server listens; stops on SIGTERM/SIGINT.
import { readFileSync } from 'node:fs';
import WebTorrent from 'webtorrent';

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : def);
const peers = args.flatMap((a, i) => (a === '--peer' ? [args[i + 1]] : []));
const httpPort = Number(opt('http-port', '0'));
const fileIndex = Number(opt('file', '0'));

// Same network as Tessera's side: TCP only, no DHT/LSD/PEX/UPnP, the seeder given directly.
const client = new WebTorrent({ dht: false, lsd: false, utPex: false, utp: false, natUpnp: false, natPmp: false, webSeeds: false, tracker: false });
client.on('error', (err) => {
  console.error(`error ${err && err.message ? err.message : err}`);
  process.exit(1);
});

const torrent = client.add(readFileSync(opt('torrent')), { path: opt('data') });
torrent.on('ready', () => {
  for (const p of peers) torrent.addPeer(p);
  const server = client.createServer();
  server.listen(httpPort, '127.0.0.1', () => {
    const file = torrent.files[fileIndex];
    process.stdout.write(`http://127.0.0.1:${server.address().port}${file.streamURL}\n`);
  });
});

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  client.destroy(() => process.exit(0));
  setTimeout(() => process.exit(0), 3000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
