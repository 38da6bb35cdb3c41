#!/usr/bin/env node
// `npm run lint`: the architecture's import rules (.dependency-cruiser.cjs, checked by dependency-cruiser, which
// resolves imports as TypeScript does) and one rule it cannot express: no import cycles between folders
// (engine/<folder>, renderer, electron), type-only imports included. Exits 1 with one line per violation.
//   node scripts/lint.mjs [--root DIR]   (DIR defaults to this repository; the boundaries test lints a planted copy)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = resolve(fileURLToPath(new URL('..', import.meta.url)));
const args = process.argv.slice(2);
const root = args.includes('--root') ? resolve(args[args.indexOf('--root') + 1]) : here;
const cli = join(here, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
if (!existsSync(cli)) {
  console.error('lint: dependency-cruiser is not installed; run "npm install" first');
  process.exit(2);
}

const targets = ['engine', 'renderer', 'electron'].filter((d) => existsSync(join(root, d)));
const run = spawnSync(process.execPath, [cli, ...targets, '--config', join(root, '.dependency-cruiser.cjs'), '--output-type', 'json'], {
  cwd: root,
  encoding: 'utf8',
  maxBuffer: 256 * 1024 * 1024,
});
let result;
try {
  result = JSON.parse(run.stdout);
} catch {
  console.error(`lint: dependency-cruiser failed (exit ${run.status}):\n${run.stderr || run.stdout}`);
  process.exit(2);
}

const problems = result.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);

// Folder-level cycles. A test file may sit beside what it tests and import anything, so tests are left out.
const TEST = /(\.test\.tsx?$|(^|\/)test-[^/]+\.tsx?$|^engine\/(test|testing)\/|\.d\.ts$)/;
const folderOf = (path) => {
  const parts = path.split('/');
  if (parts[0] === 'engine') return parts.length > 2 ? `engine/${parts[1]}` : null;
  return parts[0] === 'renderer' || parts[0] === 'electron' ? parts[0] : null;
};
const edges = new Map(); // folder -> Map(folder -> example "a.ts -> b.ts")
for (const mod of result.modules) {
  const from = folderOf(mod.source);
  if (!from || TEST.test(mod.source)) continue;
  for (const dep of mod.dependencies) {
    const to = dep.couldNotResolve || dep.coreModule ? null : folderOf(dep.resolved);
    if (!to || to === from) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    if (!edges.get(from).has(to)) edges.get(from).set(to, `${mod.source} -> ${dep.resolved}`);
  }
}
// Tarjan's strongly connected components: every component of more than one folder is a cycle.
let index = 0;
const stack = [];
const info = new Map();
const components = [];
function visit(v) {
  info.set(v, { index, low: index, onStack: true });
  index++;
  stack.push(v);
  for (const w of edges.get(v)?.keys() ?? []) {
    if (!info.has(w)) {
      visit(w);
      info.get(v).low = Math.min(info.get(v).low, info.get(w).low);
    } else if (info.get(w).onStack) info.get(v).low = Math.min(info.get(v).low, info.get(w).index);
  }
  if (info.get(v).low === info.get(v).index) {
    const comp = [];
    let w;
    do {
      w = stack.pop();
      info.get(w).onStack = false;
      comp.push(w);
    } while (w !== v);
    if (comp.length > 1) components.push(comp.sort());
  }
}
for (const v of edges.keys()) if (!info.has(v)) visit(v);
for (const comp of components) {
  const inside = new Set(comp);
  const links = comp.flatMap((a) => [...(edges.get(a) ?? [])].filter(([b]) => inside.has(b)).map(([, example]) => `    ${example}`));
  problems.push(`folder-cycle: ${comp.join(' <-> ')}\n${links.join('\n')}`);
}

const modules = result.summary.totalCruised;
if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`lint: ${problems.length} violation(s) of the architecture's import rules in ${modules} modules (see .dependency-cruiser.cjs and ../shared/ARCHITECTURE.md)`);
  process.exit(1);
}
console.log(`lint: ${modules} modules, ${result.summary.totalDependenciesCruised} imports: no violations, no folder cycles`);
