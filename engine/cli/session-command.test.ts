import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Settings } from '../api/types.js';
import { networkOptions } from './args.js';
import { CliFailure } from './failure.js';
import { SessionCommand } from './session-command.js';

test('SessionCommand: the flags become settings, a failed reply is a CliFailure, the stop signal interrupts, close closes', async () => {
  const root = mkdtempSync(join(tmpdir(), 'tessera-session-command-'));
  let stop: () => void = () => {};
  const stopSignal = new Promise<void>((r) => (stop = r));
  const network = networkOptions({ 'no-dht': true, 'no-lsd': true, 'no-port-mapping': true, 'upload-limit': '50000', encryption: 'require', 'no-utp': true });
  const command = await SessionCommand.open({ dataDir: join(root, 'state'), downloadDir: join(root, 'dl'), listenPort: 0, network, onEvent: () => {}, verbose: false, stopSignal });
  try {
    await command.send({ type: 'snapshot' });
    await command.applySettings();
    const settings = await command.send<Settings>({ type: 'getSettings' });
    assert.equal(settings.uploadLimit, 50_000);
    assert.equal(settings.encryption, 'require');
    assert.equal(settings.utp, false);
    assert.equal(settings.downloadDir, join(root, 'dl'));
    assert.equal(settings.maxActiveDownloads, 10_000);
    await assert.rejects(command.send({ type: 'pause', ids: ['ab'.repeat(20)] }), (err: Error) => err instanceof CliFailure && err.message.length > 0);
    assert.equal(command.interrupted, false);
    stop();
    await command.stopped;
    assert.equal(command.interrupted, true);
  } finally {
    await command.close();
    rmSync(root, { recursive: true, force: true });
  }
});
