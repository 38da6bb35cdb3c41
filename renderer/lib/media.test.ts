import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MEDIA_ERR, mainMediaFile, mediaTypeOf, problemOfMediaError, sniffUnsupportedCodecs, subtitleLabel, subtitlesFor } from './media.js';

const f = (index: number, path: string, length: number) => ({ index, path, length });

describe('media types', () => {
  it('by extension, case-insensitive', () => {
    assert.deepEqual(mediaTypeOf('a/Film.MP4'), { kind: 'video', playable: 'yes' });
    assert.deepEqual(mediaTypeOf('Film.mkv'), { kind: 'video', playable: 'maybe' });
    assert.deepEqual(mediaTypeOf('x.avi'), { kind: 'video', playable: 'no' });
    assert.deepEqual(mediaTypeOf('song.flac'), { kind: 'audio', playable: 'yes' });
    assert.equal(mediaTypeOf('readme.txt'), null);
    assert.equal(mediaTypeOf('mp4'), null, 'a bare name is not an extension');
  });

  it('the main media file is the largest video, else the largest audio file', () => {
    const files = [f(0, 'd/sample.mp4', 10), f(1, 'd/film.mkv', 1000), f(2, 'd/track.flac', 5000), f(3, 'd/film.srt', 3)];
    assert.equal(mainMediaFile(files)?.index, 1);
    assert.equal(mainMediaFile([f(0, 'a.mp3', 5), f(1, 'b.mp3', 9), f(2, 'c.txt', 99)])?.index, 1);
    assert.equal(mainMediaFile([f(0, 'c.txt', 99)]), null);
  });

  it('subtitles beside a video: same folder or a Subs folder; with several videos, those named after it', () => {
    const files = [f(0, 'd/A.mp4', 9), f(1, 'd/A.en.srt', 1), f(2, 'd/B.mp4', 9), f(3, 'd/B.srt', 1), f(4, 'd/Subs/A.fr.vtt', 1), f(5, 'e/A.srt', 1)];
    assert.deepEqual(
      subtitlesFor(files, files[0]).map((x) => x.index),
      [1, 4],
    );
    const single = [f(0, 'd/Film.mp4', 9), f(1, 'd/English.srt', 1), f(2, 'd/empty.vtt', 0)];
    assert.deepEqual(
      subtitlesFor(single, single[0]).map((x) => x.index),
      [1],
    );
    assert.equal(subtitleLabel('d/A.en.srt', 'd/A.mp4'), 'en');
    assert.equal(subtitleLabel('d/English.srt', 'd/A.mp4'), 'English');
  });

  it('sniffs codecs Chromium cannot decode from the first bytes', () => {
    const head = new TextEncoder().encode('....ftypisom....moov....stsd....hvc1....mp4a....');
    assert.deepEqual(sniffUnsupportedCodecs(head), ['HEVC (H.265) video']);
    assert.deepEqual(sniffUnsupportedCodecs(new TextEncoder().encode('ftypisom avc1 mp4a')), []);
    assert.deepEqual(sniffUnsupportedCodecs(new TextEncoder().encode('\x1aE\xdf\xa3 V_MPEG4/ISO/AVC A_EAC3')), ['E-AC-3 (Dolby Digital Plus) audio']);
  });

  it('media errors: not supported and decode errors offer another player; network errors say so', () => {
    assert.equal(problemOfMediaError(MEDIA_ERR.SRC_NOT_SUPPORTED, '')?.kind, 'unsupported');
    assert.equal(problemOfMediaError(MEDIA_ERR.DECODE, 'bad frame')?.kind, 'unsupported');
    assert.match(problemOfMediaError(MEDIA_ERR.NETWORK, '')?.reason ?? '', /stream stopped/);
    assert.equal(problemOfMediaError(MEDIA_ERR.ABORTED, ''), null);
  });
});
