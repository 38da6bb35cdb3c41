/** The doctor's answer in the protocol (the `diagnose` command); re-exported by types.ts. */

/**
 * The doctor (issue 17): one reason a torrent is not at full speed. `code` is stable (tests, UIs pick icons by
 * it); `message` is for people; `numbers` carries the figures the message quotes (peers, bytes, limits), so a UI
 * can format them its own way.
 */
export interface DiagnosisReason {
  code: DiagnosisCode;
  /** 'blocking': nothing can download until it changes; 'limiting': it downloads, slower than it could; 'info': worth knowing. */
  severity: 'blocking' | 'limiting' | 'info';
  /** A few words for the Status column ("all 12 peers choking us"). */
  short: string;
  message: string;
  numbers: Record<string, number>;
  /** The one thing a user can do about it, when there is one. */
  action: DiagnosisAction | null;
}

export type DiagnosisCode =
  | 'error'
  | 'paused'
  | 'goalReached'
  | 'checking'
  | 'metadata'
  | 'queued'
  | 'noTrackers'
  | 'noPeers'
  | 'encryptionRefused'
  | 'allChoking'
  | 'availability'
  | 'globalLimit'
  | 'altLimit'
  | 'torrentLimit'
  | 'diskBusy'
  | 'portUnreachable'
  | 'complete';

/**
 * What the action button does. 'raiseLimit' opens the dialog where the limit is set (`dialog`); the others are
 * commands: forceStart, resume, setTorrentOptions (ignoreGoal clears the goal; addTrackers opens the tracker
 * editor with a list to paste), setSettings ({ encryption: 'prefer' }).
 */
export interface DiagnosisAction {
  kind: 'raiseLimit' | 'forceStart' | 'resume' | 'ignoreGoal' | 'addTrackers' | 'allowUnencrypted';
  label: string;
  /** For raiseLimit: which dialog holds the limit. */
  dialog?: 'settings' | 'torrentOptions';
}
