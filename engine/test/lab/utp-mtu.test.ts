// uTP path MTU discovery on real paths: sender `a` → router r1 → router r2 → receiver `b`, bare uTP (tools/utp-transfer.ts).
// 1. The r1–r2 link has MTU 1280 and r1 silently drops what it cannot forward: it sends no ICMP "fragmentation
//    needed" (a PMTU black hole). 2. The same link, r1 sends the ICMP (the sender's kernel learns the PMTU and then
//    fragments larger datagrams itself) but drops every IP fragment. In both the transfer must arrive byte for byte
//    with data packets that fit 1280 (the sender's interface allows 1500, so probes above 1280 are really sent).
// 3. Every link at MTU 9000: the packet size must grow past Ethernet's 1500.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Lab, runUtpSend, startUtpReceiver, utpReceived } from '../../testing/lab/index.js';

const BYTES = 8 << 20;
/** IPv4 + UDP headers: a datagram of D bytes is an IP packet of D + 28. */
const IP_UDP = 28;

describe('uTP path MTU discovery in the lab', { timeout: 600_000 }, () => {
  let lab: Lab;

  before(async () => {
    lab = await Lab.create({
      hosts: [{ name: 'a' }, { name: 'b' }],
      routers: [{ name: 'r1' }, { name: 'r2' }],
      links: [{ a: 'a', b: 'r1' }, { a: 'r1', b: 'r2' }, { a: 'r2', b: 'b' }],
    });
  });

  after(async () => {
    await lab?.close();
  });

  /** Sets the MTU of both ends of the link between two nodes. */
  async function setLinkMtu(x: string, y: string, mtu: number): Promise<void> {
    for (const [node, peer] of [[x, y], [y, x]]) {
      const att = lab.plan.attachments.find((t) => t.node === node && t.peer === peer);
      assert.ok(att, `no link ${node}–${peer}`);
      await lab.exec(node, 'ip', ['link', 'set', att.ifname, 'mtu', String(mtu)]);
    }
  }

  /** r1's firewall: `rules` inside a fresh table (an empty string: none). */
  async function setR1Rules(rules: string): Promise<void> {
    await lab.exec('r1', 'nft', ['-f', '-'], { input: `table inet mtutest\ndelete table inet mtutest\ntable inet mtutest {\n${rules}\n}\n` });
  }

  async function transfer(port: number): Promise<{ datagram: number; ceiling: number; probesLost: number; probesAcked: number; mbit: number }> {
    // Forget PMTU learnt by an earlier case (exceptions are per destination in the sender's namespace).
    await lab.exec('a', 'ip', ['route', 'flush', 'cache']);
    const receiver = await startUtpReceiver(lab, 'b', port);
    const sent = await runUtpSend(lab, 'a', { host: lab.address('b'), port }, BYTES);
    const got = await utpReceived(receiver);
    assert.equal(got.bytes, BYTES, 'every byte arrived');
    assert.equal(got.sha1, sent.sha1, 'byte for byte');
    const m = sent.pathMtu;
    const mbit = (BYTES * 8) / sent.seconds / 1e6;
    console.log(`#   data in ${m.datagram}-byte datagrams (${m.datagram + IP_UDP}-byte IP packets), ceiling ${m.ceiling}, probes ${m.probesSent}: ${m.probesAcked} acked, ${m.probesLost} lost; ${mbit.toFixed(0)} Mbit/s`);
    return { ...m, mbit };
  }

  it('a 1280-MTU middle link that drops oversize packets without ICMP (a black hole): packets settle below 1280', async () => {
    await setLinkMtu('r1', 'r2', 1280);
    await setR1Rules('chain mtu_out {\ntype filter hook output priority 0;\nicmp type destination-unreachable icmp code frag-needed drop\n}');
    const r = await transfer(7001);
    assert.ok(r.datagram + IP_UDP <= 1280, `IP packets of ${r.datagram + IP_UDP} bytes do not fit 1280`);
    assert.ok(r.probesLost > 0, 'probes above the path MTU were sent and lost');
    assert.ok(r.datagram > 1220, `discovery found nothing above the 1220-byte start (${r.datagram})`);
  });

  it('a 1280-MTU middle link that answers with ICMP but drops IP fragments: packets settle below 1280', async () => {
    await setR1Rules('chain mtu_fwd {\ntype filter hook forward priority 0;\nip frag-off & 0x3fff != 0 drop\n}');
    const r = await transfer(7002);
    assert.ok(r.datagram + IP_UDP <= 1280, `IP packets of ${r.datagram + IP_UDP} bytes do not fit 1280`);
    assert.ok(r.probesLost > 0, 'probes above the path MTU were sent and lost');
  });

  it('every link at MTU 9000: packets grow past 1500', async () => {
    await setR1Rules('');
    for (const [x, y] of [['a', 'r1'], ['r1', 'r2'], ['r2', 'b']] as const) await setLinkMtu(x, y, 9000);
    const r = await transfer(7003);
    assert.ok(r.datagram + IP_UDP > 1500, `IP packets of ${r.datagram + IP_UDP} bytes: no bigger than Ethernet's`);
    assert.ok(r.datagram + IP_UDP <= 9000);
  });
});
