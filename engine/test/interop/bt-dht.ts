// Promise wrappers around bittorrent-dht (npm), the DHT we did not write, for the interop tests.
import DHT, { type DhtPeer } from 'bittorrent-dht';

export const LOOPBACK = '127.0.0.1';

export function listen(d: DHT, host = LOOPBACK): Promise<number> {
  return new Promise((resolve) => d.listen(0, host, () => resolve(d.address().port)));
}

export function ready(d: DHT): Promise<void> {
  return new Promise((resolve) => (d.ready ? resolve() : d.on('ready', () => resolve())));
}

export function destroy(d: DHT): Promise<void> {
  return new Promise((resolve) => d.destroy(() => resolve()));
}

/** One bittorrent-dht get_peers lookup; the peers it reported for `infoHashHex`. */
export function btLookup(d: DHT, infoHashHex: string): Promise<DhtPeer[]> {
  return new Promise((resolve, reject) => {
    const found: DhtPeer[] = [];
    const onPeer = (peer: DhtPeer, ih: Uint8Array): void => {
      if (Buffer.from(ih).toString('hex') === infoHashHex) found.push(peer);
    };
    d.on('peer', onPeer);
    d.lookup(infoHashHex, (err) => {
      d.off('peer', onPeer);
      if (err) reject(err);
      else resolve(found);
    });
  });
}
