import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Free space where downloads go: of `dir`, or of the nearest folder above it that exists yet; 0 when none can be read. */
export async function freeDiskBytes(dir: string): Promise<number> {
  for (;;) {
    try {
      const st = await statfs(dir);
      return st.bavail * st.bsize;
    } catch {
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  return 0;
}
