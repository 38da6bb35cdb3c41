/**
 * Starts VLC or mpv on a stream URL, detached, so the player outlives nothing of ours and needs no
 * waiting. The URL was validated by main (ipc.ts validatePlayerRequest); it goes as one argument, no shell.
 */
import { spawn } from 'node:child_process';
import type { ExternalPlayerName } from './ipc.js';

const LABEL: Readonly<Record<ExternalPlayerName, string>> = { vlc: 'VLC', mpv: 'mpv' };

export function launchPlayer(player: ExternalPlayerName, url: string): Promise<string | null> {
  return new Promise((resolve) => {
    // `--` ends the options: the URL can never be read as one.
    const child = spawn(player, ['--', url], { detached: true, stdio: 'ignore' });
    child.once('error', (e: NodeJS.ErrnoException) => {
      resolve(e.code === 'ENOENT' ? `${LABEL[player]} is not installed (no "${player}" on the PATH). Install it, or copy the stream URL into another player.` : `${LABEL[player]} could not be started: ${e.message}`);
    });
    child.once('spawn', () => {
      child.unref();
      resolve(null);
    });
  });
}
