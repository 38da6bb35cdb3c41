import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OriginPolicy, isLoopbackHost } from './origin.js';
import { generateToken, tokenMatches, TOKEN_RE } from './token.js';

test('loopback names', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1']) assert.ok(isLoopbackHost(h), h);
  for (const h of ['0.0.0.0', '::', '192.168.1.2', '10.0.0.1', 'example.com', '128.0.0.1', 'localhost.evil.example']) assert.ok(!isLoopbackHost(h), h);
});

test('a loopback bind: its own origins under every loopback name, nothing else; Host must be a loopback name', () => {
  const p = new OriginPolicy('127.0.0.1', 9080);
  const host = '127.0.0.1:9080';
  for (const o of [undefined, 'http://127.0.0.1:9080', 'http://localhost:9080', 'http://[::1]:9080', 'http://LOCALHOST:9080']) assert.ok(p.originAllowed(o, host), String(o));
  for (const o of ['http://127.0.0.1:9081', 'http://evil.example:9080', 'https://evil.example', 'null', 'file://', 'http://127.0.0.1:9080/path', 'chrome-extension://abc', 'http://127.0.0.1.evil.example:9080', 'garbage'])
    assert.ok(!p.originAllowed(o, host), o);
  for (const h of ['127.0.0.1:9080', 'localhost:9080', '[::1]:9080']) assert.ok(p.hostAllowed(h), h);
  for (const h of [undefined, 'evil.example:9080', '127.0.0.1:9081', '127.0.0.1', '192.168.1.2:9080']) assert.ok(!p.hostAllowed(h), String(h));
});

test('a non-loopback bind (--allow-remote): any Host, and the Origin must match it', () => {
  const p = new OriginPolicy('0.0.0.0', 9080);
  assert.ok(p.hostAllowed('mybox.lan:9080'));
  assert.ok(p.originAllowed('http://mybox.lan:9080', 'mybox.lan:9080'));
  assert.ok(!p.originAllowed('http://evil.example:9080', 'mybox.lan:9080'));
  assert.ok(!p.originAllowed('http://mybox.lan:9080', undefined));
});

test('tokens: 256 random bits, URL-safe; compared whole', () => {
  const t = generateToken();
  assert.match(t, TOKEN_RE);
  assert.equal(t.length, 43);
  assert.notEqual(generateToken(), t);
  for (let i = 0; i < 2000; i++) assert.ok(!generateToken().startsWith('-'), 'a token never looks like an option');
  assert.ok(tokenMatches(t, t));
  for (const wrong of [null, '', t.slice(0, -1), `${t}x`, t.toUpperCase() === t ? t.toLowerCase() : t.toUpperCase()]) assert.ok(!tokenMatches(wrong, t), String(wrong));
});
