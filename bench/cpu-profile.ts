// Sums a V8 .cpuprofile (node --cpu-prof) by category (our JavaScript by module, Node's and V8's built-ins, garbage
// collection, hashing, the idle loop) and by function. Used by `npm run bench profile` and `npm run bench seed`.

const TOP = Number(process.env.TESSERA_PROFILE_TOP ?? 25);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function category(node: ProfileNode): string {
  const { functionName: fn, url } = node.callFrame;
  if (fn === '(garbage collector)') return 'garbage collection';
  if (fn === '(idle)') return 'idle (waiting for the kernel)';
  if (fn === '(program)') return 'V8/native outside JS';
  if (/hash|digest|update/i.test(fn) && (url === '' || url.startsWith('node:'))) return 'hashing (native)';
  if (url.includes('/engine/')) return `engine/${url.split('/engine/')[1].split('/')[0]}`;
  if (url.startsWith('node:')) return `node built-ins (${url.slice(5).split('/')[0]})`;
  if (url === '') return 'native built-ins';
  return 'other JS';
}

/** Prints a V8 .cpuprofile's self time by category and its top functions (TESSERA_PROFILE_TOP, default 25). */
export function summariseProfile(profile: CpuProfile): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + profile.timeDeltas[i]);
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const cats = new Map<string, number>();
  const fns = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id)!;
    cats.set(category(node), (cats.get(category(node)) ?? 0) + us);
    const where = node.callFrame.url ? `${node.callFrame.url.replace(/^file:\/\/.*?\/(engine|node_modules)\//, '$1/')}:${node.callFrame.lineNumber + 1}` : '';
    const key = `${node.callFrame.functionName || '(anonymous)'} ${where}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
  }
  const pct = (us: number): string => `${((100 * us) / total).toFixed(1).padStart(5)} %  ${(us / 1e6).toFixed(2).padStart(6)} s`;
  console.log(`\nprofile: ${(total / 1e6).toFixed(2)} s sampled wall time of the main thread`);
  for (const [name, us] of [...cats].sort((a, b) => b[1] - a[1])) console.log(`  ${pct(us)}  ${name}`);
  console.log(`\ntop ${TOP} functions by self time:`);
  for (const [name, us] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`  ${pct(us)}  ${name}`);
}
