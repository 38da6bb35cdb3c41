#!/usr/bin/env node
// The `tessera` command: runs the compiled CLI (built by `npm install` through the prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('../dist/engine/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(compiled))) {
  process.stderr.write('tessera: the CLI is not built yet; run "npm install" (or "npm run build") in the Tessera folder first\n');
  process.exit(1);
}
const { main } = await import(compiled.href);
process.exitCode = await main(process.argv.slice(2));
// Sockets and timers are closed by then; this only guards against a stray handle keeping the process alive.
setTimeout(() => process.exit(), 1000).unref();
