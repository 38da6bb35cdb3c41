#!/usr/bin/env node
// Bundles the renderer (React + zustand) with esbuild into dist/renderer/: index.html, app.js, app.css,
// and the window/tab icon.
// The same build runs in Electron and in a browser against `tessera daemon`. `--watch` rebuilds on change.
import { build, context } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/renderer`;
const watch = process.argv.includes('--watch');
const dev = watch || process.argv.includes('--dev');

mkdirSync(out, { recursive: true });
copyFileSync(`${root}renderer/index.html`, `${out}/index.html`);
copyFileSync(`${root}assets/icons/32x32.png`, `${out}/icon.png`);
const options = {
  absWorkingDir: root,
  entryPoints: { app: 'renderer/main.tsx' },
  outdir: out,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome120'],
  jsx: 'automatic',
  minify: !dev,
  sourcemap: dev ? 'inline' : true,
  define: { 'process.env.NODE_ENV': JSON.stringify(dev ? 'development' : 'production') },
  loader: { '.svg': 'dataurl', '.png': 'dataurl' },
  logLevel: 'warning',
};
if (watch) {
  const ctx = await context(options);
  await ctx.watch();
  console.log('build-renderer: watching renderer/ for changes');
} else {
  const started = performance.now();
  await build(options);
  console.log(`build-renderer: dist/renderer built in ${Math.round(performance.now() - started)} ms`);
}
