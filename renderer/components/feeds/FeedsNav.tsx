/** The sidebar's RSS entry: switches the main area to the Feeds view. */
import type { ReactNode } from 'react';
import { showMainView, useMainView } from './main-view.js';

export function FeedsNav(): ReactNode {
  const active = useMainView() === 'feeds';
  return (
    <>
      <h2 className="sidebar-title">RSS</h2>
      <ul>
        <li>
          <button type="button" className="filter filter-feeds" aria-current={active ? 'true' : undefined} onClick={() => showMainView('feeds')}>
            <span className="filter-name">Feeds</span>
          </button>
        </li>
      </ul>
    </>
  );
}
