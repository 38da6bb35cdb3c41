/** The row context menu (right-click, the context-menu key or Shift+F10). It acts on the selection. */
import type { ReactNode } from 'react';
import type { QueueMove } from '../../engine/api/types.js';
import { useStoreApi, useTessera } from '../store/context.js';
import { openPlayer } from './player/open-player.js';
import { QUEUE_MOVE_LABELS, useCommands } from './commands.js';
import { Menu, type MenuItem } from './Menu.js';
import { useLabelSubmenus } from './label-menus.js';

export function ContextMenu(props: { x: number; y: number; onClose(): void }): ReactNode {
  const commands = useCommands();
  const store = useStoreApi();
  const single = useTessera((s) => (s.selection.size === 1 ? [...s.selection][0] : null));
  const count = useTessera((s) => s.selection.size);
  const allForced = useTessera((s) => {
    for (const id of s.selection) if (s.torrents.get(id)?.forceStart !== true) return false;
    return s.selection.size > 0;
  });
  const allSequential = useTessera((s) => [...s.selection].every((id) => s.torrents.get(id)?.sequential === true));
  const allFirstLast = useTessera((s) => [...s.selection].every((id) => s.torrents.get(id)?.firstLastPiecesFirst === true));
  const allHave = { sequential: allSequential, firstLastPiecesFirst: allFirstLast };
  const every = (k: 'sequential' | 'firstLastPiecesFirst'): boolean => count > 0 && allHave[k];
  const labelMenus = useLabelSubmenus();
  const move = (to: QueueMove, shortcut: string): MenuItem => ({ label: QUEUE_MOVE_LABELS[to], shortcut, run: () => commands.queueMove(to) });
  const groups: MenuItem[][] = [
    [
      { label: 'Resume', shortcut: 'Ctrl+S', run: () => commands.resume() },
      { label: 'Pause', shortcut: 'Ctrl+P', run: () => commands.pause() },
      { label: 'Force start', checked: allForced, run: () => commands.toggleForceStart() },
      { label: 'Force recheck…', run: () => commands.askRecheck() },
      { label: 'Force reannounce', run: () => commands.reannounce() },
    ],
    // Plays the torrent's main media file (the largest video, else audio); the player says so if it has none.
    ...(single !== null ? [[{ label: 'Play', run: () => openPlayer(store, single, null) }]] : []),
    [
      { label: 'Download in sequential order', checked: every('sequential'), run: () => commands.toggleOption('sequential') },
      { label: 'Download first and last pieces first', checked: every('firstLastPiecesFirst'), run: () => commands.toggleOption('firstLastPiecesFirst') },
    ],
    labelMenus,
    [move('top', 'Ctrl+Shift+↑'), move('up', 'Ctrl+↑'), move('down', 'Ctrl+↓'), move('bottom', 'Ctrl+Shift+↓')],
    [
      { label: 'Torrent options…', shortcut: 'Ctrl+L', run: () => commands.askLimits() },
      { label: 'Set location…', run: () => commands.askLocation() },
      ...(commands.canOpenFolder ? [{ label: 'Open folder', run: () => commands.openFolder() }] : []),
    ],
    [
      { label: 'Copy magnet link', shortcut: 'Ctrl+Shift+C', run: () => void commands.copyMagnet() },
      { label: 'Copy info hash', run: () => void commands.copyInfoHash() },
    ],
    [{ label: count === 1 ? 'Remove…' : `Remove ${count} torrents…`, shortcut: 'Delete', danger: true, run: () => commands.askRemove() }],
  ];

  return <Menu x={props.x} y={props.y} label="Torrent actions" groups={groups} onClose={props.onClose} />;
}
