/**
 * SubRip (.srt) to WebVTT, which is what a <track> element takes. Pure: text in, text out.
 * SRT cues are "index, HH:MM:SS,mmm --> HH:MM:SS,mmm, text lines, blank line"; WebVTT wants a header,
 * dots for the milliseconds, and no "-->" inside cue text. Numbering lines are dropped (they are optional in VTT).
 */

const TIMING = /^\s*(\d{1,3}):(\d{1,2}):(\d{1,2})[,.](\d{1,3})\s*-->\s*(\d{1,3}):(\d{1,2}):(\d{1,2})[,.](\d{1,3})(.*)$/;

function stamp(h: string, m: string, s: string, ms: string): string {
  return `${h.padStart(2, '0')}:${m.padStart(2, '0')}:${s.padStart(2, '0')}.${ms.padEnd(3, '0')}`;
}

export function srtToVtt(srt: string): string {
  const text = srt.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const out: string[] = ['WEBVTT', ''];
  for (const block of text.split(/\n{2,}/)) {
    const lines = block.split('\n').filter((l, i, all) => !(i === all.length - 1 && l === ''));
    const at = lines.findIndex((l) => TIMING.test(l));
    if (at < 0) continue; // not a cue (stray text): WebVTT would reject the whole file on it
    const m = TIMING.exec(lines[at])!;
    const cue = lines.slice(at + 1).map((l) => l.replace(/-->/g, '→'));
    if (cue.every((l) => l.trim() === '')) continue;
    // VTT ends a cue at the first blank line: keep blank lines inside cue text out.
    out.push(`${stamp(m[1], m[2], m[3], m[4])} --> ${stamp(m[5], m[6], m[7], m[8])}`, ...cue.filter((l) => l.trim() !== ''), '');
  }
  return out.join('\n');
}

/** A .vtt file as the browser wants it; an SRT file converted. A VTT without its header gets one. */
export function toWebVtt(text: string, isSrt: boolean): string {
  if (isSrt) return srtToVtt(text);
  const clean = text.replace(/^\uFEFF/, '');
  return clean.startsWith('WEBVTT') ? clean : `WEBVTT\n\n${clean}`;
}
