#!/usr/bin/env node
// Checks that the reference clients and tools the interop / e2e suites need are installed (Debian packages).
// Missing ones are installed with apt-get when we are root or have passwordless sudo; otherwise we print the one
// command to run and exit 1. Run by `npm test` before anything else.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PACKAGES = ['transmission-cli', 'aria2', 'python3-libtorrent', 'mktorrent', 'chromium', 'iproute2', 'nftables', 'openssl', 'miniupnpd', 'ffmpeg'];
const INSTALL_HINT = `sudo apt-get install -y ${PACKAGES.join(' ')}`;

/** Runs a command quietly; returns its combined output, or null if it could not run or failed. */
function probe(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error || r.status !== 0) return null;
  return `${r.stdout}\n${r.stderr}`;
}

function firstMatch(text, re) {
  if (text === null) return null;
  const m = re.exec(text);
  return m ? m[0].trim() : text.trim().split('\n')[0] || 'present';
}

/** Each tool: how to find its version (null when absent) and the Debian package providing it. */
const TOOLS = [
  {
    name: 'transmission-cli',
    pkg: 'transmission-cli',
    version: () => firstMatch(probe('transmission-cli', ['--version']), /transmission-cli \S+/),
  },
  { name: 'aria2c', pkg: 'aria2', version: () => firstMatch(probe('aria2c', ['--version']), /aria2 version \S+/) },
  {
    // python3-libtorrent is built for Debian's interpreter only; another python3 may come first on PATH.
    name: 'libtorrent (/usr/bin/python3)',
    pkg: 'python3-libtorrent',
    version: () => {
      const out = probe('/usr/bin/python3', ['-c', 'import libtorrent; print("libtorrent " + libtorrent.__version__)']);
      return firstMatch(out, /libtorrent \S+/);
    },
  },
  {
    name: 'mktorrent',
    pkg: 'mktorrent',
    // mktorrent has no --version; -h prints its banner and exits 0.
    version: () => firstMatch(probe('mktorrent', ['-h']), /mktorrent \d\S*/),
  },
  // A self-signed certificate for the HTTPS web seed test.
  { name: 'openssl', pkg: 'openssl', version: () => firstMatch(probe('openssl', ['version']), /OpenSSL \S+/) },
  // The network lab (engine/testing/lab): namespaces and veths (ip), htb shaping (tc), NAT routers (nft).
  { name: 'ip (iproute2)', pkg: 'iproute2', version: () => firstMatch(probe('ip', ['-V']), /iproute2-[\w.]+/) },
  { name: 'tc (iproute2)', pkg: 'iproute2', version: () => firstMatch(probe('tc', ['-V']), /iproute2-[\w.]+/) },
  { name: 'nft', pkg: 'nftables', version: () => firstMatch(probe('nft', ['--version']), /nftables v\S+/) },
  // The lab's home router for port mapping (engine/test/lab/portmap.test.ts): UPnP IGD, NAT-PMP and PCP.
  { name: 'miniupnpd', pkg: 'miniupnpd', version: () => firstMatch(probe('miniupnpd', ['--version']), /miniupnpd \S+/) },
  // Test media for the streaming specs (issue 16): a small H.264 MP4 and an HEVC file made at test time.
  { name: 'ffmpeg', pkg: 'ffmpeg', version: () => firstMatch(probe('ffmpeg', ['-version']), /ffmpeg version \S+/) },
  {
    name: 'chromium',
    pkg: 'chromium',
    version: () => (existsSync('/usr/bin/chromium') ? firstMatch(probe('/usr/bin/chromium', ['--version']), /Chromium \S+/) : null),
  },
];

function check() {
  return TOOLS.map((t) => ({ ...t, found: t.version() }));
}

function report(results) {
  for (const r of results) console.log(`  ${r.found ? 'ok     ' : 'MISSING'} ${r.name.padEnd(30)} ${r.found ?? `(apt package ${r.pkg})`}`);
}

function canInstall() {
  if (typeof process.getuid === 'function' && process.getuid() === 0) return { prefix: [] };
  if (probe('sudo', ['-n', 'true']) !== null) return { prefix: ['sudo', '-n'] };
  return null;
}

function aptGet(prefix, args) {
  const [cmd, ...rest] = [...prefix, 'apt-get', ...args];
  console.log(`prereqs: ${[cmd, ...rest].join(' ')}`);
  const r = spawnSync(cmd, rest, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return r.status === 0;
}

function npmTestDeps() {
  const root = fileURLToPath(new URL('..', import.meta.url));
  for (const name of ['bittorrent-tracker', 'webtorrent']) {
    const file = `${root}node_modules/${name}/package.json`;
    const version = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version : null;
    console.log(`  ${version ? 'ok     ' : 'MISSING'} ${`${name} (npm)`.padEnd(30)} ${version ?? '(run: npm ci)'}`);
    if (!version) return false;
  }
  return true;
}

let results = check();
let missing = results.filter((r) => !r.found);
if (missing.length) {
  const how = canInstall();
  if (!how) {
    console.error(`prereqs: missing ${missing.map((m) => m.name).join(', ')}; run: ${INSTALL_HINT}`);
    process.exit(1);
  }
  report(results);
  const pkgs = [...new Set(missing.map((m) => m.pkg))];
  console.log(`prereqs: installing ${pkgs.join(' ')}`);
  if (!aptGet(how.prefix, ['update']) || !aptGet(how.prefix, ['install', '-y', '--no-install-recommends', ...pkgs])) {
    console.error(`prereqs: apt-get failed; run: ${INSTALL_HINT}`);
    process.exit(1);
  }
  results = check();
  missing = results.filter((r) => !r.found);
}
console.log('prereqs:');
report(results);
const npmOk = npmTestDeps();
if (missing.length) {
  console.error(`prereqs: still missing ${missing.map((m) => m.name).join(', ')} after apt-get; run: ${INSTALL_HINT}`);
  process.exit(1);
}
if (!npmOk) process.exit(1);
