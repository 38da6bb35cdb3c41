/**
 * The player's downloaded-parts bar: the file's verified pieces (from the piece map the details
 * subscription streams) as spans, and the play position as a mark. An image with a text alternative.
 */
import type { ReactNode } from 'react';
import { bufferedAhead, spansTotal, type Span } from '../../lib/stream-buffer.js';

export function BufferBar(props: { spans: readonly Span[]; position: number | null }): ReactNode {
  const total = spansTotal(props.spans);
  const ahead = props.position !== null ? bufferedAhead(props.spans, props.position) : null;
  const label = `Downloaded ${Math.floor(total * 100)} % of the file${ahead !== null ? `, ${Math.floor(ahead * 100)} % ready ahead of the play position` : ''}`;
  return (
    <div className="player-buffer" role="img" aria-label={label} title={label}>
      {props.spans.map(([a, b]) => (
        <span key={a} className="player-buffer-span" style={{ left: `${a * 100}%`, width: `${(b - a) * 100}%` }} />
      ))}
      {props.position !== null ? <span className="player-buffer-head" style={{ left: `${props.position * 100}%` }} /> : null}
    </div>
  );
}
