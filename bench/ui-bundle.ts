/**
 * Bundles the UI benchmark's page (bench/ui-page.tsx) of a source tree into a folder with an index.html:
 * shared by `npm run bench ui` and bench/ui-compare.ts, which bundles an older commit's tree the same way.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

/** Bundles `<sourceRoot>/bench/ui-page.tsx` into `outDir`; returns the page's file URL. */
export async function bundleUiPage(sourceRoot: string, outDir: string): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  await build({
    absWorkingDir: sourceRoot,
    entryPoints: { page: 'bench/ui-page.tsx' },
    outdir: outDir,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome120'],
    jsx: 'automatic',
    minify: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    loader: { '.svg': 'dataurl', '.png': 'dataurl' },
    logLevel: 'warning',
  });
  // The list gets the top of a 1280×1000 window and the details pane the bottom 320 px, like the app's split.
  writeFileSync(
    `${outDir}/index.html`,
    `<!doctype html><html lang="en" data-theme="light"><head><meta charset="utf-8"><title>Tessera UI bench</title>
<link rel="stylesheet" href="page.css"><style>
html, body { margin: 0; height: 100%; overflow: hidden; }
#root { position: absolute; inset: 0 0 320px 0; overflow: hidden; }
#root .app { height: 100% !important; }
#details { position: absolute; left: 0; right: 0; bottom: 0; height: 320px; border-top: 1px solid #ccc; }
</style></head><body><div id="root"></div><div id="details"></div><script src="page.js"></script></body></html>`,
  );
  return pathToFileURL(`${outDir}/index.html`).href;
}
