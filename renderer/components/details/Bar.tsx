/** A small progress bar for table cells, with its percentage as text and as the accessible value. */
import type { ReactNode } from 'react';
import { formatPercent } from '../../lib/format.js';

export function Bar(props: { fraction: number; label: string; done?: boolean }): ReactNode {
  const f = Number.isFinite(props.fraction) ? Math.max(0, Math.min(1, props.fraction)) : 0;
  const text = formatPercent(f);
  return (
    <div className={`dt-bar${props.done || f >= 1 ? ' dt-bar-done' : ''}`} role="progressbar" aria-label={props.label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.floor(f * 1000) / 10} aria-valuetext={text}>
      <div className="dt-bar-fill" style={{ transform: `scaleX(${f})` }} />
      <span className="dt-bar-text">{text}</span>
    </div>
  );
}
