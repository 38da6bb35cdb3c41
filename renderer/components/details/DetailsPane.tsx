/**
 * The details of the torrent in detailsId, in tabs. The active tab lives in the store, so the engine
 * streams only what that tab shows (see store/sync.ts). Tabs follow the ARIA tabs pattern: one tab stop,
 * arrow keys / Home / End move between tabs and activate them.
 */
import '../../styles/details.css';
import { useRef, type KeyboardEvent, type ReactNode } from 'react';
import type { DetailsTab } from '../../store/store.js';
import { useTessera } from '../../store/context.js';
import { FilesTab } from './FilesTab.js';
import { GeneralTab } from './GeneralTab.js';
import { PeersTab } from './PeersTab.js';
import { PiecesTab } from './PiecesTab.js';
import { SpeedTab } from './SpeedTab.js';
import { TrackersTab } from './TrackersTab.js';
import { WhyTab } from './WhyTab.js';

export const DETAILS_TABS: readonly { id: DetailsTab; label: string }[] = [
  { id: 'general', label: 'General' },
  { id: 'files', label: 'Files' },
  { id: 'peers', label: 'Peers' },
  { id: 'trackers', label: 'Trackers' },
  { id: 'pieces', label: 'Pieces' },
  { id: 'speed', label: 'Speed' },
  { id: 'why', label: 'Why?' },
];

export function DetailsPane(): ReactNode {
  const id = useTessera((s) => s.detailsId);
  const tab = useTessera((s) => s.detailsTab);
  const setTab = useTessera((s) => s.setDetailsTab);
  const name = useTessera((s) => (s.detailsId !== null ? s.torrents.get(s.detailsId)?.name : undefined));
  const tabRefs = useRef(new Map<DetailsTab, HTMLButtonElement>());

  if (id === null) {
    return (
      <section className="dt-pane dt-pane-empty" aria-label="Torrent details">
        <p className="dt-empty">Select a torrent to see its details</p>
      </section>
    );
  }

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    const i = DETAILS_TABS.findIndex((t) => t.id === tab);
    const n = DETAILS_TABS.length;
    const next =
      e.key === 'ArrowRight' ? (i + 1) % n : e.key === 'ArrowLeft' ? (i - 1 + n) % n : e.key === 'Home' ? 0 : e.key === 'End' ? n - 1 : -1;
    if (next < 0) return;
    e.preventDefault();
    const target = DETAILS_TABS[next].id;
    setTab(target);
    tabRefs.current.get(target)?.focus();
  };

  return (
    <section className="dt-pane" aria-label={name ? `Details of ${name}` : 'Torrent details'}>
      <div className="dt-tabs" role="tablist" aria-label="Details" onKeyDown={onKeyDown}>
        {DETAILS_TABS.map((t) => (
          <button
            key={t.id}
            ref={(el) => {
              if (el) tabRefs.current.set(t.id, el);
              else tabRefs.current.delete(t.id);
            }}
            type="button"
            role="tab"
            id={`dt-tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls="dt-panel"
            tabIndex={tab === t.id ? 0 : -1}
            className="dt-tab"
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div className="dt-panel" id="dt-panel" role="tabpanel" aria-labelledby={`dt-tab-${tab}`} tabIndex={tab === 'pieces' || tab === 'speed' ? 0 : undefined}>
        <TabContent tab={tab} id={id} />
      </div>
    </section>
  );
}

function TabContent(props: { tab: DetailsTab; id: string }): ReactNode {
  switch (props.tab) {
    case 'general':
      return <GeneralTab key={props.id} id={props.id} />;
    case 'files':
      return <FilesTab id={props.id} />;
    case 'peers':
      return <PeersTab key={props.id} />;
    case 'trackers':
      return <TrackersTab />;
    case 'pieces':
      return <PiecesTab key={props.id} />;
    case 'speed':
      return <SpeedTab />;
    case 'why':
      return <WhyTab key={props.id} id={props.id} />;
  }
}
