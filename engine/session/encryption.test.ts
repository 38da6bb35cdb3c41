// Two Tessera clients on loopback under each pair of encryption policies, and hostile encrypted handshakes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EncryptionPolicy } from '../api/types.js';
import { createTorrent } from '../metainfo/create.js';
import { parseTorrent, type Metainfo } from '../metainfo/index.js';
import { patternBytes, waitUntil } from '../testing/wait.js';
import { CRYPTO_RC4, MseResponder, encodeHandshake, makePeerId } from '../wire/index.js';
import { Client } from './client.js';

interface Swarm {
  readonly meta: Metainfo;
  readonly root: string;
  readonly seeder: Client;
  readonly seederLog: string[];
  close(): Promise<void>;
}

async function seed(policy: EncryptionPolicy): Promise<Swarm> {
  const root = mkdtempSync(join(tmpdir(), 'tessera-mse-'));
  mkdirSync(join(root, 'seed'));
  writeFileSync(join(root, 'seed', 'data.bin'), patternBytes(300_000, 4));
  const meta = parseTorrent(await createTorrent(join(root, 'seed', 'data.bin'), { pieceLength: 32_768 }));
  const seederLog: string[] = [];
  const seeder = new Client({ host: '127.0.0.1', encryption: policy, log: (l) => seederLog.push(l) });
  await seeder.listen();
  await seeder.add(meta, { downloadDir: join(root, 'seed'), useTrackers: false, events: { onLog: (l) => seederLog.push(l) } }).start();
  return {
    meta,
    root,
    seeder,
    seederLog,
    async close() {
      await seeder.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Leeches from the swarm's seeder; resolves with the leecher's log once complete (data checked), or after `ms` with `complete: false`. */
async function leech(swarm: Swarm, policy: EncryptionPolicy, ms: number): Promise<{ complete: boolean; log: string[] }> {
  const log: string[] = [];
  const client = new Client({ host: '127.0.0.1', encryption: policy, log: (l) => log.push(l) });
  try {
    await client.listen();
    const t = client.add(swarm.meta, { downloadDir: join(swarm.root, `leech-${policy}`), useTrackers: false, peers: [{ host: '127.0.0.1', port: swarm.seeder.port }], events: { onLog: (l) => log.push(l) } });
    await t.start();
    const complete = await waitUntil(() => t.complete, ms, () => '').then(
      () => true,
      () => false,
    );
    if (complete) assert.ok(readFileSync(join(swarm.root, `leech-${policy}`, 'data.bin')).equals(readFileSync(join(swarm.root, 'seed', 'data.bin'))));
    return { complete, log };
  } finally {
    await client.close();
  }
}

const cases: { leecher: EncryptionPolicy; seeder: EncryptionPolicy; encryption: 'RC4-encrypted' | 'plaintext' }[] = [
  { leecher: 'prefer', seeder: 'prefer', encryption: 'RC4-encrypted' },
  { leecher: 'require', seeder: 'prefer', encryption: 'RC4-encrypted' },
  { leecher: 'prefer', seeder: 'require', encryption: 'RC4-encrypted' },
  { leecher: 'disable', seeder: 'prefer', encryption: 'plaintext' },
  { leecher: 'prefer', seeder: 'disable', encryption: 'plaintext' },
];

for (const c of cases) {
  test(`a ${c.leecher} leecher downloads from a ${c.seeder} seeder: ${c.encryption}`, { timeout: 30_000 }, async () => {
    const swarm = await seed(c.seeder);
    try {
      const r = await leech(swarm, c.leecher, 20_000);
      assert.ok(r.complete, r.log.join('\n'));
      const connected = r.log.filter((l) => l.startsWith('connected to '));
      assert.ok(connected.length > 0 && connected.every((l) => l.endsWith(`, ${c.encryption}`)), r.log.join('\n'));
      if (c.seeder === 'disable') {
        assert.ok(r.log.some((l) => /encrypted handshake failed .*trying plaintext/.test(l)), r.log.join('\n'));
        assert.ok(swarm.seederLog.some((l) => /refused an encrypted \(MSE\) connection from 127\.0\.0\.1:\d+: encryption is disabled/.test(l)));
      }
    } finally {
      await swarm.close();
    }
  });
}

test('require and disable never meet, and each side says why', { timeout: 30_000 }, async () => {
  const strict = await seed('disable');
  try {
    const r = await leech(strict, 'require', 2_000);
    assert.equal(r.complete, false);
    assert.ok(r.log.some((l) => /connect 127\.0\.0\.1:\d+ failed: encrypted handshake failed \(encryption is required\)/.test(l)), r.log.join('\n'));
    assert.ok(strict.seederLog.some((l) => /encryption is disabled/.test(l)), strict.seederLog.join('\n'));
  } finally {
    await strict.close();
  }
  const required = await seed('require');
  try {
    const r = await leech(required, 'disable', 2_000);
    assert.equal(r.complete, false);
    assert.ok(required.seederLog.some((l) => /refused a plaintext connection from 127\.0\.0\.1:\d+: encryption is required/.test(l)), required.seederLog.join('\n'));
    assert.ok(r.log.some((l) => /no handshake from 127\.0\.0\.1:\d+ \(plaintext\)/.test(l)), r.log.join('\n'));
  } finally {
    await required.close();
  }
});

/** Sends `bytes` to the seeder and resolves when it closes the connection. */
function sendAndWaitForClose(port: number, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(bytes));
    socket.on('data', () => {});
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
}

test('hostile encrypted handshakes are dropped with a one-line reason, and the seeder goes on serving', { timeout: 30_000 }, async () => {
  const swarm = await seed('prefer');
  try {
    await sendAndWaitForClose(swarm.seeder.port, new Uint8Array(96));
    await sendAndWaitForClose(swarm.seeder.port, patternBytes(96 + 600, 7));
    const reasons = swarm.seederLog.filter((l) => l.startsWith('dropped an encrypted connection'));
    assert.equal(reasons.length, 2, swarm.seederLog.join('\n'));
    assert.match(reasons[0], /invalid Diffie-Hellman public key/);
    assert.match(reasons[1], /no req1 hash within 512 bytes/);
    const r = await leech(swarm, 'require', 20_000);
    assert.ok(r.complete, r.log.join('\n'));
  } finally {
    await swarm.close();
  }
});

test("a peer whose handshake comes with its encrypted answer gets ours first, as Transmission expects", { timeout: 20_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'tessera-mse-order-'));
  writeFileSync(join(root, 'one.bin'), patternBytes(40_000, 2));
  const meta = parseTorrent(await createTorrent(join(root, 'one.bin'), { pieceLength: 16_384 }));
  const firstPayload = new Promise<Buffer>((resolve, reject) => {
    const server = createServer((socket) => {
      const responder = new MseResponder({ allow: CRYPTO_RC4, findInfoHash: () => meta.infoHash });
      let decrypt: ((b: Uint8Array) => void) | null = null;
      let got = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        if (decrypt) {
          decrypt(chunk);
          got = Buffer.concat([got, chunk]);
          if (got.length >= 20) {
            resolve(got.subarray(0, 20));
            socket.destroy();
            server.close();
          }
          return;
        }
        const step = responder.receive(chunk);
        if (!step.done) return void (step.send && socket.write(step.send));
        const done = step.done;
        const hs = Buffer.from(encodeHandshake({ infoHash: meta.infoHash, peerId: makePeerId(), extensions: { extended: true, fast: true, dht: false } }));
        done.encrypt!.apply(hs);
        socket.write(Buffer.concat([step.send!, hs]));
        decrypt = (b) => done.decrypt!.apply(b);
      });
      socket.on('error', reject);
    }).listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      const client = new Client({ host: '127.0.0.1', encryption: 'require' });
      void client.listen().then(() => client.add(meta, { downloadDir: join(root, 'leech'), useTrackers: false, peers: [{ host: '127.0.0.1', port }] }).start());
      void firstPayload.finally(() => client.close());
    });
  });
  try {
    assert.equal((await firstPayload).toString('latin1'), '\x13BitTorrent protocol');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
