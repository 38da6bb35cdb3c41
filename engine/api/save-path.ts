/**
 * Save paths (add's savePath, moveStorage, the download folder): the one place that says what an
 * acceptable folder path looks like, shared by the protocol's validators, the engine's checkPath and
 * the UI's folder fields. Pure: no Node APIs, so the renderer can import it.
 */

/** Absolute on POSIX ("/data") or Windows ("C:\\data", "\\\\server\\share"). */
export function isAbsoluteSavePath(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\');
}

/** Why `path` cannot be a save path, in words naming the folder and what to do; null when its form is fine. */
export function savePathProblem(path: string): string | null {
  if (path.trim() === '') return 'Choose a folder: the path is empty.';
  if (path.includes('\0')) return 'The folder path contains a NUL character; type it again.';
  if (!isAbsoluteSavePath(path)) return `"${path}" is a relative path; give the full path from the root (for example /home/you/Downloads).`;
  return null;
}
