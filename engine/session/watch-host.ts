import type { Reply, Request } from '../api/types.js';
import type { WatchHost } from './watch-folder.js';

/** The watch folders' side of the session: an add is an ordinary `add` request, so it is saved and streamed like any other. */
export function watchHost(session: {
  request(req: Request): Promise<Reply>;
  closed(): boolean;
  notice: WatchHost['notice'];
  log: WatchHost['log'];
}): WatchHost {
  return {
    add: async (source, folder) => {
      if (session.closed()) throw new Error('the session is closing');
      const command = { type: 'add' as const, source, paused: folder.startPaused, ...(folder.category !== null ? { category: folder.category } : {}) };
      const reply = await session.request({ kind: 'request', requestId: 0, command });
      if (reply.ok) return 'added';
      if (reply.error.name === 'Conflict') return 'duplicate';
      throw new Error(reply.error.message);
    },
    notice: session.notice,
    log: session.log,
  };
}
