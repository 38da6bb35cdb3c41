/**
 * Conformance runner: checks our codecs against /work/shared/corpus (or $TESSERA_CORPUS).
 *   node --import tsx engine/conformance/run.ts
 * Prints one line per file / vector group and `conformance: N passed, M failed`; exits 1 on any
 * unexpected failure. Deliberate disagreements live in KNOWN_DIFFERENCES (and DIFFERENCES.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BencodeError, decode, decodeWithInfoSpan, type BValue } from '../bencode/index.js';
import { parseMagnet, parseTorrent, type Metainfo } from '../metainfo/index.js';
import { parseAnnounceResponse } from '../tracker/http-codec.js';
import { TrackerError } from '../tracker/errors.js';

export interface CaseResult {
  id: string;
  ok: boolean;
  detail?: string;
}

/** A named group of checks. Other modules (tracker, DHT) can add theirs via `extraSuites`. */
export interface Suite {
  name: string;
  run(corpusDir: string): CaseResult[] | Promise<CaseResult[]>;
}

/** id -> why we differ on purpose. Ids are `<suite>:<case>`. Keep short and honest. */
export const KNOWN_DIFFERENCES: Record<string, string> = {
  'torrents:test_torrents/invalid_name3.torrent':
    "trailing spaces/dots are stripped on every OS (libtorrent strips them only on Windows): 'foobar ' -> 'foobar', so a download moves between OSes",
  'torrents:test_torrents/pad_file_no_path.torrent':
    "a pad file without 'path' is named <name>/.pad/<size> (libtorrent: .pad/<size>); every MetaFile path starts with the torrent name and pad files are never written",
  'magnet:stream-magnet': "'stream-magnet:' scheme rejected (libtorrent rejects it too); only 'magnet:' is a magnet link",
  'magnet:uppercase-scheme': "'MAGNET:' accepted: URI schemes are case-insensitive (RFC 3986)",
};

type Check = (m: Metainfo) => string | undefined;
const eq = (what: string, got: unknown, want: unknown): string | undefined =>
  JSON.stringify(got) === JSON.stringify(want) ? undefined : `${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`;
const paths = (m: Metainfo, withPads = false) => m.files.filter((f) => withPads || !f.padding).map((f) => f.path.join('/'));

/**
 * Assertions of libtorrent RC_2_1's tests (EXPECTED.md "Asserted" column) that are not in
 * machine-readable form, plus RC_2_1 path rules where 2.0.8's observed output is older.
 */
