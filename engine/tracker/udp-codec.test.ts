import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TrackerError } from './errors.js';
import {
  UDP_ACTION,
  UDP_ANNOUNCE_REQUEST_LEN,
  UDP_EVENT,
  UDP_PROTOCOL_ID,
  decodeAnnounceRequest,
  decodeAnnounceResponse,
  decodeConnectRequest,
  decodeConnectResponse,
  decodeErrorResponse,
  decodeScrapeRequest,
  decodeScrapeResponse,
  encodeAnnounceRequest,
  encodeConnectRequest,
  encodeScrapeRequest,
  peekUdpResponse,
} from './udp-codec.js';
import { fromHex, loadTrackerSamples } from './test-corpus.js';

const { udp } = loadTrackerSamples();
const packet = (name: string) => {
  const p = udp.packets.find((x) => x.name === name);
  assert.ok(p, `corpus packet '${name}' missing`);
  return fromHex(p.hex);
};
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('corpus: constants', () => {
  assert.equal(UDP_PROTOCOL_ID, BigInt(`0x${udp.constants.protocol_id_magic}`));
  assert.deepEqual({ ...UDP_ACTION }, udp.constants.actions);
  assert.deepEqual({ ...UDP_EVENT }, udp.constants.announce_events);
  assert.equal(UDP_ANNOUNCE_REQUEST_LEN, udp.constants.announce_request_min_len);
});

test('corpus: connect request and response', () => {
  assert.equal(hex(encodeConnectRequest(0x12345678)), hex(packet('connect request')));
  assert.deepEqual(decodeConnectRequest(packet('connect request')), { transactionId: 0x12345678 });
  assert.deepEqual(decodeConnectResponse(packet('connect response (libtorrent mock)')), { transactionId: 0x12345678, connectionId: 10n });
});

test('corpus: announce request', () => {
  const want = packet('announce request');
  const got = encodeAnnounceRequest(10n, 0x12345678, {
    infoHash: new Uint8Array(20).fill(0xaa),
    peerId: new Uint8Array(Buffer.from('-XX0001-000000000000')),
    downloaded: 0,
    left: 1000,
    uploaded: 0,
    event: 'started',
    key: 0,
    port: 6881,
  });
  assert.equal(hex(got), hex(want));
  const back = decodeAnnounceRequest(want);
  assert.equal(back.connectionId, 10n);
  assert.equal(back.event, 'started');
  assert.equal(back.numwant, -1);
  assert.equal(back.left, 1000);
  assert.equal(back.port, 6881);
});

test('corpus: announce responses, IPv4 and IPv6', () => {
  assert.deepEqual(decodeAnnounceResponse(packet('announce response, IPv4 (libtorrent mock)'), 4), {
    transactionId: 0x12345678,
    interval: 1800,
    leechers: 1,
    seeders: 1,
    peers: [{ host: '127.0.0.2', port: 1337 }],
  });
  assert.deepEqual(decodeAnnounceResponse(packet('announce response, IPv6 (libtorrent mock)'), 6).peers, [{ host: '::1', port: 1337 }]);
});

test('corpus: error response', () => {
  assert.deepEqual(decodeErrorResponse(packet('error response')), { transactionId: 0x12345678, message: 'Invalid info_hash' });
  assert.deepEqual(peekUdpResponse(packet('error response')), { action: 3, transactionId: 0x12345678 });
});

test('strict lengths and actions', () => {
  const connect = packet('connect response (libtorrent mock)');
  assert.throws(() => decodeConnectResponse(connect.subarray(0, 15)), TrackerError);
  assert.throws(() => decodeConnectResponse(new Uint8Array([...connect, 0])), TrackerError);
  assert.throws(() => decodeAnnounceResponse(connect, 4), TrackerError); // action 0
  const ann = packet('announce response, IPv4 (libtorrent mock)');
  assert.throws(() => decodeAnnounceResponse(ann.subarray(0, 19), 4), TrackerError);
  // A trailing partial peer entry is dropped, the whole ones kept (issue 15: sloppy trackers lose no good peers).
  assert.deepEqual(decodeAnnounceResponse(ann.subarray(0, 25), 4).peers, []);
  const firstPeer = decodeAnnounceResponse(ann.subarray(0, 26), 4).peers;
  assert.equal(firstPeer.length, 1);
  assert.deepEqual(decodeAnnounceResponse(new Uint8Array([...ann.subarray(0, 26), 1, 2, 3]), 4).peers, firstPeer);
  assert.equal(decodeAnnounceResponse(ann.subarray(0, 20), 4).peers.length, 0);
  assert.throws(() => decodeErrorResponse(ann), TrackerError);
  assert.equal(peekUdpResponse(new Uint8Array(7)), undefined);
});

