// The doctor's ranking (pure): facts in, reasons most important first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytes, CHOKE_GRACE_MS, diagnose, whyOf, type DoctorFacts } from './doctor.js';

/** A running torrent downloading at full speed from one unchoking peer: no reason at all. */
function healthy(over: Partial<DoctorFacts> = {}): DoctorFacts {
  return {
    now: 100_000,
    error: null,
    paused: false,
    goal: null,
    checking: false,
    fetchingMetadata: false,
    queued: null,
    running: true,
    complete: false,
    downRate: 5_000_000,
    trackers: [{ url: 'http://t.example/announce', health: 'working', error: null, peers: 3 }],
    dht: { enabled: true, nodes: 120, private: false, peersFound: 0 },
    knownPeers: 3,
    peers: { connected: 3, interesting: 3, chokingInteresting: 0, longestChokeMs: 0 },
    unavailable: { pieces: 0, bytes: 0, files: [], availablePiecesLeft: 40 },
    limits: { global: null, alt: null, torrent: null },
    encryption: { policy: 'prefer', refusedOutgoing: 0, refusedIncoming: 0 },
    diskBusySince: null,
    port: { connectable: 'unknown', mapping: null, message: '' },
    ...over,
  };
}

const codes = (f: DoctorFacts): string[] => diagnose(f).map((r) => r.code);

test('a healthy download has nothing to report, and its summary is null', () => {
  assert.deepEqual(diagnose(healthy()), []);
  assert.equal(whyOf(diagnose(healthy())), null);
});

test('no peers names each failing tracker and the DHT, with the add-trackers action', () => {
  const [top, ...rest] = diagnose(
    healthy({
      trackers: [{ url: 'http://dead.example/announce', health: 'error', error: 'HTTP 500', peers: null }],
      dht: { enabled: false, nodes: 0, private: false, peersFound: 0 },
      knownPeers: 0,
      peers: { connected: 0, interesting: 0, chokingInteresting: 0, longestChokeMs: 0 },
      unavailable: null,
      downRate: 0,
    }),
  );
  assert.equal(top.code, 'noPeers');
  assert.equal(top.severity, 'blocking');
  assert.match(top.message, /http:\/\/dead\.example\/announce: HTTP 500/);
  assert.match(top.message, /DHT off/);
  assert.equal(top.short, 'no peers: tracker error (HTTP 500)');
  assert.equal(top.action?.kind, 'addTrackers');
  assert.equal(top.numbers.trackersFailing, 1);
  assert.deepEqual(rest, []);
});

test('no trackers and no DHT (or a private torrent) is its own reason', () => {
  const none = { trackers: [], peers: { connected: 0, interesting: 0, chokingInteresting: 0, longestChokeMs: 0 }, unavailable: null, downRate: 0 };
  assert.deepEqual(codes(healthy({ ...none, dht: { enabled: false, nodes: 0, private: false, peersFound: 0 } })), ['noTrackers']);
  assert.match(diagnose(healthy({ ...none, dht: { enabled: true, nodes: 50, private: true, peersFound: 0 } }))[0].message, /private/);
  // With the DHT on, a trackerless torrent still has a way to find peers: "no peers", quoting the DHT's nodes.
  const withDht = diagnose(healthy({ ...none, dht: { enabled: true, nodes: 50, private: false, peersFound: 4 } }));
  assert.equal(withDht[0].code, 'noPeers');
  assert.match(withDht[0].message, /DHT: 50 nodes, lookups found 4 peers/);
  assert.equal(withDht[0].numbers.dhtPeersFound, 4);
});

test('all interesting peers choking past the grace period: all choking; within it: nothing yet', () => {
  const choking = healthy({ downRate: 0, peers: { connected: 12, interesting: 12, chokingInteresting: 12, longestChokeMs: 30_000 } });
  const [top] = diagnose(choking);
  assert.equal(top.code, 'allChoking');
  assert.equal(top.short, 'all 12 peers choking us');
  assert.equal(top.numbers.chokedSeconds, 30);
  assert.equal(whyOf(diagnose(choking)), 'all 12 peers choking us');
  assert.deepEqual(codes(healthy({ downRate: 0, peers: { connected: 12, interesting: 12, chokingInteresting: 11, longestChokeMs: CHOKE_GRACE_MS } })), []);
});

test('availability below 1 names the files and the missing bytes; blocking once nothing available is left', () => {
  const files = [
    { path: 'a/big.bin', missingBytes: 3_000_000 },
    { path: 'a/small.bin', missingBytes: 20_000 },
  ];
  const limiting = diagnose(healthy({ unavailable: { pieces: 12, bytes: 3_020_000, files, availablePiecesLeft: 5 } }));
  assert.equal(limiting[0].code, 'availability');
  assert.equal(limiting[0].severity, 'limiting');
  assert.match(limiting[0].message, /a\/big\.bin \(2\.86 MiB missing\), a\/small\.bin \(19\.5 KiB missing\)/);
  assert.equal(limiting[0].numbers.missingBytes, 3_020_000);
  const blocking = diagnose(healthy({ downRate: 0, peers: { connected: 1, interesting: 0, chokingInteresting: 0, longestChokeMs: 0 }, unavailable: { pieces: 12, bytes: 3_020_000, files, availablePiecesLeft: 0 } }));
  assert.equal(blocking[0].severity, 'blocking');
  assert.deepEqual(blocking.map((r) => r.code), ['availability']);
});