const ASSERTED: Record<string, Check[]> = {
  'test_torrents/slash_path.torrent': [(m) => eq('paths', paths(m), ['temp/_/_/bar'])],
  'test_torrents/slash_path2.torrent': [(m) => eq('paths', paths(m), ['temp/abc....def/_/bar'])],
  'test_torrents/slash_path3.torrent': [(m) => eq('paths', paths(m), ['temp....abc'])],
  // not asserted; RC_2_1 rule (a lone separator element becomes '_') as for slash_path
  'test_torrents/backslash_path.torrent': [(m) => eq('paths', paths(m), ['temp/_/_/bar'])],
  'test_torrents/symlink_filtered_path.torrent': [
    (m) => eq('file 0', m.files[0].path.join('/'), 'temp/a/_/bar'),
    (m) => eq('symlink 1', m.files[1].symlink?.join('/'), 'temp/a/_/bar'),
  ],
  'test_torrents/invalid_directory_name.torrent': [(m) => eq('paths', paths(m), ['test2/_/foo', 'test2/_/foo.1'])],
  'test_torrents/whitespace_url.torrent': [(m) => eq('tracker 0', m.announce[0]?.[0], 'udp://test.com/announce')],
  'test_torrents/duplicate_files.torrent': [(m) => eq('paths', paths(m), ['temp/foo/bar.txt', 'temp/foo/bar.1.txt'])],
  'test_torrents/pad_file.torrent': [(m) => eq('pad flags', m.files.map((f) => f.padding), [false, true])],
  'test_torrents/creation_date.torrent': [(m) => eq('creation date', m.creationDate, 1234567)],
  'test_torrents/no_creation_date.torrent': [(m) => eq('creation date', m.creationDate, undefined)],
  'test_torrents/url_seed.torrent': [(m) => eq('web seeds', m.urlList, ['http://test.com/file'])],
  'test_torrents/url_seed_multi.torrent': [(m) => eq('web seeds', m.urlList, ['http://test.com/file/'])],
  'test_torrents/url_seed_multi_single_file.torrent': [(m) => eq('web seeds', m.urlList, ['http://test.com/file/temp/foo/bar.txt'])],
  'test_torrents/url_seed_multi_space.torrent': [(m) => eq('web seeds', m.urlList, ['http://test.com/test%20file/foo%20bar/'])],
  'test_torrents/url_seed_multi_space_nolist.torrent': [(m) => eq('web seeds', m.urlList, ['http://test.com/test%20file/foo%20bar/'])],
  'test_torrents/duplicate_web_seeds.torrent': [(m) => eq('web seed count', m.urlList.length, 3)],
  'test_torrents/url_list.torrent': [(m) => eq('web seeds', m.urlList, [])],
  'test_torrents/url_list2.torrent': [(m) => eq('web seeds', m.urlList, [])],
  'test_torrents/url_list3.torrent': [(m) => eq('web seeds', m.urlList, [])],
  'test_torrents/empty_httpseed.torrent': [(m) => eq('web seeds', m.urlList, [])],
  'test_torrents/invalid_name2.torrent': [(m) => eq('name', m.name, 'b61560c2918f463768cd122b6d2fdd47b77bdb35')],
  'test_torrents/invalid_name3.torrent': [(m) => eq('name', m.name, 'foobar ')],
  // RC_2_1 asserts the renamed duplicate (2.0.8 observed the second file as 'test')
  'test_torrents/v2_invalid_filename2.torrent': [(m) => eq('paths', paths(m), ['test/_', 'test/_.1', 'test/stress_test2'])],
  'test_torrents/v2_symlinks.torrent': [
    (m) =>
      eq(
        'symlinks 0..2',
        m.files.slice(0, 3).map((f) => f.symlink?.join('/')),
        ['Headers', 'Resources', 'SDL2'].map((x) => `SDL2.framework/Versions/Current/${x}`),
      ),
  ],
  'test_torrents/v2_only.torrent': [
    (m) => eq('pieces root', m.files[0]?.piecesRoot && Buffer.from(m.files[0].piecesRoot).toString('hex'), '515ea9181744b817744ded9d2e8e9dc6a8450c0b0c52e24b5077f302ffbd9008'),
    (m) => eq('v1 piece hashes', m.pieces.length, 0),
  ],
  'test_torrents/v2.torrent': [
    (m) => eq('pieces root', m.files[0]?.piecesRoot && Buffer.from(m.files[0].piecesRoot).toString('hex'), '60aae9c7b428f87e0713e88229e18f0adf12cd7b22a0dd8a92bb2485eb7af242'),
  ],
  'test_torrents/v2_multiple_files.torrent': [(m) => eq('piece layers', m.pieceLayers?.size, 3)],
  'test_torrents/v2_incomplete_piece_layer.torrent': [(m) => eq('piece layers', m.pieceLayers?.size, 2)],
  'test_torrents/symlink1.torrent': [(m) => eq('symlink 1', m.files[1].symlink?.join('/'), 'temp/a/b/bar')],
  'test_torrents/symlink_zero_size.torrent': [(m) => eq('symlink 1', m.files[1].symlink?.join('/'), 'temp/a/b/bar')],
  'test_torrents/symlink2.torrent': [
    (m) => eq('symlink 0', m.files[0].symlink?.join('/'), 'Some.framework/Versions/A/SDL2'),
    (m) => eq('symlink 4', m.files[4].symlink?.join('/'), 'Some.framework/Versions/A'),
  ],
  'test_torrents/overlapping_symlinks.torrent': [
    (m) =>
      eq(
        'symlinks 0..2',
        m.files.slice(0, 3).map((f) => f.symlink?.join('/')),
        ['Headers', 'Resources', 'SDL2'].map((x) => `SDL2.framework/Versions/Current/${x}`),
      ),
  ],
  'test_torrents/pad_file_no_path.torrent': [(m) => eq('pad path', m.files[1]?.path.join('/'), '.pad/2124')],
  'test_torrents/absolute_filename.torrent': [(m) => eq('paths', paths(m), ['temp/abcde', 'temp/foobar'])],
  'test_torrents/invalid_filename.torrent': [(m) => eq('file count', m.files.length, 2)],
  'test_torrents/invalid_filename2.torrent': [(m) => eq('file count', m.files.length, 3)],
  'test_torrents/large_piece_size.torrent': [(m) => eq('piece length', m.pieceLength, 32767 * 0x4000)],
  'test_torrents/sample.torrent': [
    (m) => eq('paths', paths(m, true), ['sample/text_file2.txt', 'sample/.____padding_file/0', 'sample/text_file.txt']),
  ],
};

