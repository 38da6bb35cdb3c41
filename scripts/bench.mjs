#!/usr/bin/env node
// `npm run bench`: builds Tessera, then runs each benchmark in bench/ (not part of npm test).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.argv[2];
/** Run only when named: profile (a tool, not a comparison), utp (its uTP seeder makes it slow on a busy machine) and stream (rate-limited: minutes). */
const ON_REQUEST = ['profile', 'utp', 'stream'];
const benches = ['throughput', 'seed', 'swarm', 'scale', 'ui', 'profile', 'utp', 'stream'].filter((b) => (only ? b === only : !ON_REQUEST.includes(b)));

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status || 1);
}

run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']);
for (const b of benches) {
  console.log(`\n== bench/${b}`);
  run(process.execPath, ['--import', 'tsx', `bench/${b}.ts`]);
}
