#!/usr/bin/env node
// The `tessera` command. Runs the compiled CLI when `npm run build` has produced it, otherwise the
// TypeScript source through tsx (install scripts are off in this repo, so `npm install` does not build).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('../dist/engine/cli/main.js', import.meta.url);
let main;
if (existsSync(fileURLToPath(compiled))) {
  ({ main } = await import(compiled.href));
} else {
  try {
    const { register } = await import('tsx/esm/api');
    register();
  } catch {
    process.stderr.write('tessera: not built and tsx is missing; run "npm install" then "npm run build" in the Tessera folder\n');
    process.exit(1);
  }
  ({ main } = await import(new URL('../engine/cli/main.ts', import.meta.url).href));
}
process.exitCode = await main(process.argv.slice(2));
// Sockets and timers are closed by then; this only guards against a stray handle keeping the process alive.
setTimeout(() => process.exit(), 1000).unref();
