/**
 * The stream server on its own port: what the desktop app's engine worker and `tessera stream` run (the daemon
 * serves the same handler on its own port, see server.ts). Loopback by default; it tells the session how its
 * addresses look, so `streamUrl` answers with them.
 */
import { createServer, type Server } from 'node:http';
import type { Session } from '../session/session.js';
import type { StreamLinks } from '../session/stream-files.js';
import { hostPort } from './origin.js';
import type { StreamCapabilities } from './stream-capability.js';
import { handleStream, STREAM_PREFIX, type StreamHandlerOptions } from './stream-handler.js';

/** Absolute stream URLs under `origin` (http://host:port), with the file's capability. */
export function streamLinks(origin: string, capabilities: StreamCapabilities): StreamLinks {
  return {
    urlFor: (infoHashHex, fileIndex, name) => `${origin}${STREAM_PREFIX}${capabilities.of(infoHashHex, fileIndex)}/${infoHashHex}/${fileIndex}/${encodeURIComponent(name)}`,
  };
}

export interface StreamServerOptions {
  readonly session: Pick<Session, 'streamFile' | 'setStreamLinks'>;
  readonly capabilities: StreamCapabilities;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: any free port. */
  readonly port?: number;
  readonly log?: (line: string) => void;
}

export interface StreamServer {
  readonly origin: string;
  readonly port: number;
  readonly links: StreamLinks;
  /** Stops listening and cuts the streams still open. */
  close(): Promise<void>;
}

export async function startStreamServer(opts: StreamServerOptions): Promise<StreamServer> {
  const host = opts.host ?? '127.0.0.1';
  const handler: StreamHandlerOptions = { files: opts.session, capabilities: opts.capabilities, allowRemote: false, log: opts.log };
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (!path.startsWith(STREAM_PREFIX)) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      return void res.end('not found\n');
    }
    handleStream(req, res, path, handler).catch((err: Error) => {
      opts.log?.(`stream: ${err.message}`);
      res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? 0);
  const origin = `http://${hostPort(host, port)}`;
  const links = streamLinks(origin, opts.capabilities);
  opts.session.setStreamLinks(links);
  return {
    origin,
    port,
    links,
    close: async () => {
      opts.session.setStreamLinks(null);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
