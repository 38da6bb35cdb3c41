import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOKEN_RE, loadOrCreateToken, tokenMatches } from './token.js';

test('a generated token is saved owner-only and reused by the next start, so open tabs keep working', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-token-'));
  try {
    const file = join(dir, 'state', 'daemon-token');
    const first = loadOrCreateToken(file);
    assert.match(first, TOKEN_RE);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(loadOrCreateToken(file), first);
    writeFileSync(file, 'bad token!\n');
    const replaced = loadOrCreateToken(file);
    assert.match(replaced, TOKEN_RE);
    assert.notEqual(replaced, first);
    assert.equal(readFileSync(file, 'utf8').trim(), replaced);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tokens compare equal only when identical', () => {
  assert.equal(tokenMatches('abcdefghijklmnop', 'abcdefghijklmnop'), true);
  assert.equal(tokenMatches('abcdefghijklmnoq', 'abcdefghijklmnop'), false);
  assert.equal(tokenMatches(null, 'abcdefghijklmnop'), false);
});
