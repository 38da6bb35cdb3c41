// Checks the import rules of ../shared/ARCHITECTURE.md, so a forbidden dependency fails the build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const engine = dirname(fileURLToPath(import.meta.url));

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'test' && name !== 'testing' && name !== 'stubs') sources(p, out);
    } else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts') && !name.startsWith('test-')) out.push(p); // test-*.ts: test helpers
  }
  return out;
}

interface Import {
  file: string;
  spec: string;
  /** What is imported, e.g. "{ isIP }" or "* as x". */
  clause: string;
  /** Folder under engine/ the import resolves to, or null for a package / node: builtin. */
  target: string | null;
}

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const out: Import[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s([^'"]*?)from\s+['"]([^'"]+)['"]/g)) {
    const clause = m[1].trim();
    const spec = m[2];
    let target: string | null = null;
    if (spec.startsWith('.')) {
      const rel = relative(engine, resolve(dirname(file), spec));
      target = rel.split(/[\\/]/)[0];
    }
    out.push({ file: relative(engine, file), spec, clause, target });
  }
  return out;
}

const all = sources(engine).flatMap(importsOf);
const folderOf = (i: Import): string => i.file.split(/[\\/]/)[0];

test('the engine imports nothing from electron/ or renderer/, and no UI packages', () => {
  const bad = all.filter((i) => (i.target !== null && (i.target.startsWith('..'))) || /^(electron|react|zustand)(\/|$)/.test(i.spec));
  assert.deepEqual(bad.map((i) => `${i.file} -> ${i.spec}`), []);
});

test('codecs are pure: bencode, wire and metainfo parsing open no sockets, files or timers', () => {
  const pureFolders = new Set(['bencode', 'wire', 'picker', 'choker', 'common']);
  const io = /^node:(net|dgram|http|https|fs|fs\/promises|child_process|worker_threads|timers)$/;
  const bad = all.filter((i) => {
    if (pureFolders.has(folderOf(i))) return io.test(i.spec);
    // metainfo: only create.ts (torrent creation) reads files.
    if (folderOf(i) === 'metainfo') return io.test(i.spec) && !i.file.endsWith('create.ts');
    // tracker: the codecs are pure; the clients do I/O.
    if (folderOf(i) === 'tracker') return io.test(i.spec) && /codec/.test(i.file);
    return false;
  });
  assert.deepEqual(bad.map((i) => `${i.file} -> ${i.spec}`), []);
});

test('dependencies point inward: leaf modules never import torrent/, session/ or cli/', () => {
  const leaves = new Set(['bencode', 'metainfo', 'wire', 'peer', 'tracker', 'picker', 'choker', 'storage', 'common', 'net']);
  const bad = all.filter((i) => leaves.has(folderOf(i)) && i.target !== null && ['torrent', 'session', 'cli'].includes(i.target));
  assert.deepEqual(bad.map((i) => `${i.file} -> ${i.spec}`), []);
});

test('only net/ (and the tracker clients) open peer sockets; only storage/, session/ (its own data folder) and metainfo/create touch files', () => {
  // Address helpers (isIP…) are not sockets.
  const addressHelpersOnly = (i: Import): boolean => i.spec === 'node:net' && /^\{\s*(isIP|isIPv4|isIPv6)(\s*,\s*(isIP|isIPv4|isIPv6))*\s*\}$/.test(i.clause);
  const sockets = all.filter((i) => /^node:(net|dgram)$/.test(i.spec) && !['net', 'tracker'].includes(folderOf(i)) && !addressHelpersOnly(i));
  assert.deepEqual(sockets.map((i) => `${i.file} -> ${i.spec}`), []);
  const files = all.filter(
    (i) => /^node:fs(\/promises)?$/.test(i.spec) && !['storage', 'session', 'cli', 'conformance', 'worker' /* only looks for its compiled entry */, 'daemon' /* reads the built renderer's files */].includes(folderOf(i)) && !i.file.endsWith('create.ts'),
  );
  assert.deepEqual(files.map((i) => `${i.file} -> ${i.spec}`), []);
});

test('only worker/ touches worker_threads', () => {
  const bad = all.filter((i) => i.spec === 'node:worker_threads' && folderOf(i) !== 'worker');
  assert.deepEqual(bad.map((i) => `${i.file} -> ${i.spec}`), []);
});

test('the scan sees the engine (guards against a test that checks nothing)', () => {
  assert.ok(all.length > 100, `found ${all.length} imports`);
  assert.ok(all.some((i) => i.file.startsWith('torrent') && i.target === 'picker'));
});
