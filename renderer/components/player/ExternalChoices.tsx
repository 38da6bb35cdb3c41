/**
 * What to do when the built-in player cannot play a file: open it in VLC or mpv (the desktop app starts
 * them; a browser page cannot, so it shows the command to paste), or copy the stream URL.
 */
import { useState, type ReactNode } from 'react';
import { EXTERNAL_PLAYERS, playerCommandLine } from '../../lib/external-player.js';

export function ExternalChoices(props: { url: string; title: string; reason: string; onTryAnyway?(): void }): ReactNode {
  const [note, setNote] = useState<string | null>(null);
  const bridge = window.tessera;
  const copy = (): void => {
    if (!navigator.clipboard) return setNote('The clipboard is not available here: select the URL below and copy it by hand.');
    navigator.clipboard.writeText(props.url).then(
      () => setNote('Stream URL copied.'),
      () => setNote('Could not copy: select the URL below and copy it by hand.'),
    );
  };
  return (
    <section className="player-problem" aria-label="Open in an external player">
      <h3>{props.title}</h3>
      <p>{props.reason}</p>
      <div className="player-choices">
        {bridge
          ? EXTERNAL_PLAYERS.map((p) => (
              <button key={p} type="button" onClick={() => (bridge.openInPlayer(p, props.url), setNote(`Opening in ${p === 'vlc' ? 'VLC' : 'mpv'}…`))}>
                {`Open in ${p === 'vlc' ? 'VLC' : 'mpv'}`}
              </button>
            ))
          : null}
        <button type="button" onClick={copy} data-autofocus>
          Copy stream URL
        </button>
        {props.onTryAnyway ? (
          <button type="button" onClick={props.onTryAnyway}>
            Try the built-in player anyway
          </button>
        ) : null}
      </div>
      <label className="muted">
        Stream URL
        <input className="path" readOnly value={props.url} onFocus={(e) => e.target.select()} />
      </label>
      {bridge ? null : (
        <>
          <p className="muted">To open it in VLC or mpv, run one of these on this computer:</p>
          {EXTERNAL_PLAYERS.map((p) => (
            <input key={p} className="path" readOnly aria-label={`Command for ${p === 'vlc' ? 'VLC' : 'mpv'}`} value={playerCommandLine(p, props.url)} onFocus={(e) => e.target.select()} />
          ))}
        </>
      )}
      {note ? <p role="status">{note}</p> : null}
    </section>
  );
}
