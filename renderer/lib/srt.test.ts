import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { srtToVtt, toWebVtt } from './srt.js';

describe('srtToVtt', () => {
  it('converts cues: header, dotted milliseconds, no numbering lines', () => {
    const srt = '1\r\n00:00:01,000 --> 00:00:02,500\r\nHello\r\n\r\n2\r\n00:00:03,000 --> 00:00:04,000\r\nTwo\r\nlines\r\n';
    assert.equal(srtToVtt(srt), 'WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nHello\n\n00:00:03.000 --> 00:00:04.000\nTwo\nlines\n');
  });

  it('pads short fields, drops a BOM, keeps formatting tags, and skips blocks that are not cues', () => {
    const srt = '\uFEFFjunk line\n\n7\n0:0:5,5 --> 0:01:06,25\n<i>Hi</i> a --> b\n\n\n8\n00:00:07,000 --> 00:00:08,000\n\n';
    assert.equal(srtToVtt(srt), 'WEBVTT\n\n00:00:05.500 --> 00:01:06.250\n<i>Hi</i> a → b\n');
  });

  it('an empty or cue-less file still gives a valid (empty) WebVTT', () => {
    assert.equal(srtToVtt(''), 'WEBVTT\n');
    assert.equal(srtToVtt('no cues here'), 'WEBVTT\n');
  });

  it('toWebVtt passes VTT through, adding a missing header', () => {
    assert.equal(toWebVtt('WEBVTT\n\n00:01.000 --> 00:02.000\nx\n', false), 'WEBVTT\n\n00:01.000 --> 00:02.000\nx\n');
    assert.equal(toWebVtt('00:01.000 --> 00:02.000\nx\n', false), 'WEBVTT\n\n00:01.000 --> 00:02.000\nx\n');
    assert.match(toWebVtt('1\n00:00:01,000 --> 00:00:02,000\nx\n', true), /^WEBVTT\n\n00:00:01\.000 --> 00:00:02\.000\nx\n$/);
  });
});
