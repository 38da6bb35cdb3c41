import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  DEFAULT_SETTINGS,
  WireError,
  base64ToBytes,
  bytesToBase64,
  decodeBinaryMessage,
  decodeMessage,
  encodeBinaryMessage,
  encodeMessage,
  parseRequest,
  tryDecodeMessage,
  type EngineMessage,
  type GlobalStats,
  type Request,
} from './index.js';

const A = 'a'.repeat(40);
const g: GlobalStats = {
  downRate: 1,
  upRate: 2,
  downloadedTotal: 3,
  uploadedTotal: 4,
  connectedPeers: 5,
  dhtNodes: 6,
  freeDiskBytes: 7,
  altLimitsActive: false,
  downloadLimit: null,
  uploadLimit: 1000,
};

test('base64 matches the reference encoding, both ways, at every length and offset', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(3), (bytes, off) => {
      const view = new Uint8Array(off + bytes.length);
      view.set(bytes, off);
      const sub = view.subarray(off);
      const b64 = bytesToBase64(sub);
      assert.equal(b64, Buffer.from(bytes).toString('base64'));
      assert.deepEqual(base64ToBytes(b64), new Uint8Array(bytes));
    }),
    { numRuns: 500 },
  );
});

test('base64ToBytes is strict', () => {
  for (const s of ['A', 'AAA', 'AA=A', '====', 'AB==', 'AAB=', 'AA AA', 'A\u0100==', 'Zm9v\n', 'Zm9v====', '-_==']) {
    assert.throws(() => base64ToBytes(s), WireError, JSON.stringify(s));
  }
  assert.deepEqual(base64ToBytes(''), new Uint8Array(0));
  assert.deepEqual(base64ToBytes('AA=='), new Uint8Array([0]));
  assert.deepEqual(base64ToBytes('Zm9vYg=='), new TextEncoder().encode('foob'));
});

