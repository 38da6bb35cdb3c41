import type { Metainfo } from '../metainfo/index.js';
import type { WebSeedOptions } from '../peer/web-seed.js';
import type { WebSeedSource } from '../peer/web-seeds.js';

/** The metainfo's web seeds (BEP 19 url-list) and its file layout as web seeds serve it. */
export function webSeedSource(meta: Metainfo, options?: WebSeedOptions): WebSeedSource | undefined {
  if (meta.urlList.length === 0) return undefined;
  const files = meta.files.map((f) => ({ path: f.path, rawPath: f.rawPath, length: f.length, offset: f.offset, padding: f.padding }));
  return { urls: meta.urlList, layout: { files, multiFile: meta.multiFile }, options };
}
