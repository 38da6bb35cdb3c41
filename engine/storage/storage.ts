/** The storage module: the Storage interface (types.ts) and its file backend (file-storage.ts). */
export type { Storage, StorageFileSpec, StorageSpec } from './types.js';
export { StorageError } from './types.js';
export { FileStorage } from './file-storage.js';
