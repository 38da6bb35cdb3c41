import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isExternalPlayer, playerCommandLine, shellQuote } from './external-player.js';

describe('external player', () => {
  it('quotes the URL for a POSIX shell', () => {
    assert.equal(shellQuote("a'b c"), `'a'\\''b c'`);
    assert.equal(playerCommandLine('mpv', 'http://127.0.0.1:8080/stream/abc/0/My%20Film.mkv'), "mpv 'http://127.0.0.1:8080/stream/abc/0/My%20Film.mkv'");
  });

  it('knows only vlc and mpv', () => {
    assert.ok(isExternalPlayer('vlc'));
    assert.ok(isExternalPlayer('mpv'));
    assert.ok(!isExternalPlayer('sh'));
    assert.ok(!isExternalPlayer(undefined));
  });
});
