// electron/ adapts OS events to api commands: it may use engine/api, host the engine through engine/worker,
// and share the renderer's bridge contract, nothing else of the engine or renderer. Only tests may use
// engine/testing and worker_threads (which is engine/worker's alone).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : n.endsWith('.ts') ? [join(dir, n)] : []));
}

test('electron/ imports only engine/api, engine/worker and the renderer bridge contract', () => {
  const problems: string[] = [];
  for (const file of files(here)) {
    const rel = relative(here, file);
    const isTest = rel.endsWith('.test.ts') || rel.startsWith('testing');
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
      const spec = m[1]!;
      const target = spec.startsWith('.') ? relative(join(here, '..'), join(file, '..', spec)).replaceAll('\\', '/') : spec;
      const ok =
        !spec.startsWith('.') ? spec !== 'node:worker_threads' || isTest : target.startsWith('electron/') || target.startsWith('engine/api/') || target.startsWith('engine/worker/') || target === 'renderer/api/bridge.js' || (isTest && target.startsWith('engine/testing/'));
      if (!ok) problems.push(`${rel}: ${spec}`);
    }
  }
  assert.deepEqual(problems, []);
});
