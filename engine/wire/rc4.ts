import { RC4_WASM_BASE64 } from './rc4-wasm.js';

/**
 * RC4, for Message Stream Encryption. Node 20's OpenSSL 3 offers no rc4 cipher without the legacy provider, so it is
 * written here: long runs in WebAssembly (rc4.wat), short ones in JavaScript. One instance is one keystream; every
 * call continues it.
 */

/** Shorter calls stay in JavaScript: copying the state into WebAssembly memory and back would cost more. */
const WASM_MIN_BYTES = 256;
/** Layout of the kernel's memory (rc4.wat): the S-box, then i and j as 32-bit words, then the data. */
const I_WORD = 256 / 4;
const J_WORD = 260 / 4;
const DATA_AT = 1024;
const PAGE = 65536;
const CHUNK = PAGE - DATA_AT;

interface Kernel {
  readonly bytes: Uint8Array;
  readonly words: Int32Array;
  readonly apply: (ptr: number, len: number) => void;
}

/** The little of WebAssembly used here (the project's TS libs declare WebAssembly's types, not its values). */
interface WasmApi {
  Module: new (code: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: { mem: { buffer: ArrayBuffer }; apply: (ptr: number, len: number) => void } };
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** One kernel per thread, shared by every keystream: each call loads its own state into it (JS is single-threaded). */
let kernel: Kernel | null = null;

function rc4Kernel(): Kernel {
  if (kernel) return kernel;
  const code = Uint8Array.from(atob(RC4_WASM_BASE64), (c) => c.charCodeAt(0));
  const { mem, apply } = new Wasm.Instance(new Wasm.Module(code), {}).exports;
  if (mem.buffer.byteLength < PAGE) throw new Error('rc4: the WebAssembly kernel has less memory than one page');
  kernel = { bytes: new Uint8Array(mem.buffer, 0, PAGE), words: new Int32Array(mem.buffer, 0, DATA_AT / 4), apply };
  return kernel;
}

export class Rc4 {
  private readonly s = new Uint8Array(256);
  private i = 0;
  private j = 0;

  constructor(key: Uint8Array) {
    if (key.length === 0 || key.length > 256) throw new RangeError(`rc4: key of ${key.length} bytes`);
    const s = this.s;
    for (let k = 0; k < 256; k++) s[k] = k;
    let j = 0;
    for (let k = 0; k < 256; k++) {
      const t = s[k];
      j = (j + t + key[k % key.length]) & 0xff;
      s[k] = s[j];
      s[j] = t;
    }
  }

  /** XORs the keystream into `data[start, end)` in place. Allocates nothing. */
  apply(data: Uint8Array, start = 0, end = data.length): void {
    this.applyTo(data, start, end, data, start);
  }

  /** Writes `src[start, end)` XOR the keystream to `dst` from `dstStart` (may be the same bytes as src). */
  applyTo(src: Uint8Array, start: number, end: number, dst: Uint8Array, dstStart: number): void {
    if (end - start < WASM_MIN_BYTES) this.applyInJs(src, start, end, dst, dstStart);
    else this.applyInWasm(src, start, end, dst, dstStart);
  }

  private applyInWasm(src: Uint8Array, start: number, end: number, dst: Uint8Array, dstStart: number): void {
    const k = rc4Kernel();
    const mem = k.bytes;
    mem.set(this.s, 0);
    k.words[I_WORD] = this.i;
    k.words[J_WORD] = this.j;
    for (let n = start, o = dstStart; n < end; n += CHUNK, o += CHUNK) {
      const len = Math.min(CHUNK, end - n);
      mem.set(src.subarray(n, n + len), DATA_AT);
      k.apply(DATA_AT, len);
      dst.set(mem.subarray(DATA_AT, DATA_AT + len), o);
    }
    this.s.set(mem.subarray(0, 256));
    this.i = k.words[I_WORD];
    this.j = k.words[J_WORD];
  }

  private applyInJs(src: Uint8Array, start: number, end: number, dst: Uint8Array, dstStart: number): void {
    const s = this.s;
    let i = this.i;
    let j = this.j;
    let o = dstStart;
    for (let n = start; n < end; n++) {
      i = (i + 1) & 0xff;
      const si = s[i];
      j = (j + si) & 0xff;
      const sj = s[j];
      s[i] = sj;
      s[j] = si;
      dst[o++] = src[n] ^ s[(si + sj) & 0xff];
    }
    this.i = i;
    this.j = j;
  }

  /** Advances the keystream by `n` bytes without using them. */
  discard(n: number): void {
    const s = this.s;
    let i = this.i;
    let j = this.j;
    for (let k = 0; k < n; k++) {
      i = (i + 1) & 0xff;
      const si = s[i];
      j = (j + si) & 0xff;
      s[i] = s[j];
      s[j] = si;
    }
    this.i = i;
    this.j = j;
  }
}
