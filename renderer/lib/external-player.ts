/**
 * Opening a stream in VLC or mpv: the players we offer, and the command line to paste in a terminal
 * (web mode, where the page cannot start programs).
 */

export const EXTERNAL_PLAYERS = ['vlc', 'mpv'] as const;
export type ExternalPlayer = (typeof EXTERNAL_PLAYERS)[number];

export function isExternalPlayer(v: unknown): v is ExternalPlayer {
  return typeof v === 'string' && (EXTERNAL_PLAYERS as readonly string[]).includes(v);
}

/** POSIX shell quoting: the URL in single quotes, any single quote closed, escaped and reopened. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function playerCommandLine(player: ExternalPlayer, url: string): string {
  return `${player} ${shellQuote(url)}`;
}
