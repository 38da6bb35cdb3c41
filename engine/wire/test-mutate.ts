/** Fuzzing help: valid byte strings with a few bytes overwritten, inserted or removed. */
import fc from 'fast-check';

export interface ByteEdit {
  readonly at: number;
  readonly kind: 'set' | 'insert' | 'delete';
  readonly value: number;
}

/** One to four edits at arbitrary places (taken modulo the length). */
export const byteEdits: fc.Arbitrary<ByteEdit[]> = fc.array(
  fc.record({ at: fc.nat(), kind: fc.constantFrom<ByteEdit['kind']>('set', 'insert', 'delete'), value: fc.integer({ min: 0, max: 255 }) }),
  { minLength: 1, maxLength: 4 },
);

export function mutate(bytes: Uint8Array, edits: readonly ByteEdit[]): Uint8Array {
  const out = [...bytes];
  for (const e of edits) {
    const at = out.length === 0 ? 0 : e.at % out.length;
    if (e.kind === 'set' && out.length > 0) out[at] = e.value;
    else if (e.kind === 'insert') out.splice(at, 0, e.value);
    else out.splice(at, 1);
  }
  return Uint8Array.from(out);
}
