#!/usr/bin/env node
// Rasterises assets/icon.svg and assets/tray.svg with headless Chromium (Debian's /usr/bin/chromium via
// playwright-core) and packs the PNGs into assets/icon.ico and assets/icon.icns with the small encoders
// below. The outputs are committed; run this again only when the SVGs change.
import { chromium } from '@playwright/test';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const assets = join(root, 'assets');
export const APP_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
const TRAY_SIZES = [16, 32];
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
// ICNS entry types holding PNG data, by pixel size (the @2x variants reuse the larger PNG).
const ICNS_TYPES = [
  ['icp4', 16], ['icp5', 32], ['icp6', 64], ['ic07', 128], ['ic08', 256], ['ic09', 512], ['ic10', 1024],
  ['ic11', 32], ['ic12', 64], ['ic13', 256], ['ic14', 512],
];

/** ICO: a directory of PNG-compressed images (Vista and later read PNG entries; 256 is written as 0). */
export function encodeIco(images) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  const dir = Buffer.alloc(16 * images.length);
  let offset = header.length + dir.length;
  images.forEach(({ size, png }, i) => {
    const e = i * 16;
    dir.writeUInt8(size >= 256 ? 0 : size, e);
    dir.writeUInt8(size >= 256 ? 0 : size, e + 1);
    dir.writeUInt8(0, e + 2);
    dir.writeUInt8(0, e + 3);
    dir.writeUInt16LE(1, e + 4);
    dir.writeUInt16LE(32, e + 6);
    dir.writeUInt32LE(png.length, e + 8);
    dir.writeUInt32LE(offset, e + 12);
    offset += png.length;
  });
  return Buffer.concat([header, dir, ...images.map((i) => i.png)]);
}

/** ICNS: 'icns' + total length, then (type, length including the 8-byte header, PNG data) entries. */
export function encodeIcns(entries) {
  const parts = entries.map(({ type, png }) => {
    const h = Buffer.alloc(8);
    h.write(type, 0, 'ascii');
    h.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([h, png]);
  });
  const body = Buffer.concat(parts);
  const h = Buffer.alloc(8);
  h.write('icns', 0, 'ascii');
  h.writeUInt32BE(body.length + 8, 4);
  return Buffer.concat([h, body]);
}

async function rasterise(page, svg, size) {
  await page.setViewportSize({ width: size, height: size });
  const html = `<!doctype html><html><body style="margin:0;background:transparent">` +
    svg.replace(/<svg /, `<svg style="display:block;width:${size}px;height:${size}px" `) + `</body></html>`;
  await page.setContent(html);
  return page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
}

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    const page = await browser.newPage({ deviceScaleFactor: 1 });
    const appSvg = readFileSync(join(assets, 'icon.svg'), 'utf8');
    const traySvg = readFileSync(join(assets, 'tray.svg'), 'utf8');
    const png = new Map();
    mkdirSync(join(assets, 'icons'), { recursive: true });
    mkdirSync(join(assets, 'tray'), { recursive: true });
    for (const size of APP_SIZES) {
      const buf = await rasterise(page, appSvg, size);
      png.set(size, buf);
      // electron-builder's Linux icon set: the size must be in the file name.
      writeFileSync(join(assets, 'icons', `${size}x${size}.png`), buf);
    }
    for (const size of TRAY_SIZES) writeFileSync(join(assets, 'tray', `tray-${size}.png`), await rasterise(page, traySvg, size));
    writeFileSync(join(assets, 'icon.png'), png.get(1024));
    writeFileSync(join(assets, 'icon.ico'), encodeIco(ICO_SIZES.map((size) => ({ size, png: png.get(size) }))));
    writeFileSync(join(assets, 'icon.icns'), encodeIcns(ICNS_TYPES.map(([type, size]) => ({ type, png: png.get(size) }))));
    console.log(`make-icons: wrote ${APP_SIZES.length} app PNGs, ${TRAY_SIZES.length} tray PNGs, icon.ico and icon.icns in ${assets}`);
  } finally {
    await browser.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
