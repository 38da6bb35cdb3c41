#!/usr/bin/env node
// `npm run bench`: builds Tessera, then runs each benchmark in bench/ (not part of npm test).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.argv[2];
const benches = ['throughput', 'swarm', 'scale', 'ui', 'profile'].filter((b) => (only ? b === only : b !== 'profile'));

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status || 1);
}

run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']);
for (const b of benches) {
  console.log(`\n== bench/${b}`);
  run(process.execPath, ['--import', 'tsx', `bench/${b}.ts`]);
}
