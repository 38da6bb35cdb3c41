// The import rules of ../shared/ARCHITECTURE.md, checked by `npm run lint` (scripts/lint.mjs) with
// dependency-cruiser, which resolves every import the way TypeScript does: static, dynamic (`import()`),
// side-effect (`import "x"`), re-exports and `require`, bare and `node:` built-ins alike.
// Type-only imports are exempt from the I/O rules (a type opens no socket) but count for cycles and layering.
/* eslint-disable */

/** Sources the rules are about: test files and test helpers may open sockets, spawn clients and so on. */
const TESTS = '(\\.test\\.tsx?$|(^|/)test-[^/]+\\.tsx?$|^engine/(test|testing)/|\\.d\\.ts$)';
/** Modules that open sockets or servers. */
const SOCKETS = '^(node:)?(net|dgram|tls|http|https|http2)$';
const SOCKET_PACKAGES = '(^|/)node_modules/(@types/)?(ws|undici|node-fetch|axios|got)/';
/** Leaves: they may be used by the orchestrators but never reach up into them. */
const LEAVES = '^engine/(bencode|wire|metainfo|picker|choker|common|api|dht|tracker|peer|net|storage|rss)/';
/** Pure codecs and state machines: no sockets, files, processes, threads or timers modules. */
const PURE = '^engine/(bencode|wire|picker|choker|common|api|rss)/';
const IO = '^(node:)?(net|dgram|tls|http|https|http2|fs|fs/promises|child_process|worker_threads|timers|timers/promises)$';
const ONLY_VALUE = { dependencyTypesNot: ['type-only'] };

module.exports = {
  forbidden: [
    {
      name: 'sockets-only-in-net',
      comment: 'Only engine/net opens sockets (the daemon serves HTTP and WebSocket from engine/daemon).',
      severity: 'error',
      from: { path: '^(engine|electron|renderer)/', pathNot: [TESTS, '^engine/(net|daemon)/'] },
      to: { path: [SOCKETS, SOCKET_PACKAGES], ...ONLY_VALUE },
    },
    {
      name: 'daemon-only-serves',
      comment: 'engine/daemon may run its own HTTP server (node:http) and WebSocket server (ws), and open nothing else.',
      severity: 'error',
      from: { path: '^engine/daemon/', pathNot: TESTS },
      to: { path: '^(node:)?(net|dgram|tls|https|http2)$', ...ONLY_VALUE },
    },
    {
      name: 'worker-threads-only-in-worker',
      comment: 'Only engine/worker touches worker_threads.',
      severity: 'error',
      from: { path: '^(engine|electron|renderer)/', pathNot: [TESTS, '^engine/worker/'] },
      to: { path: '^(node:)?worker_threads$', ...ONLY_VALUE },
    },
    {
      name: 'leaves-point-inward',
      comment: 'Leaf modules never import the orchestrators (torrent/, session/) or the front ends (cli/, daemon/, worker/).',
      severity: 'error',
      from: { path: LEAVES, pathNot: TESTS },
      to: { path: '^engine/(torrent|session|cli|daemon|worker)/' },
    },
    {
      name: 'codecs-are-pure',
      comment: 'Codecs and pure state machines open no sockets or files, start no processes, threads or timers modules.',
      severity: 'error',
      from: { path: PURE, pathNot: TESTS },
      to: { path: IO, ...ONLY_VALUE },
    },
    {
      name: 'metainfo-and-tracker-codecs-are-pure',
      comment: 'metainfo parsing and the tracker codecs are pure too (torrent creation, metainfo/create*.ts, reads the files it hashes).',
      severity: 'error',
      from: { path: ['^engine/metainfo/', '^engine/tracker/[^/]*codec[^/]*$', '^engine/net/portmap/[^/]*codec[^/]*$', '^engine/dht/krpc'], pathNot: [TESTS, '^engine/metainfo/create[^/]*\\.ts$'] },
      to: { path: IO, ...ONLY_VALUE },
    },
    {
      name: 'engine-is-headless',
      comment: 'engine/ imports nothing from electron/ or renderer/, and no UI packages.',
      severity: 'error',
      from: { path: '^engine/' },
      to: { path: ['^(electron|renderer)/', '(^|/)node_modules/(@types/)?(electron|react|react-dom|zustand)/', '^electron$'] },
    },
    {
      name: 'renderer-sees-only-the-api',
      comment: 'renderer/ reaches the engine only through engine/api, and never Node or Electron.',
      severity: 'error',
      from: { path: '^renderer/', pathNot: TESTS },
      to: {
        dependencyTypesNot: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-bundled', 'npm-no-pkg', 'npm-unknown'],
        pathNot: ['^renderer/', '^engine/api/'],
      },
    },
    {
      name: 'renderer-is-not-electron',
      comment: 'The renderer runs sandboxed (and in a plain browser): it reaches Electron only through the preload bridge.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: ['(^|/)node_modules/(@types/)?electron/', '^electron$'] },
    },
    {
      name: 'renderer-tests-see-only-the-api',
      comment: "The renderer's tests run under Node, but reach the engine only through engine/api too.",
      severity: 'error',
      from: { path: '^renderer/.*' + TESTS },
      to: { path: '^(engine|electron)/', pathNot: '^engine/api/' },
    },
    {
      name: 'electron-is-a-thin-adapter',
      comment: 'electron/ uses engine/api, hosts the engine through engine/worker, and shares the renderer bridge contract; tests may use engine/testing.',
      severity: 'error',
      from: { path: '^electron/', pathNot: TESTS },
      to: {
        path: '^(engine|renderer)/',
        pathNot: ['^engine/api/', '^engine/worker/', '^renderer/api/bridge\\.ts$'],
      },
    },
    {
      name: 'no-file-access-outside-owners',
      comment: 'Only storage/ (the download folder), session/ (its data folder), the front ends and metainfo/create touch files (and net/portmap/gateway.ts reads /proc/net/route, net/utp/link-mtu.ts /sys/class/net/*/mtu).',
      severity: 'error',
      from: {
        path: '^engine/',
        pathNot: [TESTS, '^engine/(storage|session|cli|daemon|worker|conformance)/', '^engine/metainfo/create[^/]*\\.ts$', '^engine/[^/]+\\.ts$', '^engine/net/portmap/gateway\\.ts$', '^engine/net/utp/link-mtu\\.ts$'],
      },
      to: { path: '^(node:)?fs(/promises)?$', ...ONLY_VALUE },
    },
    {
      name: 'no-unresolvable',
      comment: 'An import that does not resolve is a bug (or a way around these rules).',
      severity: 'error',
      from: { path: '^(engine|electron|renderer)/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.d.ts'],
    },
    builtInModules: { add: [] },
  },
};
