import type { EngineEvent } from '../api/types.js';
import type { Clock } from '../common/clock.js';
import type { PortMappingOptions } from './reachability.js';

export interface SessionOptions {
  /** Where settings and resume data live. */
  readonly dataDir: string;
  /** Used when the settings name no download folder. */
  readonly defaultDownloadDir: string;
  /** The default event stream (worker, CLI). Absent: only streams opened with openStream (the daemon's clients). */
  readonly onEvent?: (event: EngineEvent) => void;
  readonly clock?: Clock;
  /** Listen for peers on just this address (tests: 127.0.0.1); absent: every IPv4 and IPv6 address. */
  readonly listenHost?: string;
  /** Overrides the listening port from the settings (e.g. the CLI's --port). */
  readonly listenPort?: number;
  readonly batchIntervalMs?: number;
  /**
   * Join the Mainline DHT through these nodes (when the dht setting is on). Absent: no DHT. The
   * host decides: the app passes the public routers, tests pass loopback nodes only.
   */
  readonly dht?: { readonly bootstrap: readonly { host: string; port: number }[]; readonly maxNodesPerIp?: number };
  /** Local service discovery (BEP 14, multicast on the LAN over IPv4 and IPv6) when the lsd setting is on. Absent: off (tests). A bindHost of one family runs only that family. */
  readonly lsd?: { readonly bindHost?: string };
  /**
   * Map the listen port on the home router (UPnP IGD, NAT-PMP, PCP) when the portMapping setting is on. Absent: no
   * mapping and no status (tests); the app, daemon and CLI pass {} (the default gateway, every method).
   */
  readonly portMapping?: PortMappingOptions;
  /** BEP 55 hole punching (relay, initiator, target); on unless false (the CLI's --no-holepunch). */
  readonly holepunch?: boolean;
  /** Watch folders the host adds to the saved ones (the daemon's --watch): absolute paths. */
  readonly watchFolders?: readonly string[];
  /**
   * fdatasync a torrent's data before a resume record claims its pieces (at checkpoints and at stop). Default on;
   * off only to measure what that durability costs (bench/throughput.ts, TESSERA_DATA_SYNC=0 in the CLI).
   */
  readonly dataSync?: boolean;
  /** Log lines; `torrent` names the torrent a line is about. */
  readonly log?: (line: string, torrent?: string) => void;
}
