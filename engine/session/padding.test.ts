// A torrent with BEP 47 padding files: the file lists users see leave padding out, but every index the
// protocol carries (inspect, getInfo, details, add.filePriorities, setFilePriority) is the torrent's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { encode } from '../bencode/encode.js';
import { SessionHarness } from './test-harness.js';

function paddedTorrent(): Uint8Array {
  const pieceLength = 16_384;
  const files = [
    { length: 100, path: ['a.bin'] },
    { length: pieceLength - 100, path: ['.pad', String(pieceLength - 100)], attr: 'p' },
    { length: 200, path: ['b.bin'] },
  ];
  const pieces = new Uint8Array(40);
  pieces.set(createHash('sha1').update(new Uint8Array(pieceLength)).digest(), 0);
  pieces.set(createHash('sha1').update(new Uint8Array(200)).digest(), 20);
  return encode({ info: { name: 'padded', 'piece length': pieceLength, pieces, files } });
}

test('padding files: listed without them, indexed like the torrent, priorities by those indices', async () => {
  const h = await SessionHarness.open();
  try {
    const data = paddedTorrent();
    const inspected = await h.send({ type: 'inspect', source: { kind: 'torrent', data } });
    assert.deepEqual(inspected.files, [
      { index: 0, path: 'padded/a.bin', length: 100 },
      { index: 2, path: 'padded/b.bin', length: 200 },
    ]);
    assert.equal(inspected.fileCount, 3);

    await assert.rejects(
      h.send({ type: 'add', source: { kind: 'torrent', data }, paused: true, filePriorities: ['normal', 'skip'] }),
      /filePriorities has 2 entries; the torrent has 3 files/,
    );
    const { id } = await h.send({ type: 'add', source: { kind: 'torrent', data }, paused: true, filePriorities: ['normal', 'normal', 'skip'] });
    await h.until(() => h.list.has(id), 'the torrent is listed');
    assert.equal(h.get(id).wantedBytes, 100, 'b.bin (index 2) is skipped, not the padding');

    const info = await h.send({ type: 'getInfo', id });
    assert.deepEqual(info.files.map((f) => f.index), [0, 2]);
    assert.equal(info.fileCount, 3);

    await h.send({ type: 'subscribe', id, topics: ['files'] });
    await h.until(() => h.details?.files?.find((f) => f.index === 2)?.priority === 'skip', 'details show index 2 skipped');
    await h.send({ type: 'setFilePriority', id, files: [2], priority: 'high' });
    await h.until(() => h.details?.files?.find((f) => f.index === 2)?.priority === 'high', 'index 2 is high');
    assert.equal(h.get(id).wantedBytes, 300);
  } finally {
    await h.close();
  }
});
