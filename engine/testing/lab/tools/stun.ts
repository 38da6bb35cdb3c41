// A minimal STUN server (RFC 5389 Binding only) for the lab's "public" side: miniupnpd on a NAT router with a private
// WAN address learns its external address from it (ext_perform_stun). `server --port P`: answers every Binding
// request with the source address it came from, as MAPPED-ADDRESS and XOR-MAPPED-ADDRESS.
import { createSocket } from 'node:dgram';
import { flags, num } from './args.js';

const MAGIC = 0x2112a442;
const { flags: f } = flags(process.argv.slice(2), ['port']);
const port = num(f, 'port', 3478);
const sock = createSocket('udp4');

sock.on('message', (msg, from) => {
  if (msg.length < 20 || msg.readUInt16BE(0) !== 0x0001) return; // Binding request
  const ip = from.address.split('.').map(Number);
  const attr = (type: number, xor: boolean): Buffer => {
    const a = Buffer.alloc(12);
    a.writeUInt16BE(type, 0);
    a.writeUInt16BE(8, 2);
    a[5] = 1; // IPv4
    a.writeUInt16BE(xor ? from.port ^ (MAGIC >>> 16) : from.port, 6);
    for (let i = 0; i < 4; i++) a[8 + i] = xor ? ip[i]! ^ ((MAGIC >>> (24 - 8 * i)) & 255) : ip[i]!;
    return a;
  };
  const body = Buffer.concat([attr(0x0001, false), attr(0x0020, true)]);
  const head = Buffer.alloc(20);
  head.writeUInt16BE(0x0101, 0);
  head.writeUInt16BE(body.length, 2);
  msg.copy(head, 4, 4, 20); // magic cookie and transaction id
  sock.send(Buffer.concat([head, body]), from.port, from.address);
  console.log(`binding ${from.address}:${from.port}`);
});
sock.bind(port, () => console.log(`listening ${port}`));
