/**
 * The main window: toolbar, state filters, the torrent list over the details pane (a resizable split),
 * the status bar; dialogs, toasts and the drop overlay above them.
 */
import { useEffect, type ReactNode } from 'react';
import { AddTorrentDialog } from './components/add/AddTorrentDialog.js';
import { DetailsPane } from './components/details/DetailsPane.js';
import { Dialogs } from './components/dialogs/Dialogs.js';
import { DropOverlay } from './components/DropOverlay.js';
import { TorrentList } from './components/list/TorrentList.js';
import { Sidebar } from './components/Sidebar.js';
import { SplitPane } from './components/SplitPane.js';
import { StatusBar } from './components/StatusBar.js';
import { Toasts } from './components/Toasts.js';
import { Toolbar } from './components/Toolbar.js';
import { useDropAndPaste, useNoticeToasts, useOpenRequests, useTaskbarProgress, useShortcuts, useTheme } from './components/window-hooks.js';
import { usePageTitle, usePersistedSpeedHistory } from './components/page-hooks.js';
import { useStoreApi } from './store/context.js';
import { connectListView } from './store/view-sync.js';
import { FeedsView } from './components/feeds/FeedsView.js';
import { useMainView } from './components/feeds/main-view.js';

export function App(): ReactNode {
  const store = useStoreApi();
  useEffect(() => connectListView(store), [store]);
  useTheme();
  useShortcuts();
  useNoticeToasts();
  useOpenRequests();
  useTaskbarProgress();
  usePageTitle();
  usePersistedSpeedHistory();
  const dragging = useDropAndPaste();
  const mainView = useMainView();
  return (
    <div className="app">
      <Toolbar />
      <div className="main">
        <Sidebar />
        <main className="content">
          {mainView === 'feeds' ? <FeedsView /> : <SplitPane top={<TorrentList />} bottom={<DetailsPane />} bottomLabel="Details" />}
        </main>
      </div>
      <StatusBar />
      <Dialogs />
      <AddTorrentDialog />
      <Toasts />
      {dragging ? <DropOverlay /> : null}
    </div>
  );
}
