import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { startProcess, type ProcessHandle } from '../../testing/index.js';

const repo = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

/**
 * Bundles the `tessera` CLI into one ES module under `dir` (as scripts/build-electron.mjs bundles the engine worker)
 * and returns its path. Tests that measure the process's memory run this with plain node: the tsx loader that
 * `startTessera` runs through adds about 40 MiB of compiler and loader that no user's process holds.
 */
export async function bundleTessera(dir: string): Promise<string> {
  const outfile = join(dir, 'tessera-cli.mjs');
  await build({
    entryPoints: [join(repo, 'engine', 'cli', 'tessera.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    absWorkingDir: repo,
    // Bundled CommonJS dependencies may call require(); give the ES module one.
    banner: { js: "import { createRequire as __tesseraCreateRequire } from 'node:module'; const require = __tesseraCreateRequire(import.meta.url);" },
  });
  return outfile;
}

/** Runs a bundled CLI (see bundleTessera) as a child process in its own process group; a download stays off DHT and LSD. */
export function startTesseraBundle(bundle: string, args: readonly string[], workDir: string, name: string): ProcessHandle {
  const safe = args[0] === 'download' ? [...args, '--no-dht', '--no-lsd'] : args;
  return startProcess(process.execPath, [bundle, ...safe], { cwd: workDir, logFile: join(workDir, `${name}.log`), name, killAfterMs: 5000 });
}
