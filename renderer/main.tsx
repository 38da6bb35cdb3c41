import './styles/app.css';
import './styles/controls.css';
import { createRoot } from 'react-dom/client';
import { BridgeTransport } from './api/bridge-transport.js';
import { EngineClient } from './api/engine-client.js';
import type { Transport } from './api/transport.js';
import { WebSocketTransport, apiUrl, takeToken } from './api/websocket-transport.js';
import { App } from './App.js';
import { TesseraProvider } from './store/context.js';
import { createTesseraStore } from './store/store.js';
import { connectStore } from './store/sync.js';
import { applyStoredTheme } from './lib/theme.js';
import { localStore } from './lib/local-store.js';
import { loadListLayout, loadListSort, saveListLayout, saveListSort } from './lib/list-layout.js';
import { COLUMNS } from './components/list/columns.js';

// Before the first paint, so a dark system does not flash the light theme.
applyStoredTheme();

function openTransport(): Transport | string {
  if (window.tessera) return new BridgeTransport(window.tessera);
  const token = takeToken(window.location, window.sessionStorage, window.history);
  if (!token) return 'Open Tessera with the link `tessera daemon` printed: it ends with #token=…';
  return new WebSocketTransport(apiUrl(window.location, token));
}

const root = createRoot(document.getElementById('root')!);
const transport = openTransport();
if (typeof transport === 'string') {
  root.render(<p className="fatal">{transport}</p>);
} else {
  const store = createTesseraStore({
    listLayout: loadListLayout(localStore(), COLUMNS),
    sort: loadListSort(localStore(), COLUMNS.map((c) => c.key)),
  });
  store.subscribe((s, prev) => {
    if (s.listLayout !== prev.listLayout) saveListLayout(localStore(), s.listLayout);
    if (s.sort !== prev.sort) saveListSort(localStore(), s.sort);
  });
  const client = new EngineClient(transport);
  connectStore(client, store);
  root.render(
    <TesseraProvider store={store} client={client}>
      <App />
    </TesseraProvider>,
  );
}
