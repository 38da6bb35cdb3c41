// Test payloads with awkward geometry, byte-for-byte tree comparison, and .torrent creation with mktorrent
// (a tool we did not write, so interop tests never depend on our own metainfo code being right).
import { spawnSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';

export interface PayloadFile {
  /** Relative path with '/' separators, e.g. "sub/dir/b.bin". */
  readonly path: string;
  readonly size: number;
}

/**
 * Odd sizes on purpose: an empty file, one smaller than a 16 KiB block, files that end mid-block and mid-piece,
 * and a total (4,279,015 bytes) that leaves a short last piece for any power-of-two piece length.
 */
export const DEFAULT_PAYLOAD_FILES: readonly PayloadFile[] = [
  { path: 'a.bin', size: 1_000_003 },
  { path: 'empty.txt', size: 0 },
  { path: 'tiny.txt', size: 1_234 },
  { path: 'sub/dir/b.bin', size: 2_500_001 },
  { path: 'c.dat', size: 777_777 },
];

export interface PayloadSpec {
  /** Name of the payload's top folder (and of the torrent). Default "payload". */
  readonly name?: string;
  readonly files?: readonly PayloadFile[];
  /** Content seed: the same seed gives the same bytes. Default 1. */
  readonly seed?: number;
}

export interface Payload {
  /** The folder holding the files: `<dir>/<name>`. Pass this to makeTorrent; clients see `<dataDir>/<name>`. */
  readonly root: string;
  readonly name: string;
  readonly files: readonly PayloadFile[];
  readonly totalSize: number;
}

const CHUNK = 1 << 20;

/** Deterministic pseudo-random bytes: AES-128-CTR keystream keyed by (seed, path). Fast for large payloads too. */
function keystream(seed: number, path: string): (len: number) => Buffer {
  const key = createHash('sha256').update(`tessera-payload:${seed}:${path}`).digest();
  const cipher = createCipheriv('aes-128-ctr', key.subarray(0, 16), key.subarray(16, 32));
  const zeros = Buffer.alloc(CHUNK);
  return (len) => cipher.update(zeros.subarray(0, len));
}

/** Writes a multi-file payload under `<dir>/<name>` and returns its description. */
export async function makeTestPayload(dir: string, spec: PayloadSpec = {}): Promise<Payload> {
  const name = spec.name ?? 'payload';
  const files = spec.files ?? DEFAULT_PAYLOAD_FILES;
  const seed = spec.seed ?? 1;
  const root = join(dir, name);
  for (const f of files) {
    const target = join(root, ...f.path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    const fh = await open(target, 'w');
    try {
      const next = keystream(seed, f.path);
      for (let done = 0; done < f.size; ) {
        const n = Math.min(CHUNK, f.size - done);
        await fh.write(next(n));
        done += n;
      }
    } finally {
      await fh.close();
    }
  }
  return { root, name, files, totalSize: files.reduce((s, f) => s + f.size, 0) };
}

export interface TreeEntry {
  readonly size: number;
  readonly sha1: string;
}

async function listFiles(dir: string, out: string[] = []): Promise<string[]> {
  for (const ent of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name);
    if (ent.isDirectory()) await listFiles(p, out);
    else if (ent.isFile()) out.push(p);
  }
  return out;
}

function sha1File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha1');
    createReadStream(path, { highWaterMark: CHUNK })
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

/** Size and SHA-1 of every regular file under `dir`, keyed by '/'-separated relative path, sorted. */
export async function sha1OfTree(dir: string): Promise<Map<string, TreeEntry>> {
  const files = (await listFiles(dir)).map((p) => relative(dir, p).split(sep).join('/')).sort();
  const out = new Map<string, TreeEntry>();
  for (const rel of files) {
    const p = join(dir, ...rel.split('/'));
    out.set(rel, { size: (await stat(p)).size, sha1: await sha1File(p) });
  }
  return out;
}

export interface TreeComparison {
  readonly equal: boolean;
  /** Human-readable differences, e.g. "missing: empty.txt", "differs: a.bin (1000003 vs 983040 bytes)". */
  readonly differences: readonly string[];
}

export interface CompareOptions {
  /** Paths (relative, '/'-separated) to leave out on both sides, e.g. a client's control files. */
  readonly ignore?: (relPath: string) => boolean;
  /** Accept zero-length files that are missing from `actual` (Transmission 3.00 never creates them). */
  readonly allowMissingEmpty?: boolean;
}

/** Compares two folders file by file (names, sizes, SHA-1 of contents). `expected` is the reference. */
export async function compareTrees(expected: string, actual: string, opts: CompareOptions = {}): Promise<TreeComparison> {
  const keep = (m: Map<string, TreeEntry>): Map<string, TreeEntry> =>
    new Map([...m].filter(([k]) => !(opts.ignore?.(k) ?? false)));
  const a = keep(await sha1OfTree(expected));
  const b = keep(await sha1OfTree(actual).catch(() => new Map<string, TreeEntry>()));
  const differences: string[] = [];
  for (const [path, e] of a) {
    const got = b.get(path);
    if (!got) {
      if (!(e.size === 0 && opts.allowMissingEmpty)) differences.push(`missing: ${path} (${e.size} bytes)`);
    }
    else if (got.sha1 !== e.sha1) differences.push(`differs: ${path} (${e.size} vs ${got.size} bytes)`);
  }
  for (const path of b.keys()) if (!a.has(path)) differences.push(`unexpected: ${path}`);
  return { equal: differences.length === 0, differences };
}

/** Throws with the list of differences unless the trees match. */
export async function assertTreesEqual(expected: string, actual: string, opts: CompareOptions = {}): Promise<void> {
  const r = await compareTrees(expected, actual, opts);
  if (!r.equal) throw new Error(`trees differ (${expected} vs ${actual}):\n  ${r.differences.join('\n  ')}`);
}

export interface MakeTorrentOptions {
  /** File or folder to describe. */
  readonly source: string;
  /** Where to write the .torrent. */
  readonly out: string;
  /** Announce URLs: each inner array is one tier (BEP 12). `[]` for a trackerless torrent. */
  readonly tiers: readonly (readonly string[])[];
  /** log2 of the piece length; mktorrent accepts 15 (32 KiB) to 28. Default 15. */
  readonly pieceLengthLog2?: number;
  readonly private?: boolean;
  readonly comment?: string;
  readonly webSeeds?: readonly string[];
}

export interface TorrentFile {
  readonly file: string;
  /** Hex SHA-1 of the bencoded info dictionary, exactly as written in the file. */
  readonly infoHash: string;
  readonly pieceLength: number;
}

/** Creates a .torrent with mktorrent (Debian's mktorrent 1.1). */
export async function makeTorrent(opts: MakeTorrentOptions): Promise<TorrentFile> {
  const log2 = opts.pieceLengthLog2 ?? 15;
  const args: string[] = ['-l', String(log2), '-d', '-o', opts.out];
  for (const tier of opts.tiers) if (tier.length) args.push('-a', tier.join(','));
  if (opts.private) args.push('-p');
  if (opts.comment !== undefined) args.push('-c', opts.comment);
  for (const w of opts.webSeeds ?? []) args.push('-w', w);
  args.push(opts.source);
  await rm(opts.out, { force: true }); // mktorrent refuses to overwrite
  const r = spawnSync('mktorrent', args, { encoding: 'utf8', timeout: 120_000 });
  if (r.error || r.status !== 0) {
    throw new Error(`mktorrent ${args.join(' ')} failed: ${r.error?.message ?? ''}${r.stderr}${r.stdout}`);
  }
  const bytes = await readFile(opts.out);
  return { file: opts.out, infoHash: infoHashOf(bytes), pieceLength: 2 ** log2 };
}

/** Hex info hash of a .torrent's bytes: SHA-1 over the raw span of the top-level "info" value. */
export function infoHashOf(torrent: Uint8Array): string {
  const span = topLevelValueSpan(torrent, 'info');
  if (!span) throw new Error('infoHashOf: no info dictionary');
  return createHash('sha1').update(torrent.subarray(span[0], span[1])).digest('hex');
}

/** Minimal bencode walker for test fixtures: [start, end) of a top-level dictionary value. */
function topLevelValueSpan(buf: Uint8Array, wanted: string): [number, number] | null {
  const digit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;
  const skip = (i: number): number => {
    const c = buf[i];
    if (c === 0x69 /* i */) {
      const e = buf.indexOf(0x65, i);
      if (e < 0) throw new Error('bad int');
      return e + 1;
    }
    if (c === 0x6c /* l */ || c === 0x64 /* d */) {
      let j = i + 1;
      while (buf[j] !== 0x65) {
        if (j >= buf.length) throw new Error('unterminated list/dict');
        j = skip(j);
      }
      return j + 1;
    }
    if (digit(c)) {
      const colon = buf.indexOf(0x3a, i);
      if (colon < 0) throw new Error('bad string');
      const len = Number(Buffer.from(buf.subarray(i, colon)).toString('ascii'));
      return colon + 1 + len;
    }
    throw new Error(`bad bencode at ${i}`);
  };
  if (buf[0] !== 0x64) return null;
  let i = 1;
  while (i < buf.length && buf[i] !== 0x65) {
    const keyEnd = skip(i);
    const colon = buf.indexOf(0x3a, i);
    const key = Buffer.from(buf.subarray(colon + 1, keyEnd)).toString('latin1');
    const valueEnd = skip(keyEnd);
    if (key === wanted) return [keyEnd, valueEnd];
    i = valueEnd;
  }
  return null;
}

/** The payload's top-level name as clients will lay it out: `<dataDir>/<basename(source)>`. */
export function payloadPathIn(dataDir: string, payload: Payload): string {
  return join(dataDir, basename(payload.root));
}
