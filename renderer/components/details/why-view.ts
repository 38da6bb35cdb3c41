/**
 * What the Why? tab's action buttons do: each DiagnosisAction becomes one engine command or one dialog.
 * Pure, so the mapping is tested without a DOM.
 */
import type { Command, DiagnosisAction, TorrentId } from '../../../engine/api/types.js';
import type { DialogState } from '../../store/ui-slice.js';

export type WhyStep = { kind: 'command'; command: Command; done: string } | { kind: 'dialog'; dialog: DialogState };

export function whyStep(action: DiagnosisAction, id: TorrentId, tiers: string[][]): WhyStep {
  switch (action.kind) {
    case 'raiseLimit':
      return { kind: 'dialog', dialog: action.dialog === 'torrentOptions' ? { kind: 'limits', ids: [id] } : { kind: 'settings' } };
    case 'forceStart':
      return { kind: 'command', command: { type: 'forceStart', ids: [id], enabled: true }, done: 'Force started' };
    case 'resume':
      return { kind: 'command', command: { type: 'resume', ids: [id] }, done: 'Resumed' };
    case 'ignoreGoal':
      // The goal dialog raises the goal or seeds on without one.
      return { kind: 'dialog', dialog: { kind: 'goal', id } };
    case 'addTrackers':
      // The tracker editor takes a pasted list, one URL a line.
      return { kind: 'dialog', dialog: { kind: 'trackers', id, tiers } };
    case 'allowUnencrypted':
      return { kind: 'command', command: { type: 'setSettings', settings: { encryption: 'prefer' } }, done: 'Unencrypted peers allowed (encryption: prefer)' };
  }
}

export const SEVERITY_LABELS = { blocking: 'Blocks downloading', limiting: 'Slows it down', info: 'Worth knowing' } as const;
