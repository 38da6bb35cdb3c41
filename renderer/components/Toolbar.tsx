/** The toolbar: add, start/pause, remove, queue moves, settings, and the search box (Ctrl+F). */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { QueueMove } from '../../engine/api/types.js';
import { useTessera } from '../store/context.js';
import { QUEUE_MOVE_LABELS, useCommands } from './commands.js';
import { ArrowDownIcon, ArrowUpIcon, CloseIcon, CreateIcon, ForceStartIcon, MagnetIcon, PauseIcon, PlayIcon, PlusIcon, QueueBottomIcon, QueueTopIcon, RecheckIcon, SettingsIcon } from './icons.js';

export const SEARCH_INPUT_ID = 'torrent-search';

const MOVE_ICONS: Readonly<Record<QueueMove, ReactNode>> = { top: <QueueTopIcon />, up: <ArrowUpIcon />, down: <ArrowDownIcon />, bottom: <QueueBottomIcon /> };
const MOVE_KEYS: Readonly<Record<QueueMove, string>> = { top: 'Ctrl+Shift+Up', up: 'Ctrl+Up', down: 'Ctrl+Down', bottom: 'Ctrl+Shift+Down' };

function Tool(props: { label: string; icon: ReactNode; keys?: string; disabled?: boolean; onClick(): void; text?: boolean }): ReactNode {
  return (
    <button
      type="button"
      className="tool"
      aria-label={props.label}
      title={props.keys ? `${props.label} (${props.keys})` : props.label}
      aria-keyshortcuts={props.keys?.replace(/Ctrl/g, 'Control').replace('Up', 'ArrowUp').replace('Down', 'ArrowDown')}
      disabled={props.disabled}
      onClick={props.onClick}
    >
      <span className="icon" aria-hidden="true">{props.icon}</span>
      {props.text ? <span className="tool-text" aria-hidden="true">{props.label}</span> : null}
    </button>
  );
}

export function Toolbar(): ReactNode {
  const commands = useCommands();
  const none = useTessera((s) => s.selection.size === 0);
  const openDialog = useTessera((s) => s.openDialog);
  return (
    <header className="app-header">
      <h1 className="visually-hidden">Tessera</h1>
      <div className="toolbar" role="toolbar" aria-label="Torrent actions">
        <Tool label="Add torrent file" icon={<PlusIcon />} keys="Ctrl+O" onClick={() => commands.pickTorrentFiles()} text />
        <Tool label="Add magnet link" icon={<MagnetIcon />} keys="Ctrl+Shift+O" onClick={() => openDialog({ kind: 'magnet' })} text />
        <Tool label="Create torrent" icon={<CreateIcon />} onClick={() => openDialog({ kind: 'create' })} />
        <span className="sep" role="separator" aria-orientation="vertical" />
        <Tool label="Resume" icon={<PlayIcon />} keys="Ctrl+S" disabled={none} onClick={() => commands.resume()} />
        <Tool label="Pause" icon={<PauseIcon />} keys="Ctrl+P" disabled={none} onClick={() => commands.pause()} />
        <Tool label="Remove" icon={<CloseIcon />} keys="Delete" disabled={none} onClick={() => commands.askRemove()} />
        <span className="sep" role="separator" aria-orientation="vertical" />
        {(['top', 'up', 'down', 'bottom'] as const).map((m) => (
          <Tool key={m} label={QUEUE_MOVE_LABELS[m]} icon={MOVE_ICONS[m]} keys={MOVE_KEYS[m]} disabled={none} onClick={() => commands.queueMove(m)} />
        ))}
        <span className="sep" role="separator" aria-orientation="vertical" />
        <Tool label="Force start" icon={<ForceStartIcon />} disabled={none} onClick={() => commands.toggleForceStart()} />
        <Tool label="Recheck" icon={<RecheckIcon />} disabled={none} onClick={() => commands.askRecheck()} />
        <span className="spacer" />
        <SearchBox />
        <Tool label="Settings" icon={<SettingsIcon />} keys="Ctrl+," onClick={() => openDialog({ kind: 'settings' })} />
      </div>
    </header>
  );
}

/** Typing updates the filter after a short pause, so 10,000 rows are not re-filtered on every keystroke. */
function SearchBox(): ReactNode {
  const search = useTessera((s) => s.search);
  const setSearch = useTessera((s) => s.setSearch);
  const [text, setText] = useState(search);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);
  const change = (value: string, now = false): void => {
    setText(value);
    if (timer.current) clearTimeout(timer.current);
    if (now) setSearch(value);
    else timer.current = setTimeout(() => setSearch(value), 120);
  };
  return (
    <input
      id={SEARCH_INPUT_ID}
      type="search"
      className="search"
      placeholder="Search torrents (Ctrl+F)"
      aria-label="Search torrents"
      aria-keyshortcuts="Control+F"
      value={text}
      onChange={(e) => change(e.target.value)}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && text !== '') {
          e.preventDefault();
          change('', true);
        } else if (e.key === 'Enter') change(text, true);
      }}
    />
  );
}
