import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRequest } from './validate.js';

function error(command: unknown): string {
  const r = parseRequest({ kind: 'request', requestId: 1, command });
  assert.equal(r.ok, false);
  return r.ok ? '' : r.error.message;
}

const RULE = { id: 'r1', name: 'Show', enabled: true, mustContain: 'show', mustNotContain: '', useRegex: false, episodeFilter: '', smartFilter: true, feedIds: [], savePath: null, category: null, addPaused: false };

test('rss commands: bad fields are named', () => {
  assert.equal(error({ type: 'rssAddFeed', url: 'ftp://x/feed' }), 'command.url must be an http:// or https:// URL of a feed');
  assert.equal(error({ type: 'rssAddFeed', url: 'http://x/feed', intervalMinutes: 1 }), 'command.intervalMinutes must be an integer from 5 to 10080');
  assert.equal(error({ type: 'rssRemoveFeed', feedId: 'nope' }), 'command.feedId must be a feed id (16 hex characters, from rssList)');
  assert.match(error({ type: 'rssRefresh', feedIds: [] }), /^command.feedIds /);
  assert.match(error({ type: 'rssSetRules', rules: [RULE, RULE] }), /^command.rules\[1\].id repeats an earlier rule id$/);
  assert.match(error({ type: 'rssSetRules', rules: [{ ...RULE, savePath: 'relative/dir' }] }), /^command.rules\[0\].savePath /);
  assert.match(error({ type: 'rssSetRules', rules: [{ ...RULE, extra: 1 }] }), /^command.rules\[0\].extra is not a known field$/);
  assert.match(error({ type: 'rssSetRules', rules: [{ ...RULE, mustContain: 'x'.repeat(300) }] }), /at most 256 characters/);
  assert.match(error({ type: 'rssDownload', feedId: '0123456789abcdef', itemId: '' }), /command.itemId must not be empty/);
});
