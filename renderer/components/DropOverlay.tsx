/** The full-window hint while something is dragged over the window. */
import type { ReactNode } from 'react';

export function DropOverlay(): ReactNode {
  return (
    <div className="drop-overlay" aria-hidden="true">
      <div className="drop-box">Drop .torrent files or magnet links to add them</div>
    </div>
  );
}
