// Issue 12, must-show 4, in the lab: a home PC behind a NAT router namespace whose "router" is hostile
// (tools/hostile-router.ts on the router's LAN address). Discovery is real: SSDP multicast on the home LAN only
// (the namespace's own link; nothing reaches the host's network), NAT-PMP/PCP to the PC's default gateway. The
// engine's PortMapper (tools/portmap.ts) on the PC keeps running and prints a failed status with one clear line.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Lab } from '../../testing/lab/index.js';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const tools = join(repo, 'engine', 'testing', 'lab', 'tools');

interface Status {
  state: string;
  method: string | null;
  message: string;
}

describe('lab: a hostile router on the home LAN', { timeout: 300_000 }, () => {
  let lab: Lab;
  let gateway: string;

  before(async () => {
    lab = await Lab.create({
      switches: [{ name: 'inet' }],
      routers: [{ name: 'home', nat: { wan: 'inet' } }],
      hosts: [{ name: 'pc' }],
      links: [{ a: 'home', b: 'inet' }, { a: 'home', b: 'pc' }],
    });
    gateway = lab.address('home', { toward: 'pc' });
    const pcIf = lab.plan.attachments.find((a) => a.node === 'pc')!.ifname;
    await lab.exec('pc', 'ip', ['route', 'add', 'default', 'via', gateway]);
    await lab.exec('pc', 'ip', ['route', 'add', '239.0.0.0/8', 'dev', pcIf]);
  });
  after(() => lab?.close());

  async function mapAgainst(mode: string, methods: string): Promise<{ status: Status; routerLine: string; logs: string[] }> {
    const router = lab.spawn('home', process.execPath, ['--import', 'tsx', join(tools, 'hostile-router.ts'), '--host', gateway, '--mode', mode], { cwd: repo, name: `hostile-${mode}`, stopSignal: 'SIGTERM' });
    await router.waitForLine(/^listening$/, 30_000).catch((e: Error) => assert.fail(`${e.message}\n${router.tail(20)}`));
    const tool = lab.spawn('pc', process.execPath, ['--import', 'tsx', join(tools, 'portmap.ts'), '--port', '6881', '--methods', methods], { cwd: repo, name: `portmap-${mode}`, stopSignal: 'SIGTERM' });
    const line = await tool.waitForLine(/^(mapped|failed) /, 60_000).catch((e: Error) => assert.fail(`${e.message}\n${tool.tail(20)}`));
    const status = JSON.parse(line.input.slice(line[0].length)) as Status;
    // Still running after the router's worst: SIGTERM gets an orderly stop.
    tool.signal('SIGTERM');
    await tool.waitForLine(/^stopped$/, 20_000);
    router.signal('SIGTERM');
    const routerLine = (await router.waitForLine(/^stopped .*/, 20_000)).input;
    return { status, routerLine, logs: tool.lines().filter((l) => l.startsWith('log ')) };
  }

  it('a billion-laughs device description, found by SSDP multicast', async () => {
    const { status, logs } = await mapAgainst('entity-bomb', 'upnp');
    assert.equal(status.state, 'failed');
    assert.equal(status.message, "mapping failed: UPnP: the router's device description is not valid XML (document type declarations and entities are not accepted)", logs.join('\n'));
  });

  it('300 garbage SSDP replies to every search', async () => {
    const { status, routerLine } = await mapAgainst('ssdp-flood', 'upnp');
    assert.equal(status.state, 'failed');
    assert.equal(status.message, `mapping failed: UPnP: unusable SSDP reply from ${gateway} (SSDP reply is not an HTTP/1.x 200 response)`);
    assert.match(routerLine, /http-requests=0 /, 'no description was fetched from garbage');
  });

  it('an endless device description: read up to 128 KiB, then dropped', async () => {
    const { status, routerLine } = await mapAgainst('endless', 'upnp');
    assert.equal(status.message, "mapping failed: UPnP: the router's device description is too large (response exceeds the 131072-byte limit)");
    const sent = Number(/bytes-sent=(\d+)/.exec(routerLine)?.[1]);
    assert.ok(sent < 16 << 20, `the router pushed ${sent} bytes before we hung up`);
  });

  it('NAT-PMP/PCP garbage from the default gateway', async () => {
    const { status } = await mapAgainst('pmp-garbage', 'pcp,nat-pmp');
    assert.equal(status.state, 'failed');
    assert.match(status.message, /^mapping failed: (PCP|NAT-PMP): the router sent garbage \(\d+ malformed replies; last: .+\)$/);
  });
});
