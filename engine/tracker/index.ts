export type { PeerAddress, AnnounceEvent, AnnounceParams, AnnounceResponse, ScrapeResponse, Timers, RequestOptions, TrackerTransport } from './types.js';
export { systemTimers } from './types.js';
export { TrackerError, type TrackerErrorKind } from './errors.js';
export {
  buildAnnounceUrl,
  buildScrapeUrl,
  buildScrapeRequestUrl,
  parseAnnounceResponse,
  parseScrapeResponse,
  parsePeerDict,
  percentEncodeBytes,
  DEFAULT_INTERVAL_S,
} from './http-codec.js';
export {
  UDP_PROTOCOL_ID,
  UDP_ACTION,
  UDP_EVENT,
  UDP_MAX_SCRAPE_HASHES,
  encodeConnectRequest,
  encodeAnnounceRequest,
  encodeScrapeRequest,
  decodeConnectResponse,
  decodeAnnounceResponse,
  decodeScrapeResponse,
  decodeErrorResponse,
  peekUdpResponse,
  type UdpFamily,
  type UdpAnnounceResponse,
} from './udp-codec.js';
export { httpAnnounce, httpScrape, httpTransport, DEFAULT_MAX_RESPONSE_BYTES, type HttpRequestOptions } from './http-client.js';
export { UdpTrackerClient, parseUdpTrackerUrl, type UdpTrackerClientOptions } from './udp-client.js';
export {
  TrackerAnnouncer,
  type TrackerAnnouncerOptions,
  type TrackerStatusEvent,
  type TrackerState,
  type TrackerHealth,
  type AnnouncerStats,
} from './announcer.js';