test('a limit counts only when the rate is near it, and the tighter of torrent and global is named', () => {
  assert.deepEqual(codes(healthy({ downRate: 20_000, limits: { global: 102_400, alt: null, torrent: null } })), []);
  const global = diagnose(healthy({ downRate: 99_000, limits: { global: 102_400, alt: null, torrent: null } }))[0];
  assert.equal(global.code, 'globalLimit');
  assert.equal(global.short, 'global limit 100 KiB/s');
  assert.deepEqual(global.action, { kind: 'raiseLimit', label: 'Raise limit', dialog: 'settings' });
  assert.equal(global.numbers.limit, 102_400);
  const own = diagnose(healthy({ downRate: 49_000, limits: { global: 100_000, alt: null, torrent: 50_000 } }))[0];
  assert.equal(own.code, 'torrentLimit');
  assert.equal(own.action?.dialog, 'torrentOptions');
  const alt = diagnose(healthy({ downRate: 10_000, limits: { global: 10_000, alt: 'schedule', torrent: null } }))[0];
  assert.equal(alt.code, 'altLimit');
  assert.match(alt.message, /schedule/);
});

test('state reasons come first and alone: error, goal, paused; queued offers force start', () => {
  assert.deepEqual(codes(healthy({ running: false, error: 'disk full' })), ['error']);
  assert.deepEqual(codes(healthy({ running: false, paused: true, goal: { kind: 'ratio', reason: 'ratio goal 1.00 reached' } })), ['goalReached']);
  assert.equal(diagnose(healthy({ running: false, paused: true, goal: { kind: 'ratio', reason: 'x' } }))[0].action?.kind, 'ignoreGoal');
  assert.equal(diagnose(healthy({ running: false, paused: true }))[0].action?.kind, 'resume');
  const queued = diagnose(healthy({ running: false, queued: { position: 1, slots: 1, queuedFor: 'download', reason: 'waiting: 1 of 1 download slots in use' } }));
  assert.deepEqual(queued.map((r) => r.code), ['queued']);
  assert.equal(queued[0].short, 'queued (#2)');
  assert.equal(queued[0].action?.kind, 'forceStart');
});

test('a magnet fetching its metadata: only that, and no words for the Status column (its state says it)', () => {
  const f = healthy({ fetchingMetadata: true, trackers: [], knownPeers: 0, peers: { connected: 0, interesting: 0, chokingInteresting: 0, longestChokeMs: 0 }, unavailable: null, downRate: 0 });
  assert.deepEqual(codes(f), ['metadata']);
  assert.equal(whyOf(diagnose(f)), null);
});

test('encryption refusals rank above no peers and offer to allow unencrypted peers', () => {
  const f = healthy({ downRate: 0, peers: { connected: 0, interesting: 0, chokingInteresting: 0, longestChokeMs: 0 }, unavailable: null, encryption: { policy: 'require', refusedOutgoing: 3, refusedIncoming: 1 } });
  const [top, next] = diagnose(f);
  assert.equal(top.code, 'encryptionRefused');
  assert.equal(top.severity, 'blocking');
  assert.equal(top.numbers.refused, 4);
  assert.equal(top.action?.kind, 'allowUnencrypted');
  assert.equal(next.code, 'noPeers');
  // Under 'prefer' nothing is refused for encryption, whatever the counters say.
  assert.ok(!codes({ ...f, encryption: { policy: 'prefer', refusedOutgoing: 3, refusedIncoming: 0 } }).includes('encryptionRefused'));
});

test('a disk behind for a while, an unreachable port and a finished download', () => {
  assert.deepEqual(codes(healthy({ diskBusySince: 100_000 - 5_000 })), ['diskBusy']);
  assert.deepEqual(codes(healthy({ diskBusySince: 100_000 - 1_000 })), []);
  assert.deepEqual(codes(healthy({ port: { connectable: 'no', mapping: 'failed', message: 'no incoming connection in 30 min' } })), ['portUnreachable']);
  const done = diagnose(healthy({ complete: true }));
  assert.deepEqual(done.map((r) => r.code), ['complete']);
  assert.equal(whyOf(done), null);
});

test('blocking before limiting before info, whatever order they were found in', () => {
  const f = healthy({
    downRate: 99_000,
    limits: { global: 100_000, alt: null, torrent: null },
    unavailable: { pieces: 1, bytes: 16_384, files: [{ path: 'x', missingBytes: 16_384 }], availablePiecesLeft: 0 },
    port: { connectable: 'unknown', mapping: 'failed', message: 'router refused' },
  });
  assert.deepEqual(codes(f), ['availability', 'globalLimit', 'portUnreachable']);
});

test("the router's one-line reason is the doctor's, said once", () => {
  const [failed] = diagnose(healthy({ port: { connectable: 'unknown', mapping: 'failed', message: "mapping failed: UPnP: the router's device description is not valid XML (malformed start tag)" } }));
  assert.equal(failed?.message, "Port mapping failed: UPnP: the router's device description is not valid XML (malformed start tag).");
  const [closed] = diagnose(healthy({ port: { connectable: 'no', mapping: 'mapped', message: 'no incoming connection in 30 min: your port may be closed (Port 6881 open via UPnP on 10.0.0.1)' } }));
  assert.equal(closed?.short, 'port not reachable');
  assert.match(closed?.message ?? '', /^No peer has connected to us: no incoming connection in 30 min: your port may be closed \(Port 6881 open via UPnP on 10\.0\.0\.1\)\./);
});

test('bytes are written in the UI units', () => {
  assert.equal(bytes(999), '999 B');
  assert.equal(bytes(102_400), '100 KiB');
  assert.equal(bytes(1_572_864), '1.50 MiB');
  assert.equal(bytes(1023.99 * 1024), '1.00 MiB');
});
