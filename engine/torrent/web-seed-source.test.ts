import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encode } from '../bencode/index.js';
import { parseTorrent } from '../metainfo/index.js';
import { fileUrl } from '../peer/web-seed-layout.js';
import { webSeedSource } from './web-seed-source.js';

test('file URLs from the raw path bytes: a name that is not valid UTF-8 reaches the server byte for byte, with spaces, #, ? and % escaped', () => {
  // Latin-1 'café' (0xE9 alone is not UTF-8) and a lone 0xFF, in a folder named 'a b#c?d%e'
  const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xff, 0x2e, 0x74, 0x78, 0x74]);
  const info = { files: [{ length: 5, path: [Buffer.from('a b#c?d%e'), latin1] }, { length: 3, path: [Buffer.from('plain.bin')] }], name: Buffer.from([0x72, 0xe9, 0x73]), 'piece length': 16_384, pieces: Buffer.alloc(20) };
  const meta = parseTorrent(encode({ info, 'url-list': ['http://h/seed/'] }));
  const source = webSeedSource(meta)!;
  assert.equal(fileUrl('http://h/seed/', source.layout, 0), 'http://h/seed/r%E9s/a%20b%23c%3Fd%25e/caf%E9%20%FF.txt');
  assert.equal(fileUrl('http://h/seed/', source.layout, 1), 'http://h/seed/r%E9s/plain.bin');
  // the decoded, sanitised path (what goes to disk) lost those bytes: a URL from it would name another file
  assert.notEqual(meta.files[0].path.join('/'), 'rés/a b#c?d%e/café \xff.txt');
});
