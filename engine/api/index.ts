/** The engine's protocol: types, validation, list diffs and the text codec. No Node APIs. */
export type * from './types.js';
export type * from './rss-types.js';
export * from './validate.js';
export * from './diff.js';
export * from './wire.js';
