import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: a plain .mjs script without types
import { compileRc4Wasm, renderModule } from '../../scripts/build-rc4-wasm.mjs';

test('rc4-wasm.ts holds exactly what rc4.wat compiles to (run node scripts/build-rc4-wasm.mjs after editing rc4.wat)', async () => {
  const checkedIn = readFileSync(fileURLToPath(new URL('./rc4-wasm.ts', import.meta.url)), 'utf8');
  assert.equal(checkedIn, renderModule(await compileRc4Wasm()));
});