/** Files whose observed 2.0.8 paths are superseded by the RC_2_1 assertions above. */
const DRIFT_PATHS = new Set([
  'test_torrents/slash_path.torrent',
  'test_torrents/slash_path2.torrent',
  'test_torrents/backslash_path.torrent',
  'test_torrents/symlink_filtered_path.torrent',
  'test_torrents/invalid_directory_name.torrent',
  'test_torrents/invalid_name3.torrent',
  'test_torrents/v2_invalid_filename2.torrent',
]);

interface Observed {
  ok: boolean;
  name?: string;
  num_pieces?: number;
  num_files?: number;
  piece_length?: number;
  total_size?: number;
  files?: { path: string; size: number; flags?: string }[];
  error?: string;
}
interface ExpectedEntry {
  file: string;
  info_hashes?: { v1?: string; v2?: string };
  observed_libtorrent_2_0_8?: Observed;
  error_message?: string;
}

function loadCase(corpus: string, e: ExpectedEntry, mustLoad: boolean): CaseResult {
  const id = e.file;
  const buf = readFileSync(path.join(corpus, 'libtorrent-test-torrents', e.file));
  let m: Metainfo;
  try {
    m = parseTorrent(buf);
  } catch (err) {
    const msg = (err as Error).message;
    if (!mustLoad) return { id, ok: true, detail: `rejected: ${msg}` };
    return { id, ok: false, detail: `expected to load, rejected: ${msg}` };
  }
  if (!mustLoad) return { id, ok: false, detail: `expected rejection (${e.error_message ?? 'error'}), but it loaded` };
  const problems: string[] = [];
  const v1 = e.info_hashes?.v1;
  const v2 = e.info_hashes?.v2;
  if (v1 && m.infoHashHex !== v1) problems.push(`info-hash ${m.infoHashHex}, want ${v1}`);
  if (v2 && m.infoHashV2Hex !== v2) problems.push(`v2 info-hash ${m.infoHashV2Hex}, want ${v2}`);
  // a v2-only torrent's id is the first 40 hex digits of its v2 info-hash
  if (v2 && !v1 && m.infoHashHex !== v2.slice(0, 40)) problems.push(`torrent id ${m.infoHashHex}, want ${v2.slice(0, 40)}`);
  const wantVersion = v1 && v2 ? 'hybrid' : v2 ? 2 : 1;
  if ((v1 || v2) && m.version !== wantVersion) problems.push(`version ${m.version}, want ${wantVersion}`);
  const o = e.observed_libtorrent_2_0_8;
  if (o?.ok) {
    if (o.name !== undefined && !DRIFT_PATHS.has(id)) {
      const p = eq('name', m.name, o.name);
      if (p) problems.push(p);
    }
    for (const [what, got, want] of [
      ['piece length', m.pieceLength, o.piece_length],
      ['piece count', m.pieceCount, o.num_pieces],
      ['total size', m.totalLength, o.total_size],
    ] as const) {
      if (want !== undefined && got !== want) problems.push(`${what}: got ${got}, want ${want}`);
    }
    // non-pad file paths, in order (libtorrent renames/moves pad files; those never reach the disk)
    if (o.files && !DRIFT_PATHS.has(id) && (o.num_files === undefined || o.files.length === o.num_files)) {
      const want = o.files.filter((f) => !(f.flags ?? '').includes('p')).map((f) => f.path);
      const p = eq('paths', paths(m), want);
      if (p) problems.push(p);
    }
  }
  for (const check of ASSERTED[id] ?? []) {
    const p = check(m);
    if (p) problems.push(p);
  }
  return { id, ok: problems.length === 0, detail: problems.join('; ') || `loaded ${m.infoHashHex}` };
}

