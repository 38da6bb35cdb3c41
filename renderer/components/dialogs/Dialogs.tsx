/** Shows the dialog the store says is open. */
import type { ReactNode } from 'react';
import { useTessera } from '../../store/context.js';
import { LimitsDialog } from './LimitsDialog.js';
import { MagnetDialog } from './MagnetDialog.js';
import { PathDialog } from './PathDialog.js';
import { RemoveDialog } from './RemoveDialog.js';
import { SettingsDialog } from './SettingsDialog.js';
import { LocationDialog } from './LocationDialog.js';
import { RecheckDialog } from './RecheckDialog.js';
import { GoalDialog } from './GoalDialog.js';
import { CreateDialog } from './CreateDialog.js';
import { TrackersDialog } from './TrackersDialog.js';
import { NewLabelDialog } from './NewLabelDialog.js';
import { CategoriesDialog } from './CategoriesDialog.js';
import { PlayerDialog } from '../player/PlayerDialog.js';

export function Dialogs(): ReactNode {
  const dialog = useTessera((s) => s.dialog);
  const close = useTessera((s) => s.closeDialog);
  if (!dialog) return null;
  switch (dialog.kind) {
    case 'remove':
      return <RemoveDialog ids={dialog.ids} deleteData={dialog.deleteData} onClose={close} />;
    case 'magnet':
      return <MagnetDialog onClose={close} />;
    case 'limits':
      return <LimitsDialog ids={dialog.ids} onClose={close} />;
    case 'settings':
      return <SettingsDialog onClose={close} />;
    case 'path':
      return <PathDialog paths={dialog.paths} onClose={close} />;
    case 'location':
      return <LocationDialog ids={dialog.ids} onClose={close} />;
    case 'recheck':
      return <RecheckDialog ids={dialog.ids} onClose={close} />;
    case 'goal':
      return <GoalDialog id={dialog.id} onClose={close} />;
    case 'create':
      return <CreateDialog onClose={close} />;
    case 'trackers':
      return <TrackersDialog id={dialog.id} tiers={dialog.tiers} onClose={close} />;
    case 'newLabel':
      return <NewLabelDialog what={dialog.what} ids={dialog.ids} onClose={close} />;
    case 'categories':
      return <CategoriesDialog onClose={close} />;
    case 'player':
      return <PlayerDialog id={dialog.id} file={dialog.file} onClose={close} />;
  }
}
