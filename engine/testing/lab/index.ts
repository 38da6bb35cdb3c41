// The network-namespace lab (see README.md). Test-only; needs root, iproute2 and nftables.
export * from './lab.js';
export * from './plan.js';
export * from './shaping.js';
export * from './measure.js';
export * from './clients.js';
export { assertLabAvailable, listNamespaces, NS_PREFIX, sweepStaleNamespaces } from './system.js';
export type { Protocol } from './nat.js';
export * from './miniupnpd.js';
