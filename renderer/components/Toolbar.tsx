/** The toolbar: add, start/pause, remove, queue moves, settings, and the search box (Ctrl+F). */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { QueueMove } from '../../engine/api/types.js';
import { useTessera } from '../store/context.js';
import { QUEUE_MOVE_LABELS, useCommands } from './commands.js';

export const SEARCH_INPUT_ID = 'torrent-search';

const MOVE_ICONS: Readonly<Record<QueueMove, string>> = { top: '⤒', up: '↑', down: '↓', bottom: '⤓' };
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

/** A 24×24 filled glyph, for icons system fonts do not all have. */
function Svg({ d }: { d: string }): ReactNode {
  return (
    <svg width="15" height="15" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true" focusable="false">
      <path d={d} />
    </svg>
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
        <Tool label="Add torrent file" icon={<Svg d="M11 4h2v7h7v2h-7v7h-2v-7H4v-2h7z" />} keys="Ctrl+O" onClick={() => commands.pickTorrentFiles()} text />
        <Tool label="Add magnet link" icon={<Svg d="M7 3v7a5 5 0 0 0 10 0V3h-4v7a1 1 0 0 1-2 0V3z" />} keys="Ctrl+Shift+O" onClick={() => openDialog({ kind: 'magnet' })} text />
        <span className="sep" role="separator" aria-orientation="vertical" />
        <Tool label="Resume" icon="▶" keys="Ctrl+S" disabled={none} onClick={() => commands.resume()} />
        <Tool label="Pause" icon={<Svg d="M6 4h4v16H6zM14 4h4v16h-4z" />} keys="Ctrl+P" disabled={none} onClick={() => commands.pause()} />
        <Tool label="Remove" icon="✕" keys="Delete" disabled={none} onClick={() => commands.askRemove()} />
        <span className="sep" role="separator" aria-orientation="vertical" />
        {(['top', 'up', 'down', 'bottom'] as const).map((m) => (
          <Tool key={m} label={QUEUE_MOVE_LABELS[m]} icon={MOVE_ICONS[m]} keys={MOVE_KEYS[m]} disabled={none} onClick={() => commands.queueMove(m)} />
        ))}
        <span className="sep" role="separator" aria-orientation="vertical" />
        <Tool label="Force start" icon={<Svg d="M4 5l8 7-8 7zM12 5l8 7-8 7z" />} disabled={none} onClick={() => commands.toggleForceStart()} />
        <Tool label="Recheck" icon="⟳" disabled={none} onClick={() => commands.recheck()} />
        <span className="spacer" />
        <SearchBox />
        <Tool label="Settings" icon="⚙" keys="Ctrl+," onClick={() => openDialog({ kind: 'settings' })} />
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
