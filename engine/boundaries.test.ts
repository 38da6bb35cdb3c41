// The architecture's import rules (`npm run lint`: .dependency-cruiser.cjs plus folder cycles in scripts/lint.mjs)
// must be able to fail. A temporary copy of the sources is linted clean, then with forbidden imports planted in
// new files (static, dynamic and side-effect imports; bare and node: built-ins; packages; folder cycles), and
// each planted file must be reported under the rule it breaks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));

function lint(root: string): { code: number | null; output: string } {
  const r = spawnSync(process.execPath, [join(repo, 'scripts', 'lint.mjs'), '--root', root], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

/** A module of `folder` that exists in the copy, to import from a planted file (the tree may be refactored). */
function someModule(root: string, folder: string): string {
  const name = readdirSync(join(root, 'engine', folder)).find((n) => n.endsWith('.ts') && !n.endsWith('.test.ts') && !n.startsWith('test-'));
  assert.ok(name, `engine/${folder} has a module`);
  return `../${folder}/${name.replace(/\.ts$/, '.js')}`;
}

interface Plant {
  file: string;
  rule: string;
  source: (root: string) => string;
}

const PLANTS: Plant[] = [
  { file: 'engine/dht/planted.ts', rule: 'leaves-point-inward', source: (r) => `import * as s from '${someModule(r, 'session')}';\nexport const x = s;\n` },
  { file: 'engine/api/planted.ts', rule: 'leaves-point-inward', source: (r) => `export * from '${someModule(r, 'session')}';\n` },
  { file: 'engine/torrent/planted.ts', rule: 'sockets-only-in-net', source: () => `import { createSocket } from 'dgram';\nexport const s = createSocket;\n` },
  { file: 'engine/peer/planted.ts', rule: 'sockets-only-in-net', source: () => `import { connect } from 'node:tls';\nexport const c = connect;\n` },
  { file: 'engine/torrent/planted-dynamic.ts', rule: 'worker-threads-only-in-worker', source: () => `export const load = () => import("node:worker_threads");\n` },
  { file: 'engine/session/planted-side-effect.ts', rule: 'worker-threads-only-in-worker', source: () => `import "worker_threads";\n` },
  { file: 'engine/storage/planted-http.ts', rule: 'sockets-only-in-net', source: () => `import { request } from 'http';\nexport const r = request;\n` },
  { file: 'engine/cli/planted-https.ts', rule: 'sockets-only-in-net', source: () => `import https from 'node:https';\nexport const h = https;\n` },
  { file: 'engine/picker/planted-ws.ts', rule: 'sockets-only-in-net', source: () => `import { WebSocket } from 'ws';\nexport const w = WebSocket;\n` },
  { file: 'engine/daemon/planted-tls.ts', rule: 'daemon-only-serves', source: () => `import { createServer } from 'node:tls';\nexport const t = createServer;\n` },
  { file: 'engine/wire/planted-timers.ts', rule: 'codecs-are-pure', source: () => `import { setTimeout } from 'node:timers/promises';\nexport const t = setTimeout;\n` },
  { file: 'engine/common/planted-ui.ts', rule: 'engine-is-headless', source: () => `import { create } from 'zustand';\nexport const c = create;\n` },
  { file: 'renderer/planted.ts', rule: 'renderer-sees-only-the-api', source: () => `export * from '../engine/wire/index.js';\n` },
  { file: 'renderer/planted-fs.ts', rule: 'renderer-sees-only-the-api', source: () => `import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n` },
  { file: 'renderer/planted-electron.ts', rule: 'renderer-is-not-electron', source: () => `import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;\n` },
  { file: 'electron/planted.ts', rule: 'electron-is-a-thin-adapter', source: () => `export * from '../engine/metainfo/index.js';\n` },
  { file: 'engine/bencode/planted-missing.ts', rule: 'no-unresolvable', source: () => `export * from './no-such-module.js';\n` },
];

test('the import rules pass on a clean copy and report every planted violation under its rule', () => {
  const root = mkdtempSync(join(tmpdir(), 'tessera-lint-'));
  try {
    for (const item of ['engine', 'renderer', 'electron', 'tsconfig.json', '.dependency-cruiser.cjs', 'package.json']) {
      cpSync(join(repo, item), join(root, item), { recursive: true, filter: (src) => !/[\\/](node_modules|dist)$/.test(src) });
    }
    symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'));

    const clean = lint(root);
    assert.equal(clean.code, 0, `the unplanted copy lints clean:\n${clean.output}`);

    for (const plant of PLANTS) writeFileSync(join(root, plant.file), plant.source(root));
    // A folder cycle: engine/net imports engine/wire (MSE, handshakes), so wire importing net closes one.
    writeFileSync(join(root, 'engine/wire/planted-cycle.ts'), `import * as n from '${someModule(root, 'net')}';\nexport const x = n;\n`);

    const planted = lint(root);
    assert.equal(planted.code, 1, planted.output);
    for (const plant of PLANTS) {
      assert.match(planted.output, new RegExp(`^${plant.rule}: ${plant.file.replace(/[.]/g, '\\.')} -> `, 'm'), `${plant.file} is reported as ${plant.rule}`);
    }
    assert.match(planted.output, /^folder-cycle: .*engine\/net <-> .*engine\/wire|^folder-cycle: .*engine\/wire/m, 'the planted folder cycle is reported');
    assert.match(planted.output, /engine\/wire\/planted-cycle\.ts -> engine\/net\//, 'the cycle names the planted import');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
