// Worker entry when running from TypeScript source (no build): register tsx in this thread, then load the engine.
import { register } from 'tsx/esm/api';

register();
await import('./entry.ts');
