import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { InputError } from '../common/errors.js';
import { describeFsError } from '../storage/fs-errors.js';

/**
 * Makes sure `dir` (an absolute --out folder) exists and can be written, before anything is created inside it;
 * otherwise a clear one-line InputError about `dir` itself, not about an internal folder the first write names.
 */
export function prepareOutDir(dir: string, option = '--out'): void {
  try {
    const stat = statSync(dir, { throwIfNoEntry: false });
    if (!stat) mkdirSync(dir, { recursive: true });
    else if (!stat.isDirectory()) fileGiven(dir, option);
    accessSync(dir, constants.W_OK);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${option}: ${describeFsError(err, dir)}`);
  }
}

function fileGiven(dir: string, option: string): never {
  throw new InputError(`${option} ${dir} is a file, not a folder`);
}
