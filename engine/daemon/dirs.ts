import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the daemon keeps settings and resume data unless --data-dir says otherwise. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Tessera', 'daemon');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Tessera', 'daemon');
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'tessera', 'daemon');
}

/** Where downloads go unless --download-dir or the settings say otherwise. */
export function defaultDownloadDir(): string {
  return join(homedir(), 'Downloads');
}
