import type { WatchFolder } from '../api/types.js';
import { checkSavePath } from './check-path.js';

/**
 * Why these watch folders cannot be used, naming the setting and what to do; null when each one is
 * a folder that exists or can be created, and Tessera can write in it (to rename or delete handled files).
 */
export async function watchFolderProblem(folders: readonly WatchFolder[]): Promise<string | null> {
  for (let i = 0; i < folders.length; i++) {
    const check = await checkSavePath(folders[i].path);
    if (!check.ok) return `settings.watchFolders[${i}].path: ${check.problem ?? 'cannot be used'}`;
  }
  return null;
}