const torrentSuite: Suite = {
  name: 'torrents',
  run(corpus) {
    const exp = JSON.parse(readFileSync(path.join(corpus, 'libtorrent-test-torrents', 'EXPECTED.json'), 'utf8'));
    const out: CaseResult[] = [];
    for (const e of exp.expected_ok as ExpectedEntry[]) out.push(loadCase(corpus, e, true));
    for (const e of exp.expected_error as ExpectedEntry[]) out.push(loadCase(corpus, e, false));
    for (const e of exp.other as ExpectedEntry[]) {
      // v2_invalid_root_hash: libtorrent refuses it when added (bad piece layer): unusable either way
      out.push(loadCase(corpus, e, !e.file.endsWith('v2_invalid_root_hash.torrent')));
    }
    // mutable_test_torrents and bench-torrents: no assertions beyond what 2.0.8 observed.
    // (BEP 38 file re-use matching, mutable_resolve_links, is not implemented.)
    const seen = new Set<string>();
    for (const dir of ['mutable_test_torrents', 'bench-torrents']) {
      for (const md of readFileSync(path.join(corpus, 'libtorrent-test-torrents', 'EXPECTED.md'), 'utf8').matchAll(
        new RegExp('`([\\w.-]+\\.torrent)`: (.*)', 'g'),
      )) {
        const file = `${dir}/${md[1]}`;
        if (seen.has(md[1]) || !existsSync(path.join(corpus, 'libtorrent-test-torrents', file))) continue;
        seen.add(md[1]);
        const v1 = /v1 ([0-9a-f]{40})/.exec(md[2])?.[1];
        const v2 = /v2 ([0-9a-f]{64})/.exec(md[2])?.[1];
        const name = /name='([^']*)'/.exec(md[2])?.[1];
        const r = loadCase(corpus, { file, info_hashes: { ...(v1 ? { v1 } : {}), ...(v2 ? { v2 } : {}) } }, true);
        if (r.ok && name !== undefined) {
          const m = parseTorrent(readFileSync(path.join(corpus, 'libtorrent-test-torrents', file)));
          if (m.name !== name) Object.assign(r, { ok: false, detail: `name ${m.name}, want ${name}` });
        }
        out.push(r);
      }
    }
    return out;
  },
};

interface BencodeVector {
  input_hex: string;
  valid: boolean;
  category: string;
  note: string;
  input_repr?: string;
  decoded?: number | string;
  decoded_text?: string;
  js_safe_integer?: boolean;
  lenient_ok?: boolean;
  policy?: string;
  depth?: number;
}

function plain(v: BValue): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('latin1');
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof Map) return Object.fromEntries([...v.entries()].map(([k, x]) => [k, plain(x)]));
  return v;
}

