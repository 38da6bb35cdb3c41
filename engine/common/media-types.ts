/** MIME types of streamed files, by extension, and which files are media a player reads from both ends. */

const TYPES: Readonly<Record<string, string>> = {
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
  mkv: 'video/x-matroska',
  avi: 'video/x-msvideo',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  flac: 'audio/flac',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  wav: 'audio/wav',
  vtt: 'text/vtt',
  srt: 'application/x-subrip',
};

const MEDIA = new Set(['mp4', 'm4v', 'mov', 'mkv', 'webm', 'avi', 'mp3', 'm4a', 'flac', 'ogg', 'opus', 'wav']);

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/** The Content-Type of a file named `name`; application/octet-stream when the extension is not known. */
export function contentTypeOf(name: string): string {
  return TYPES[extensionOf(name)] ?? 'application/octet-stream';
}

/** Audio or video by extension: containers keep their index at the start or the end, so both are fetched early. */
export function isMediaFile(name: string): boolean {
  return MEDIA.has(extensionOf(name));
}
