// DHT interop on 127.0.0.1: a private DHT of 20 bittorrent-dht (npm) nodes, each bootstrapped from the first.
// Our DhtNode joins through that one node; a bittorrent-dht node finds the peer we announce, and we find the peer a
// bittorrent-dht node announces. Everything on loopback, bounded, closed in after().
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import DHT from 'bittorrent-dht';
import { btLookup, destroy, listen, ready } from './bt-dht.js';
import { withTimeout } from '../../testing/index.js';
import { DhtNode, startDht, type PeerAddress } from '../../dht/node.js';

const SIZE = 20;
const HOST = '127.0.0.1';


describe('DHT interop with bittorrent-dht (npm) on loopback', { timeout: 40_000 }, () => {
  const others: DHT[] = [];
  let ours: DhtNode | null = null;
  let bootstrapPort = 0;

  before(async () => {
    const first = new DHT({ bootstrap: false });
    others.push(first);
    bootstrapPort = await listen(first);
    for (let i = 1; i < SIZE; i++) {
      const d = new DHT({ bootstrap: [`${HOST}:${bootstrapPort}`] });
      others.push(d);
      await listen(d);
    }
    await withTimeout(Promise.all(others.slice(1).map(ready)), 15_000, 'bittorrent-dht nodes ready');
  });

  after(async () => {
    await ours?.close();
    await Promise.all(others.map(destroy));
  });

  test('our node joins through one bootstrap node', async () => {
    const { node } = await startDht({
      port: 0,
      host: HOST,
      bootstrap: [{ host: HOST, port: bootstrapPort }],
      // Every node shares 127.0.0.1: lift the one-node-per-IP rule of the routing table.
      maxNodesPerIp: 1000,
    });
    ours = node;
    await withTimeout(node.start(), 10_000, 'bootstrap');
    assert.ok(node.nodeCount >= 8, `only ${node.nodeCount} nodes in our table`);
  });

  test('a bittorrent-dht node finds the peer we announce', async () => {
    assert.ok(ours);
    const infoHash = Buffer.from('5e55e5a0f8a1c3b2d4e6f80910213243546576a8', 'hex');
    const res = await withTimeout(ours.announce(infoHash, 40001), 10_000, 'our announce');
    assert.ok(res.announcedTo >= 4, `announce_peer acknowledged by ${res.announcedTo} nodes`);
    // A node far down the list, that did not bootstrap us.
    const peers = await withTimeout(btLookup(others[SIZE - 3], Buffer.from(infoHash).toString('hex')), 10_000, 'bittorrent-dht lookup');
    assert.ok(
      peers.some((p) => p.host === HOST && p.port === 40001),
      `bittorrent-dht found ${JSON.stringify(peers)}`,
    );
  });

  test('our node finds the peer a bittorrent-dht node announces', async () => {
    assert.ok(ours);
    const infoHash = Buffer.from('a1b2c3d4e5f60718293a4b5c6d7e8f9011223344', 'hex');
    await withTimeout(
      new Promise<void>((resolve, reject) => others[SIZE - 7].announce(infoHash, 40002, (err) => (err ? reject(err) : resolve()))),
      10_000,
      'bittorrent-dht announce',
    );
    const streamed: PeerAddress[] = [];
    for await (const p of ours.getPeers(infoHash)) streamed.push(p);
    assert.ok(
      streamed.some((p) => p.host === HOST && p.port === 40002),
      `we found ${JSON.stringify(streamed)}`,
    );
  });
});
