import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { PathCheck } from '../api/types.js';
import { savePathProblem } from '../api/save-path.js';

/**
 * Whether downloads can go to `path` on this machine: an absolute path to a writable folder, or to
 * one that can be created (its nearest existing parent is a writable folder). The answer names the
 * folder and what to do, for the Add dialog, Set location and Settings.
 */
export async function checkSavePath(path: string): Promise<PathCheck> {
  const formProblem = savePathProblem(path);
  if (formProblem) return { path, ok: false, exists: false, problem: formProblem };
  const info = await stat(path).catch(() => null);
  if (info) {
    if (!info.isDirectory()) return { path, ok: false, exists: true, problem: `"${path}" is a file, not a folder; choose a folder.` };
    if (!(await writable(path))) return { path, ok: false, exists: true, problem: `Tessera cannot write to "${path}"; choose another folder or give it write permission.` };
    return { path, ok: true, exists: true, problem: null };
  }
  let parent = dirname(path);
  for (let up = 0; up < 64; up++) {
    const p = await stat(parent).catch(() => null);
    if (p) {
      if (!p.isDirectory()) return { path, ok: false, exists: false, problem: `"${parent}" is a file, so "${path}" cannot be created; choose another folder.` };
      if (!(await writable(parent))) return { path, ok: false, exists: false, problem: `"${path}" does not exist and cannot be created: "${parent}" is not writable. Create it yourself or choose another folder.` };
      return { path, ok: true, exists: false, problem: null };
    }
    const next = dirname(parent);
    if (next === parent) break;
    parent = next;
  }
  return { path, ok: false, exists: false, problem: `"${path}" cannot be created: none of its parent folders exists. Choose another folder.` };
}

async function writable(dir: string): Promise<boolean> {
  return access(dir, constants.W_OK | constants.X_OK).then(
    () => true,
    () => false,
  );
}