test('a batch with a piece map round-trips, typed arrays included', () => {
  const msg: EngineMessage = {
    kind: 'batch',
    seq: 12,
    added: [],
    changed: [{ id: A, downRate: 5, ratio: Infinity }],
    removed: ['b'.repeat(40)],
    global: g,
    details: {
      id: A,
      pieces: {
        pieceCount: 11,
        pieceLength: 16384,
        have: new Uint8Array([0xff, 0xe0]),
        downloading: new Uint8Array([0, 0x10]),
        availability: new Uint16Array([0, 1, 2, 255, 256, 65535, 3, 4, 5, 6, 7]),
      },
      files: [{ index: 0, path: 'a/b', length: 10, doneBytes: 5, priority: 'high' }],
    },
    notices: [{ type: 'completed', id: A, name: 'x', savePath: '/dl' }],
  };
  const text = encodeMessage(msg);
  assert.equal(typeof text, 'string');
  assert.match(text, /"have":\{"\$u8":"/);
  assert.match(text, /"availability":\{"\$u16":"/);
  assert.match(text, /"ratio":\{"\$num":"Infinity"\}/);
  const back = decodeMessage(text) as typeof msg;
  assert.deepEqual(back, msg);
  assert.ok(back.kind === 'batch' && back.details?.pieces?.availability instanceof Uint16Array);
  assert.deepEqual(decodeMessage(new TextEncoder().encode(text)), msg, 'UTF-8 bytes decode too');
});

test('a snapshot and a reply round-trip; an add request with a .torrent validates after decoding', () => {
  const snap: EngineMessage = { kind: 'snapshot', seq: 0, torrents: [], global: g, settings: { ...DEFAULT_SETTINGS } };
  assert.deepEqual(decodeMessage(encodeMessage(snap)), snap);
  const reply: EngineMessage = { kind: 'reply', requestId: 3, ok: false, error: { name: 'NotFound', message: 'no such torrent' } };
  assert.deepEqual(decodeMessage(encodeMessage(reply)), reply);
  const data = new Uint8Array(1000).map((_, i) => i * 7);
  const req: Request = { kind: 'request', requestId: 9, command: { type: 'add', source: { kind: 'torrent', data: data.subarray(3, 900) }, paused: true } };
  const p = parseRequest(decodeMessage(encodeMessage(req)));
  assert.ok(p.ok);
  assert.deepEqual(p.request, { ...req, command: { type: 'add', source: { kind: 'torrent', data: data.slice(3, 900) }, paused: true } });
});

test('a Node Buffer is encoded as bytes, not through its toJSON', () => {
  const req: Request = { kind: 'request', requestId: 1, command: { type: 'add', source: { kind: 'torrent', data: Buffer.from('d1:ai1ee') } } };
  const text = encodeMessage(req);
  assert.match(text, /"data":\{"\$u8":"ZDE6YWkxZWU="\}/);
  const back = decodeMessage(text) as Request;
  assert.ok(back.command.type === 'add' && back.command.source.kind === 'torrent');
  assert.deepEqual(back.command.source.data, new Uint8Array(Buffer.from('d1:ai1ee')));
});

test('NaN and infinities survive; other typed arrays and bigint are refused', () => {
  const m = { kind: 'reply', requestId: 1, ok: true, result: { a: NaN, b: -Infinity, c: [Infinity, 1.5] } } as unknown as EngineMessage;
  assert.deepEqual(decodeMessage(encodeMessage(m)), m);
  const bad = (result: unknown): EngineMessage => ({ kind: 'reply', requestId: 1, ok: true, result }) as unknown as EngineMessage;
  assert.throws(() => encodeMessage(bad(new Float64Array(2))), WireError);
  assert.throws(() => encodeMessage(bad(new ArrayBuffer(2))), WireError);
  assert.throws(() => encodeMessage(bad(1n)), WireError);
  const cyc: Record<string, unknown> = {};
  cyc.self = cyc;
  assert.throws(() => encodeMessage(bad(cyc)), WireError);
});

test('tags are recognised only as one-key objects with a string; malformed input is a WireError', () => {
  assert.deepEqual(decodeMessage('{"x":{"$u8":"AQI=","y":1}}'), { x: { $u8: 'AQI=', y: 1 } });
  assert.deepEqual(decodeMessage('{"x":{"$u8":5}}'), { x: { $u8: 5 } });
  assert.deepEqual(decodeMessage('[{"$u8":""},{"$u16":"AQA="}]'), [new Uint8Array(0), new Uint16Array([1])]);
  for (const s of ['{"$u8":"A"}', '{"$u16":"AQ=="}', '{"$num":"1"}', '{', '', 'nul']) assert.throws(() => decodeMessage(s), WireError, s);
  assert.throws(() => decodeMessage(new Uint8Array([0x22, 0xff, 0x22])), WireError, 'invalid UTF-8');
  const t = tryDecodeMessage('{');
  assert.ok(!t.ok && t.error.startsWith('message is not valid JSON'));
  assert.deepEqual(tryDecodeMessage('[1]'), { ok: true, value: [1] });
});

test('data objects that look like tags are escaped and come back unchanged', () => {
  const result = [{ $u8: 'AA==' }, { $$u8: 'AA==' }, { $num: 'NaN' }, { $u16: { $u8: new Uint8Array([1]) } }, { $u8: 'AA==', other: 1 }, { $x: 1 }];
  const m = { kind: 'reply', requestId: 0, ok: true, result } as unknown as EngineMessage;
  const text = encodeMessage(m);
  assert.match(text, /\{"\$\$u8":"AA=="\},\{"\$\$\$u8":"AA=="\}/);
  assert.deepEqual(decodeMessage(text), m);
});

test('property: any JSON-with-typed-arrays value round-trips', () => {
  const leaf = fc.oneof(
    fc.uint8Array({ maxLength: 20 }),
    fc.uint16Array({ maxLength: 10 }),
    fc.double(),
    fc.string(),
    fc.boolean(),
    fc.constant(null),
  );
  const value = fc.letrec((tie) => ({
    v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom('$u8', '$u16', '$num', '$b8', '$b16', '$$u8', '$$b16', '$$$num', '$x')), tie('v'), { maxKeys: 3 })),
  })).v;
  fc.assert(
    fc.property(value, (v) => {
      const m = { kind: 'reply', requestId: 0, ok: true, result: v } as unknown as EngineMessage;
      // -0 becomes 0 in JSON; compare with that normalisation.
      const norm = (x: unknown): unknown =>
        typeof x === 'number' && Object.is(x, -0) ? 0 : ArrayBuffer.isView(x) ? x : Array.isArray(x) ? x.map(norm) : typeof x === 'object' && x !== null ? Object.fromEntries(Object.entries(x).map(([k, y]) => [k, norm(y)])) : x;
      assert.deepEqual((decodeMessage(encodeMessage(m)) as { result: unknown }).result, norm(v), 'text');
      assert.deepEqual((decodeBinaryMessage(encodeBinaryMessage(m)) as { result: unknown }).result, norm(v), 'binary');
    }),
    { numRuns: 500 },
  );
});

test('property: decoding arbitrary text never throws anything but WireError', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.json(), fc.constantFrom('{"$u8":"', '{"$num":"NaN"}', '{"__proto__":{"$u8":"AA=="}}')), (s) => {
      try {
        decodeMessage(s);
      } catch (e) {
        assert.ok(e instanceof WireError, String(e));
      }
      assert.equal(typeof tryDecodeMessage(s).ok, 'boolean');
    }),
    { numRuns: 1000 },
  );
});