test('scrape request and response', () => {
  const h1 = new Uint8Array(20).fill(1);
  const h2 = new Uint8Array(20).fill(2);
  const req = encodeScrapeRequest(7n, 99, [h1, h2]);
  assert.equal(req.length, 56);
  assert.deepEqual(decodeScrapeRequest(req), { connectionId: 7n, transactionId: 99, infoHashes: [h1, h2] });
  assert.throws(() => encodeScrapeRequest(7n, 99, []), TrackerError);
  assert.throws(() => encodeScrapeRequest(7n, 99, new Array(75).fill(h1)), TrackerError);
  const res = Buffer.alloc(8 + 24);
  res.writeUInt32BE(2, 0);
  res.writeUInt32BE(99, 4);
  res.writeUInt32BE(5, 8); // seeders
  res.writeUInt32BE(6, 12); // completed
  res.writeUInt32BE(7, 16); // leechers
  const r = decodeScrapeResponse(res, 2);
  assert.deepEqual(r.files[0], { complete: 5, downloaded: 6, incomplete: 7 });
  assert.throws(() => decodeScrapeResponse(res, 1), TrackerError);
  assert.throws(() => decodeScrapeResponse(res.subarray(0, 30)), TrackerError);
});

test('encoders validate their input', () => {
  assert.throws(() => encodeConnectRequest(-1), TrackerError);
  assert.throws(() => encodeConnectRequest(2 ** 32), TrackerError);
  const base = { infoHash: new Uint8Array(20), peerId: new Uint8Array(20), port: 1, uploaded: 0, downloaded: 0, left: 0 };
  assert.throws(() => encodeAnnounceRequest(1n, 1, { ...base, infoHash: new Uint8Array(21) }), TrackerError);
  assert.throws(() => encodeAnnounceRequest(1n, 1, { ...base, port: 65536 }), TrackerError);
  assert.throws(() => encodeAnnounceRequest(1n, 1, { ...base, key: -1 }), TrackerError);
  const r = decodeAnnounceRequest(encodeAnnounceRequest(1n, 1, { ...base, left: -4, uploaded: 2 ** 60, numwant: 50 }));
  assert.equal(r.left, 0);
  assert.equal(r.uploaded, Number.MAX_SAFE_INTEGER);
  assert.equal(r.numwant, 50);
});

test('fuzz: UDP decoders throw only TrackerError', () => {
  const seeds = udp.packets.map((p) => fromHex(p.hex));
  const input = fc.oneof(
    fc.uint8Array({ maxLength: 120 }),
    fc.tuple(fc.constantFrom(...seeds), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat({ max: 40 })).map(([s, pos, byte, cut]) => {
      const b = new Uint8Array(s);
      if (b.length) b[pos % b.length] = byte;
      return b.subarray(0, Math.max(0, b.length - cut));
    }),
  );
  const decoders: ((b: Uint8Array) => unknown)[] = [
    decodeConnectResponse,
    (b) => decodeAnnounceResponse(b, 4),
    (b) => decodeAnnounceResponse(b, 6),
    (b) => decodeScrapeResponse(b),
    (b) => decodeScrapeResponse(b, 1),
    decodeErrorResponse,
    decodeConnectRequest,
    decodeAnnounceRequest,
    decodeScrapeRequest,
    peekUdpResponse,
  ];
  fc.assert(
    fc.property(input, (b) => {
      for (const d of decoders) {
        try {
          d(b);
        } catch (e) {
          if (!(e instanceof TrackerError)) throw e;
        }
      }
    }),
    { numRuns: 3000 },
  );
});