const bencodeSuite: Suite = {
  name: 'bencode',
  run(corpus) {
    const vectors = JSON.parse(readFileSync(path.join(corpus, 'bencode-vectors.json'), 'utf8')) as BencodeVector[];
    const out: CaseResult[] = [];
    vectors.forEach((v, i) => {
      const id = `#${i} ${v.category} ${(v.input_repr ?? v.input_hex).slice(0, 40)}`;
      const buf = Buffer.from(v.input_hex, 'hex');
      let value: BValue | undefined;
      let err: unknown;
      try {
        value = decode(buf);
      } catch (e) {
        err = e;
      }
      if (err !== undefined && !(err instanceof BencodeError)) {
        out.push({ id, ok: false, detail: `threw non-BencodeError: ${String(err)}` });
        return;
      }
      // our limits: integers must be safe, nesting at most 64
      const overLimit = v.js_safe_integer === false || (v.depth !== undefined && v.depth > 64);
      if (v.valid && !overLimit) {
        if (err) return out.push({ id, ok: false, detail: `valid input rejected: ${(err as Error).message}` });
        if (v.decoded !== undefined && value !== v.decoded) {
          return out.push({ id, ok: false, detail: `decoded ${String(value)}, want ${v.decoded}` });
        }
        if (v.decoded_text !== undefined && Buffer.from(value as Uint8Array).toString('utf8') !== v.decoded_text) {
          return out.push({ id, ok: false, detail: 'decoded text differs' });
        }
        return out.push({ id, ok: true, detail: `ok ${JSON.stringify(plain(value!)).slice(0, 60)}` });
      }
      if (!err) {
        return out.push({ id, ok: false, detail: v.valid ? `should be rejected by our limits (${v.policy ?? 'depth'})` : 'invalid input accepted' });
      }
      if (v.lenient_ok) {
        // torrent files: decodeWithInfoSpan may accept it (with a warning) or reject it
        let note: string;
        try {
          const r = decodeWithInfoSpan(buf);
          note = `lenient decoder accepts with warning: ${r.warnings.join('; ')}`;
        } catch (e) {
          if (!(e instanceof BencodeError)) return out.push({ id, ok: false, detail: `lenient decoder threw ${String(e)}` });
          note = `lenient decoder rejects too: ${e.message}`;
        }
        return out.push({ id, ok: true, detail: `rejected (${(err as Error).message}); ${note}` });
      }
      out.push({ id, ok: true, detail: `rejected: ${(err as Error).message}` });
    });
    return out;
  },
};

interface MagnetVector {
  uri: string;
  valid: boolean;
  infoHash: string | null;
  infoHashV2?: string;
  name: string | null;
  trackers: string[];
  peers?: string[];
  webSeeds?: string[];
  selectOnly?: number[];
  dhtNodes?: string[];
  notes: string;
}

function magnetDifference(v: MagnetVector): string | undefined {
  if (v.uri.startsWith('stream-magnet:')) return 'magnet:stream-magnet';
  if (v.uri.startsWith('MAGNET:')) return 'magnet:uppercase-scheme';
  return undefined;
}

const magnetSuite: Suite = {
  name: 'magnet',
  run(corpus) {
    const vectors = JSON.parse(readFileSync(path.join(corpus, 'magnet-vectors.json'), 'utf8')) as MagnetVector[];
    return vectors.map((v, i): CaseResult => {
      const diff = magnetDifference(v);
      const id = diff ? `${diff.slice('magnet:'.length)} #${i}` : `#${i} ${v.uri.slice(0, 70)}`;
      let link;
      try {
        link = parseMagnet(v.uri);
      } catch (e) {
        const msg = (e as Error).message;
        return { id, ok: !v.valid, detail: v.valid ? `valid link rejected: ${msg}` : `rejected: ${msg}` };
      }
      if (!v.valid) return { id, ok: false, detail: 'invalid link accepted' };
      const problems: string[] = [];
      const fmt = (p: { host: string; port: number }) => (p.host.includes(':') ? `[${p.host}]:${p.port}` : `${p.host}:${p.port}`);
      const checks: [string, unknown, unknown][] = [
        // a v2-only link's id is the first 40 hex digits of its v2 hash
        ['infoHash', link.infoHashHex, v.infoHash ?? v.infoHashV2?.slice(0, 40)],
        ['infoHashV2', link.infoHashV2Hex, v.infoHashV2],
        ['name', link.name, v.name ?? undefined],
        ['trackers', [...link.trackers].sort(), [...v.trackers].sort()],
      ];
      if (v.peers) checks.push(['peers', link.peers.map(fmt), v.peers]);
      if (v.webSeeds) checks.push(['webSeeds', link.webSeeds, v.webSeeds]);
      if (v.dhtNodes) checks.push(['dhtNodes', link.dhtNodes.map(fmt), v.dhtNodes]);
      // an `so` that selects nothing is ignored (undefined = everything); the vectors write that as []
      checks.push(['selectOnly', link.selectOnly ?? [], v.selectOnly ?? []]);
      for (const [what, got, want] of checks) {
        // a null/absent name in the vector means "not asserted" for malformed dn cases
        if (what === 'name' && v.name === null) continue;
        const p = eq(what, got, want);
        if (p) problems.push(p);
      }
      return { id, ok: problems.length === 0, detail: problems.join('; ') || 'ok' };
    });
  },
};

