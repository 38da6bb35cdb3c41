/**
 * What kind of media a torrent file is, and whether the built-in player (Chromium's media stack) can be
 * expected to play it. Decided by extension first; a cheap sniff of the first bytes refines it where the
 * container names its codecs early (an MP4 with its index in front); the media element's own error (or a
 * video with no picture) is the final word, so a wrong guess here never fails silently.
 */

export type MediaKind = 'video' | 'audio';

/** 'yes': Chromium plays this container with the usual codecs. 'maybe': it plays some files of this kind (MKV). 'no': it plays none. */
export type Playability = 'yes' | 'maybe' | 'no';

interface MediaType {
  kind: MediaKind;
  playable: Playability;
}

const TYPES: Readonly<Record<string, MediaType>> = {
  mp4: { kind: 'video', playable: 'yes' },
  m4v: { kind: 'video', playable: 'yes' },
  mov: { kind: 'video', playable: 'yes' },
  webm: { kind: 'video', playable: 'yes' },
  ogv: { kind: 'video', playable: 'yes' },
  // Matroska: H.264/VP9/AV1 video plays, but AC-3/E-AC-3/DTS audio (common in MKV releases) does not.
  mkv: { kind: 'video', playable: 'maybe' },
  avi: { kind: 'video', playable: 'no' },
  wmv: { kind: 'video', playable: 'no' },
  flv: { kind: 'video', playable: 'no' },
  ts: { kind: 'video', playable: 'no' },
  m2ts: { kind: 'video', playable: 'no' },
  mts: { kind: 'video', playable: 'no' },
  mpg: { kind: 'video', playable: 'no' },
  mpeg: { kind: 'video', playable: 'no' },
  vob: { kind: 'video', playable: 'no' },
  rmvb: { kind: 'video', playable: 'no' },
  mp3: { kind: 'audio', playable: 'yes' },
  m4a: { kind: 'audio', playable: 'yes' },
  aac: { kind: 'audio', playable: 'yes' },
  flac: { kind: 'audio', playable: 'yes' },
  ogg: { kind: 'audio', playable: 'yes' },
  oga: { kind: 'audio', playable: 'yes' },
  opus: { kind: 'audio', playable: 'yes' },
  wav: { kind: 'audio', playable: 'yes' },
  ac3: { kind: 'audio', playable: 'no' },
  eac3: { kind: 'audio', playable: 'no' },
  dts: { kind: 'audio', playable: 'no' },
  wma: { kind: 'audio', playable: 'no' },
};

const SUBTITLES = new Set(['srt', 'vtt']);

export function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The media type of a file by its name, or null for anything that is not audio or video. */
export function mediaTypeOf(path: string): MediaType | null {
  return TYPES[extensionOf(path)] ?? null;
}

export function isSubtitle(path: string): boolean {
  return SUBTITLES.has(extensionOf(path));
}

interface FileLike {
  index: number;
  path: string;
  length: number;
}

/**
 * The file "Play" means for a whole torrent: the largest video, else the largest audio file; null when it
 * has neither. A sample or extra next to the film is smaller, so size picks the film.
 */
export function mainMediaFile<F extends FileLike>(files: readonly F[]): F | null {
  let best: F | null = null;
  let bestRank = -1;
  for (const f of files) {
    const t = mediaTypeOf(f.path);
    if (!t) continue;
    const rank = t.kind === 'video' ? 1 : 0;
    if (rank > bestRank || (rank === bestRank && best !== null && f.length > best.length)) {
      best = f;
      bestRank = rank;
    }
  }
  return best;
}

