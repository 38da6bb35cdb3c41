#!/usr/bin/env node
// `npm test`: ensure prerequisites, type-check, then run every suite with Node's test runner.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findTests(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out.sort();
}

function run(label, cmd, cmdArgs, env = {}) {
  console.log(`\n== ${label}`);
  // No test maps ports on the host's router (the lab's portmap suite turns it on inside its namespaces).
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', env: { TESSERA_PORT_MAPPING: '0', ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`tessera test: ${label} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

if (!only || only === 'interop' || only === 'lab' || only === 'e2e') run('prerequisites', process.execPath, ['scripts/prereqs.mjs']);
// The architecture's import rules (dependency-cruiser) and no folder cycles: `npm run lint`.
run('lint (import rules)', process.execPath, ['scripts/lint.mjs']);
// One tsc project per side of the architecture's boundaries (engine, renderer, renderer tests, electron).
for (const project of readdirSync(root).filter((f) => /^tsconfig(\.[\w-]+)?\.json$/.test(f)).sort()) {
  run(`typecheck (${project})`, process.execPath, ['node_modules/typescript/bin/tsc', '-p', project, '--noEmit']);
}

const all = ['engine', 'renderer', 'electron'].filter((d) => existsSync(join(root, d))).flatMap((d) => findTests(join(root, d)));
const interop = all.filter((f) => f.includes('/test/interop/'));
const lab = all.filter((f) => f.includes('/test/lab/'));
const unit = all.filter((f) => !interop.includes(f) && !lab.includes(f));

const testArgs = (files, concurrency) => ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, ...files];
if (!only || only === 'unit') run('unit tests', process.execPath, testArgs(unit, 2));
if (!only || only === 'conformance') run('conformance corpus', process.execPath, ['--import', 'tsx', 'engine/conformance/run.ts']);
// Interop suites start real clients that compete for the 2 cores: run them one file at a time.
if ((!only || only === 'interop') && interop.length) run('interop tests (real clients on loopback)', process.execPath, testArgs(interop, 1));
// Network lab (engine/testing/lab): namespaces, shaped links, NAT routers. Needs root; without it each suite fails
// with one clear message instead of being skipped. One file at a time: they measure rates and delays.
if ((!only || only === 'lab') && lab.length) run('network lab tests (namespaces, shaped links, NAT)', process.execPath, testArgs(lab, 1));
// The UI in real Chromium against `tessera daemon` (and in Electron where its binary exists; the config
// says clearly when it does not). The renderer and the desktop bundle are built first: that is what runs.
if (!only || only === 'e2e') {
  run('build (renderer and desktop bundles)', process.execPath, ['scripts/build-renderer.mjs']);
  run('build (electron bundle)', process.execPath, ['scripts/build-electron.mjs']);
  run('end-to-end tests (Playwright, real Chromium)', process.execPath, ['node_modules/@playwright/test/cli.js', 'test', '-c', 'e2e/playwright.config.ts']);
}
