import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommand } from '../../../engine/api/validate-command.js';
import { whyStep } from './why-view.js';

const ID = 'ab'.repeat(20);

test('each doctor action becomes a valid engine command or the dialog where it is done', () => {
  assert.deepEqual(whyStep({ kind: 'raiseLimit', label: 'Raise limit', dialog: 'settings' }, ID, []), { kind: 'dialog', dialog: { kind: 'settings' } });
  assert.deepEqual(whyStep({ kind: 'raiseLimit', label: 'Raise limit', dialog: 'torrentOptions' }, ID, []), { kind: 'dialog', dialog: { kind: 'limits', ids: [ID] } });
  assert.deepEqual(whyStep({ kind: 'ignoreGoal', label: 'x' }, ID, []), { kind: 'dialog', dialog: { kind: 'goal', id: ID } });
  assert.deepEqual(whyStep({ kind: 'addTrackers', label: 'x' }, ID, [['http://a/announce']]), { kind: 'dialog', dialog: { kind: 'trackers', id: ID, tiers: [['http://a/announce']] } });
  for (const kind of ['forceStart', 'resume', 'allowUnencrypted'] as const) {
    const step = whyStep({ kind, label: 'x' }, ID, []);
    assert.equal(step.kind, 'command', kind);
    // What the button sends passes the engine's own validation.
    if (step.kind === 'command') assert.deepEqual(parseCommand(step.command, 'command'), step.command);
  }
});
