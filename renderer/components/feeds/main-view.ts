/** Which view fills the main area: the torrent list or the Feeds view (the sidebar switches). */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';

export type MainView = 'torrents' | 'feeds';

const mainView = createStore<{ view: MainView }>(() => ({ view: 'torrents' }));

export function useMainView(): MainView {
  return useStore(mainView, (s) => s.view);
}

export function showMainView(view: MainView): void {
  if (mainView.getState().view !== view) mainView.setState({ view });
}
