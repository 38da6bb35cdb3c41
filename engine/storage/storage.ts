/**
 * The storage module: the Storage interface (types.ts) and its file backend (file-storage.ts).
 * `Storage` here is also the file backend's historical name, so `new Storage(spec, root)` keeps working.
 */
import { FileStorage } from './file-storage.js';

export type { StorageFileSpec, StorageSpec } from './types.js';
export { StorageError } from './types.js';
export { FileStorage } from './file-storage.js';

/** The file backend (FileStorage); code that only reads and writes pieces should depend on the interface in types.ts. */
export const Storage = FileStorage;
export type Storage = FileStorage;
