// A hostile home router for the lab: on a NAT router's LAN address it answers SSDP multicast searches (port 1900,
// group 239.255.255.250 on that interface only), serves a device description and SOAP over HTTP, and answers
// NAT-PMP/PCP on UDP 5351, misbehaving as `--mode` says. Prints `listening` when ready; stops on SIGTERM.
//   entity-bomb   the device description is a billion-laughs DTD
//   ssdp-flood    every search gets 300 replies of binary garbage
//   endless       the device description never ends
//   pmp-garbage   every NAT-PMP/PCP request gets 20 malformed replies (no UPnP)
import { FakeIgd, FakePmpRouter } from '../../../net/portmap/test-fake-router.js';
import { flags } from './args.js';

const { flags: f } = flags(process.argv.slice(2), ['host', 'mode']);
const host = f.host;
const mode = f.mode;
if (!host || !mode) throw new Error('usage: hostile-router.ts --host LAN_ADDRESS --mode entity-bomb|ssdp-flood|endless|pmp-garbage');

const pmp = await FakePmpRouter.start({ host, port: 5351 });
const igd = mode === 'pmp-garbage' ? null : await FakeIgd.start({ host, multicast: true });
if (mode === 'pmp-garbage') pmp.behaviour.reply = () => Array.from({ length: 20 }, (_, i) => Buffer.alloc(3 + i, 0xee));
else pmp.behaviour.reply = () => null; // silent: only UPnP is on this router
if (igd && mode === 'entity-bomb') {
  igd.behaviour.description = `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><root>&c;</root>`;
} else if (igd && mode === 'ssdp-flood') {
  igd.behaviour.ssdp = '\u00ff\u0000garbage'.repeat(40);
  igd.behaviour.ssdpCopies = 300;
} else if (igd && mode === 'endless') {
  igd.behaviour.descriptionHttp = 'endless';
} else if (mode !== 'pmp-garbage') {
  throw new Error(`unknown --mode ${mode}`);
}
console.log('listening');
process.once('SIGTERM', () => {
  void Promise.all([pmp.close(), igd?.close()]).then(() => {
    console.log(`stopped http-requests=${igd?.httpRequests ?? 0} bytes-sent=${igd?.bytesSent ?? 0} pmp-requests=${pmp.requests.length}`);
  });
});
