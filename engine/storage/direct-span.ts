import { DIRECT_ALIGN } from './piece-buffers.js';

/**
 * The part of a write that can bypass the page cache. A span of `length` bytes taken from `rangeOffset` of a
 * page-aligned buffer goes to `fileOffset` of its file; O_DIRECT needs the memory address, the file offset and the
 * length all aligned. Returns the aligned middle as [start, end) within the range, or null when there is none
 * (the file's offset and the buffer's disagree modulo the alignment, or the span is shorter than one aligned block).
 * The head before and the tail after it are written through the page cache.
 */
export function directPart(rangeOffset: number, fileOffset: number, length: number): { start: number; end: number } | null {
  if ((fileOffset - rangeOffset) % DIRECT_ALIGN !== 0) return null;
  const start = rangeOffset + ((DIRECT_ALIGN - (rangeOffset % DIRECT_ALIGN)) % DIRECT_ALIGN);
  const end = rangeOffset + length - ((rangeOffset + length) % DIRECT_ALIGN);
  return end - start >= DIRECT_ALIGN ? { start, end } : null;
}
