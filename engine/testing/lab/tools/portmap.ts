// Runs the engine's PortMapper alone on a lab host (to test one protocol against a real router).
// `--port P --methods pcp,nat-pmp,upnp`: prints `mapped <status JSON>` (or `failed <status JSON>`) after the first
// round, keeps the mapping until SIGTERM, then removes it and prints `stopped`.
import { PortMapper } from '../../../net/portmap/port-mapper.js';
import type { MappingMethod } from '../../../net/portmap/types.js';
import { flags, num } from './args.js';

const { flags: f } = flags(process.argv.slice(2), ['port', 'methods']);
const methods = (f.methods ?? 'pcp,nat-pmp,upnp').split(',') as MappingMethod[];
const mapper = new PortMapper({ internalPort: num(f, 'port'), methods, log: (l) => console.log(`log ${l}`) });
const keepAlive = setInterval(() => undefined, 60_000);
process.once('SIGTERM', () => {
  void mapper.stop().then(() => {
    console.log('stopped');
    clearInterval(keepAlive);
  });
});
await mapper.start();
console.log(`${mapper.status.state} ${JSON.stringify(mapper.status)}`);
