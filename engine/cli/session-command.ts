import type { Command, EngineEvent } from '../api/types.js';
import { formatEndpoint } from '../api/endpoint.js';
import { Session } from '../session/session.js';
import type { NetworkOptions } from './args.js';
import { CliFailure } from './failure.js';

export interface SessionCommandOptions {
  /** The session's own state (records, resume data). */
  readonly dataDir: string;
  /** Where torrents are saved: the session's default and its downloadDir setting. */
  readonly downloadDir: string;
  /** --port: 0 (or absent) for any free port. */
  readonly listenPort: number | undefined;
  /** NETWORK_OPTIONS as parsed by networkOptions(). */
  readonly network: NetworkOptions;
  readonly onEvent: (event: EngineEvent) => void;
  /** --verbose: the engine's log lines go to stderr, each after `beforeLog` (e.g. ends a progress bar's line). */
  readonly verbose: boolean;
  readonly beforeLog?: () => void;
  /** Session.open's dataSync (fsync data before records that claim it); the session's default when absent. */
  readonly dataSync?: boolean;
  /** Ends the command instead of SIGINT/SIGTERM, which are then left alone (tests). */
  readonly stopSignal?: Promise<void>;
}

/**
 * The Session behind `download`, `seed` and `stream`, opened with their shared network flags: commands sent with a
 * failed reply thrown as a one-line CliFailure, the flags' settings and peers applied, and SIGINT/SIGTERM turned into
 * `stopped` for as long as the command runs (close() removes the handlers and closes the session).
 */
export class SessionCommand {
  /** Resolves on SIGINT/SIGTERM (or `stopSignal`); `interrupted` is true by then. */
  readonly stopped: Promise<void>;
  private stopRequested = false;
  private readonly onSignal: () => void;

  private constructor(
    readonly session: Session,
    private readonly opts: SessionCommandOptions,
  ) {
    let signalled: () => void = () => {};
    this.onSignal = () => signalled();
    const stop =
      opts.stopSignal ??
      new Promise<void>((resolve) => {
        signalled = resolve;
        process.once('SIGINT', this.onSignal);
        process.once('SIGTERM', this.onSignal);
      });
    this.stopped = stop.then(() => {
      this.stopRequested = true;
    });
  }

  static async open(opts: SessionCommandOptions): Promise<SessionCommand> {
    const { dht, lsd, portMapping, holepunch } = opts.network;
    const session = await Session.open({
      dataDir: opts.dataDir,
      defaultDownloadDir: opts.downloadDir,
      listenPort: opts.listenPort ?? 0,
      dht,
      lsd,
      portMapping,
      holepunch,
      ...(opts.dataSync !== undefined ? { dataSync: opts.dataSync } : {}),
      onEvent: opts.onEvent,
      log: (line) => {
        if (!opts.verbose) return;
        opts.beforeLog?.();
        process.stderr.write(`${line}\n`);
      },
    });
    return new SessionCommand(session, opts);
  }

  get interrupted(): boolean {
    return this.stopRequested;
  }

  /** Sends one command; a failed reply is thrown as a CliFailure with the engine's message. */
  async send<T = unknown>(command: Command): Promise<T> {
    const reply = await this.session.request({ kind: 'request', requestId: 0, command });
    if (!reply.ok) throw new CliFailure(reply.error.message);
    return reply.result as T;
  }

  /** The settings the flags give: no queue limits (the command's torrent always runs), rate limits, folder, encryption, transports. */
  async applySettings(): Promise<void> {
    const { downloadLimit, uploadLimit, encryption, transports } = this.opts.network;
    await this.send({
      type: 'setSettings',
      settings: { maxActiveDownloads: 10_000, maxActiveSeeds: 10_000, downloadLimit, uploadLimit, downloadDir: this.opts.downloadDir, ...(encryption ? { encryption } : {}), ...transports },
    });
  }

  /** The --peer addresses, given to torrent `id` to dial. */
  async addPeers(id: string): Promise<void> {
    const { peers } = this.opts.network;
    if (peers.length) await this.send({ type: 'addPeers', id, peers: peers.map((p) => formatEndpoint(p.host, p.port)) });
  }

  /** Stops listening for SIGINT/SIGTERM and closes the session. */
  async close(): Promise<void> {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    await this.session.close();
  }
}