test('binary frames: typed arrays travel outside the JSON, 8-aligned, and decode as views', () => {
  const have = new Uint8Array([0xff, 0x0f, 0x80]);
  const availability = new Uint16Array([1, 2, 0xffff, 300]);
  const m = { kind: 'reply', requestId: 1, ok: true, result: { have, availability, name: 'x' } } as unknown as EngineMessage;
  const frame = encodeBinaryMessage(m);
  const jsonLength = new DataView(frame.buffer).getUint32(0, true);
  const json = new TextDecoder().decode(frame.subarray(4, 4 + jsonLength));
  assert.match(json, /"have":\{"\$b8":\[0,3\]\}/);
  assert.match(json, /"availability":\{"\$b16":\[8,8\]\}/);
  assert.ok(!json.includes('$u8') && !json.includes('$u16'), 'no base64 in a binary frame');
  const back = decodeBinaryMessage(frame) as { result: { have: Uint8Array; availability: Uint16Array } };
  assert.deepEqual(back.result.availability, availability);
  assert.equal(back.result.availability.buffer, frame.buffer, 'a view, not a copy');
  // The same frame at an odd offset (as in a pooled Node buffer) still decodes, by copying.
  const shifted = new Uint8Array(frame.length + 1);
  shifted.set(frame, 1);
  assert.deepEqual((decodeBinaryMessage(shifted.subarray(1)) as typeof back).result.availability, availability);
});

test('binary frames: truncated or lying frames are a WireError', () => {
  const good = encodeBinaryMessage({ kind: 'reply', requestId: 1, ok: true, result: { a: new Uint16Array([1, 2]) } } as unknown as EngineMessage);
  const bad = [
    new Uint8Array(3),
    good.subarray(0, 10),
    good.subarray(0, good.length - 6), // into the 4-byte blob (4 bytes of padding follow it)
    (() => {
      const f = good.slice();
      new DataView(f.buffer).setUint32(0, 1e9, true);
      return f;
    })(),
    frameOf('{"a":{"$b8":[0,99]}}'),
    frameOf('{"a":{"$b16":[0,3]}}', 8),
    frameOf('{"a":{"$b8":[-1,1]}}'),
    frameOf('{"a":{"$b8":"x"}}'),
  ];
  for (const f of bad) assert.throws(() => decodeBinaryMessage(f), WireError);
});

test('property: decoding arbitrary bytes as a binary frame never throws anything but WireError', () => {
  const good = encodeBinaryMessage({ kind: 'reply', requestId: 1, ok: true, result: { a: new Uint8Array([1, 2, 3]), b: new Uint16Array([4]) } } as unknown as EngineMessage);
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })).map(([i, v]) => {
      const f = good.slice();
      f[i] = v;
      return f;
    })), (bytes) => {
      try {
        decodeBinaryMessage(bytes);
      } catch (e) {
        assert.ok(e instanceof WireError, String(e));
      }
    }),
    { numRuns: 2000 },
  );
});

/** A binary frame around hand-written JSON, with `blobBytes` zero bytes after it. */
function frameOf(json: string, blobBytes = 0): Uint8Array {
  const text = new TextEncoder().encode(json);
  const start = (4 + text.length + 7) & ~7;
  const f = new Uint8Array(start + blobBytes);
  new DataView(f.buffer).setUint32(0, text.length, true);
  f.set(text, 4);
  return f;
}
