// Entry point used when running from source (`node --import tsx engine/cli/tessera.ts`); bin/tessera.js runs the build.
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
setTimeout(() => process.exit(), 1000).unref();