/** The subtitle files beside a video: .srt/.vtt files in the same folder whose name starts with the video's (or every one, when the folder has one video). */
export function subtitlesFor<F extends FileLike>(files: readonly F[], video: F): F[] {
  const dir = video.path.slice(0, video.path.lastIndexOf('/') + 1);
  const stem = stemOf(baseName(video.path)).toLowerCase();
  const inDir = (f: F): boolean => f.path.startsWith(dir) && !f.path.slice(dir.length).includes('/');
  const videosInDir = files.filter((f) => inDir(f) && mediaTypeOf(f.path)?.kind === 'video').length;
  // Subtitles in a Subs/ or Subtitles/ folder beside the video are common too.
  const inSubsDir = (f: F): boolean => {
    const rest = f.path.slice(dir.length);
    return f.path.startsWith(dir) && /^(subs?|subtitles?)\/[^/]+$/i.test(rest);
  };
  return files.filter((f) => {
    if (!isSubtitle(f.path) || f.length === 0) return false;
    if (!inDir(f) && !inSubsDir(f)) return false;
    return videosInDir <= 1 || baseName(f.path).toLowerCase().startsWith(stem);
  });
}

function stemOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** A track label from a subtitle file name: "Film.en.srt" → "en", "English.srt" → "English". */
export function subtitleLabel(path: string, videoPath: string): string {
  const name = stemOf(baseName(path));
  const videoStem = stemOf(baseName(videoPath));
  if (name.toLowerCase().startsWith(videoStem.toLowerCase()) && name.length > videoStem.length) {
    const rest = name.slice(videoStem.length).replace(/^[.\s_-]+/, '');
    if (rest) return rest;
  }
  return name;
}

/** Codecs Chromium does not decode (without platform hardware support), as they are tagged in MP4/MOV sample entries and Matroska codec ids. */
const UNSUPPORTED_TAGS: readonly { tag: string; name: string }[] = [
  { tag: 'hvc1', name: 'HEVC (H.265) video' },
  { tag: 'hev1', name: 'HEVC (H.265) video' },
  { tag: 'V_MPEGH/ISO/HEVC', name: 'HEVC (H.265) video' },
  { tag: 'ac-3', name: 'AC-3 (Dolby Digital) audio' },
  { tag: 'ec-3', name: 'E-AC-3 (Dolby Digital Plus) audio' },
  { tag: 'A_AC3', name: 'AC-3 (Dolby Digital) audio' },
  { tag: 'A_EAC3', name: 'E-AC-3 (Dolby Digital Plus) audio' },
  { tag: 'A_DTS', name: 'DTS audio' },
  { tag: 'A_TRUEHD', name: 'Dolby TrueHD audio' },
];

/**
 * Codecs the built-in player cannot decode, found in the first bytes of a file (an MP4 whose index comes
 * first, or a Matroska header). Empty when none are seen, which proves nothing: the index may be at the end.
 */
export function sniffUnsupportedCodecs(head: Uint8Array): string[] {
  const found = new Set<string>();
  for (const { tag, name } of UNSUPPORTED_TAGS) if (indexOfAscii(head, tag) >= 0) found.add(name);
  return [...found];
}

function indexOfAscii(hay: Uint8Array, needle: string): number {
  const n = needle.length;
  const first = needle.charCodeAt(0);
  outer: for (let i = 0; i + n <= hay.length; i++) {
    if (hay[i] !== first) continue;
    for (let j = 1; j < n; j++) if (hay[i + j] !== needle.charCodeAt(j)) continue outer;
    return i;
  }
  return -1;
}

/** MediaError codes (HTMLMediaElement.error.code), named here so the renderer's tests need no DOM. */
export const MEDIA_ERR = { ABORTED: 1, NETWORK: 2, DECODE: 3, SRC_NOT_SUPPORTED: 4 } as const;

export type PlaybackProblem = { kind: 'unsupported'; reason: string } | { kind: 'network'; reason: string } | null;

/**
 * What a media element's error means for the user: decode and not-supported errors are a format the
 * built-in player cannot play (offer an external player); a network error is the stream itself.
 */
export function problemOfMediaError(code: number, message: string): PlaybackProblem {
  const detail = message ? ` (${message})` : '';
  if (code === MEDIA_ERR.SRC_NOT_SUPPORTED) return { kind: 'unsupported', reason: `The built-in player cannot play this format${detail}.` };
  if (code === MEDIA_ERR.DECODE) return { kind: 'unsupported', reason: `The built-in player could not decode this file${detail}.` };
  if (code === MEDIA_ERR.NETWORK) return { kind: 'network', reason: `The stream stopped${detail}. Check that the torrent is running and has peers.` };
  return null;
}
