// The lab itself: two hosts through a router exchange UDP and TCP; close() leaves no namespace and no veth behind,
// also when the test throws; namespaces of a dead earlier run are swept.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { Lab, listNamespaces, measureRtt, runBulkFlow, startBulkSink, startUdpEcho } from '../../testing/lab/index.js';

const twoHosts = { hosts: [{ name: 'a' }, { name: 'b' }], routers: [{ name: 'r' }], links: [{ a: 'a', b: 'r' }, { a: 'r', b: 'b' }] };

function rootVeths(): string[] {
  return execFileSync('ip', ['-o', 'link', 'show', 'type', 'veth'], { encoding: 'utf8' }).split('\n').filter((l) => l.trim() !== '');
}

describe('network lab basics', { timeout: 120_000 }, () => {
  const labs: Lab[] = [];
  after(() => Promise.all(labs.map((l) => l.close())));

  it('two hosts on different subnets exchange UDP and TCP through a router; no namespace or veth survives close()', async () => {
    const vethsBefore = rootVeths();
    const lab = await Lab.create(twoHosts);
    labs.push(lab);
    const names = [...lab.plan.kinds.keys()].map((n) => lab.namespace(n));
    assert.deepEqual(names.filter((n) => listNamespaces().includes(n)).sort(), [...names].sort());
    assert.notEqual(lab.address('a').split('.')[2], lab.address('b').split('.')[2], 'a and b sit on different subnets');
    assert.match(lab.address('a'), /^10\.199\./);

    await startUdpEcho(lab, 'b', 7000);
    const rtt = await measureRtt(lab, 'a', { host: lab.address('b'), port: 7000 }, { count: 20, intervalMs: 10, waitMs: 500 });
    assert.equal(rtt.received, 20, `UDP echo through the router: ${rtt.received}/20 answered`);

    const sink = await startBulkSink(lab, 'b', 5001);
    const flow = await runBulkFlow(lab, 'a', sink, { host: lab.address('b'), port: 5001 }, 1);
    assert.ok(flow.bytes > 1_000_000, `TCP bulk flow moved only ${flow.bytes} bytes`);

    // The root namespace has no route into the lab: it is not attached at all.
    const routes = execFileSync('ip', ['route', 'get', lab.address('b')], { encoding: 'utf8' });
    assert.doesNotMatch(routes, /dev (e\d|p\d)\b/);

    await lab.close();
    assert.deepEqual(names.filter((n) => listNamespaces().includes(n)), [], 'namespaces left after close()');
    assert.deepEqual(rootVeths(), vethsBefore, 'veth interfaces in the root namespace changed');
  });

  it('close() after an error thrown inside the test still stops processes and removes everything', async () => {
    let lab: Lab | undefined;
    let pid = -1;
    await assert.rejects(async () => {
      lab = await Lab.create(twoHosts);
      labs.push(lab);
      const proc = lab.spawn('a', 'sleep', ['600']);
      pid = proc.pid;
      try {
        await lab.exec('a', 'false', []);
      } finally {
        await lab.close();
      }
    }, /false failed/);
    assert.ok(lab);
    assert.ok(pid > 0);
    assert.throws(() => process.kill(pid, 0), /ESRCH/, 'the process started in the lab is still running');
    const names = [...lab.plan.kinds.keys()].map((n) => lab?.namespace(n) ?? '');
    assert.deepEqual(names.filter((n) => listNamespaces().includes(n)), []);
  });

  it('namespaces left by a dead earlier run (same prefix, dead pid) are swept by the next Lab.create()', async () => {
    // A pid that cannot be alive: above the kernel's pid_max.
    const stale = 'tlab99999999x1-h';
    execFileSync('ip', ['netns', 'add', stale]);
    try {
      const lab = await Lab.create({ hosts: [{ name: 'h' }], links: [] });
      labs.push(lab);
      assert.ok(!listNamespaces().includes(stale), 'the stale namespace survived');
      await lab.close();
    } finally {
      if (listNamespaces().includes(stale)) execFileSync('ip', ['netns', 'delete', stale]);
    }
  });
});
