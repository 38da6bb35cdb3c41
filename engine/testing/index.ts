// Shared helpers for tests that run real BitTorrent clients on loopback. See README.md.
export * from './processes.js';
export * from './ports.js';
export * from './fixtures.js';
export * from './tracker.js';
export * from './clients.js';
export * from './wait.js';
export * from './media.js';
