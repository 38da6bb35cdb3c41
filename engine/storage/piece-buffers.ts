/**
 * Piece buffers that start on a page boundary. Direct (O_DIRECT) writes need the source address aligned to the
 * device's block size, and buffers from Buffer.allocUnsafe are not (malloc puts its header first). A WebAssembly
 * memory's backing store is mapped on its own and starts on a page, so each buffer is carved from one.
 */

/** Alignment direct writes ask of memory, file offsets and lengths (a page covers 512- and 4096-byte sectors). */
export const DIRECT_ALIGN = 4096;
const WASM_PAGE = 65536;

/** The one WebAssembly constructor used here (the project's TS libs declare WebAssembly's types, not its value). */
interface WasmMemoryConstructor {
  new (descriptor: { initial: number; maximum: number }): { readonly buffer: ArrayBuffer };
}
const WasmMemory = (globalThis as unknown as { WebAssembly: { Memory: WasmMemoryConstructor } }).WebAssembly.Memory;

/** A buffer of `size` bytes whose first byte sits on a page boundary. Its bytes are zero. */
export function allocAligned(size: number): Buffer {
  const pages = Math.max(1, Math.ceil(size / WASM_PAGE));
  const memory = new WasmMemory({ initial: pages, maximum: pages });
  return Buffer.from(memory.buffer, 0, size);
}
