// The renderer's side of ../shared/ARCHITECTURE.md: it reaches the engine only through engine/api
// (types, validators, the wire codec) and never imports Node built-ins or Electron.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const rendererDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(rendererDir, '..');

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) out.push(p);
  }
  return out;
}

const imports = sources(rendererDir).flatMap((file) =>
  [...readFileSync(file, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g)].map((m) => ({
    file: relative(root, file),
    spec: m[1] ?? m[2],
  })),
);

test('the renderer imports from engine/ only engine/api', () => {
  assert.ok(imports.length > 10, 'found the renderer sources');
  const bad = imports.filter((i) => {
    if (!i.spec.startsWith('.')) return false;
    const target = relative(root, resolve(root, dirname(i.file), i.spec));
    return target.startsWith('engine') && !target.startsWith(join('engine', 'api'));
  });
  assert.deepEqual(bad.map((i) => `${i.file} -> ${i.spec}`), []);
});

test('the renderer imports no Node built-ins and no Electron', () => {
  const bad = imports.filter((i) => /^(node:|electron$|fs$|path$|os$|child_process$|worker_threads$)/.test(i.spec));
  assert.deepEqual(bad.map((i) => `${i.file} -> ${i.spec}`), []);
});
