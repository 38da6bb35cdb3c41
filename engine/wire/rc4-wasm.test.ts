import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../scripts/build-rc4-wasm.mjs', import.meta.url));

test('rc4-wasm.ts holds exactly what rc4.wat compiles to (run node scripts/build-rc4-wasm.mjs after editing rc4.wat)', () => {
  const run = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
  assert.match(run.stdout, /rc4-wasm\.ts matches rc4\.wat/);
});