/**
 * Suites owned by other modules, e.g. the tracker codecs (tracker-samples.json) and KRPC
 * (dht-krpc-samples.json). Add them here by importing from engine/tracker / engine/dht.
 */
export const extraSuites: Suite[] = [
  {
    // Robustness only: every HTTP announce sample parses or fails with a TrackerError. The field
    // by field expectations are checked by engine/tracker/http-codec.test.ts (tracker owner).
    name: 'tracker-http',
    run(corpus) {
      const t = JSON.parse(readFileSync(path.join(corpus, 'tracker-samples.json'), 'utf8')) as {
        http_responses: { name: string; bencoded_hex: string; request_kind?: string }[];
      };
      return t.http_responses
        .filter((h) => !h.request_kind?.startsWith('scrape'))
        .map((h): CaseResult => {
          try {
            parseAnnounceResponse(new Uint8Array(Buffer.from(h.bencoded_hex, 'hex')));
            return { id: h.name, ok: true, detail: 'parsed' };
          } catch (e) {
            return e instanceof TrackerError
              ? { id: h.name, ok: true, detail: `rejected: ${e.message}` }
              : { id: h.name, ok: false, detail: `threw ${String(e)}` };
          }
        });
    },
  },
];

export const suites: Suite[] = [torrentSuite, bencodeSuite, magnetSuite];

export function corpusDir(): string {
  if (process.env.TESSERA_CORPUS) return path.resolve(process.env.TESSERA_CORPUS);
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  return path.resolve(repoRoot, '..', 'shared', 'corpus');
}

export async function main(): Promise<number> {
  const dir = corpusDir();
  if (!existsSync(dir)) {
    console.error(`conformance: corpus not found at ${dir} (set TESSERA_CORPUS)`);
    return 2;
  }
  let passed = 0;
  let failed = 0;
  const differs: string[] = [];
  for (const suite of [...suites, ...extraSuites]) {
    let results: CaseResult[];
    try {
      results = await suite.run(dir);
    } catch (e) {
      results = [{ id: '(suite crashed)', ok: false, detail: (e as Error).stack ?? String(e) }];
    }
    let sp = 0;
    let sf = 0;
    for (const r of results) {
      const key = `${suite.name}:${r.id}`;
      const known =
        KNOWN_DIFFERENCES[key] ?? (suite.name === 'magnet' ? KNOWN_DIFFERENCES[`magnet:${r.id.split(' ')[0]}`] : undefined);
      if (!r.ok && known) {
        differs.push(`${key}: ${known}`);
        console.log(`  differs on purpose: ${key}: ${known}`);
        continue;
      }
      if (r.ok && known && suite.name === 'torrents') {
        console.log(`  NOTE ${key} now passes; remove it from KNOWN_DIFFERENCES`);
      }
      if (r.ok) sp++;
      else sf++;
      console.log(`  ${r.ok ? 'pass' : 'FAIL'} ${key}${r.ok ? '' : ': ' + (r.detail ?? '')}`);
    }
    console.log(`${suite.name}: ${sp} passed, ${sf} failed`);
    passed += sp;
    failed += sf;
  }
  console.log(`${differs.length} differ on purpose (see engine/conformance/DIFFERENCES.md)`);
  console.log(`conformance: ${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then((code) => process.exit(code));
}
