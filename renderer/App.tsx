import type { ReactNode } from 'react';
import { useTessera } from './store/context.js';

export function App(): ReactNode {
  const count = useTessera((s) => s.torrents.size);
  const connection = useTessera((s) => s.connection);
  return (
    <main>
      <h1>Tessera</h1>
      <p>{connection.state === 'closed' ? connection.reason : `${count} torrents`}</p>
    </main>
  );
}
