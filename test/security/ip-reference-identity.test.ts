// Attacker: a server whose certificate names the IP address 127.0.0.1 (and the DNS name localhost), reached
// under other spellings of an address, compared side by side with node:tls. An IPv4-mapped IPv6 address is
// another address (RFC 6125 §6.2.1 compares the octets: 16 are not 4), refused by both; the shorthand forms
// resolvers read as IPv4 (127.1, 2130706433, 0x7f.0.0.1, 127.000.000.001, 127.0.0.1.) name no certificate's
// address: node:tls checks them as DNS names and refuses (except the trailing dot, which it accepts), the
// adapter refuses them before connecting with a TypeError that says what to write instead.
import { describe, expect, it } from 'vitest';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { connect } from '../../src/node/adapter.js';
import { ca, certPem, fileHelloServer } from '../node/fixtures.js';

const port = fileHelloServer();

/** Connects over TCP to 127.0.0.1 whatever the name, so only the identity check differs. */
async function outcome(client: 'ours' | 'node', key: 'host' | 'servername', name: string): Promise<string> {
  const raw = net.connect(port(), '127.0.0.1');
  raw.on('error', () => {});
  let socket: tls.TLSSocket | ReturnType<typeof connect>;
  try {
    socket = client === 'ours' ? connect({ socket: raw, ca: certPem(ca), [key]: name }) : tls.connect({ socket: raw, ca: certPem(ca), [key]: name });
  } catch (e) {
    raw.destroy();
    return `${(e as Error).name} before connecting`;
  }
  const result = await new Promise<string>((resolve) => {
    socket.once('secureConnect', () => resolve(socket.authorized ? 'authorized' : 'unauthorized'));
    socket.once('error', () => resolve('refused'));
  });
  socket.destroy();
  return result;
}

describe("an IP address is checked against the certificate's IP addresses, spelled as it is", () => {
  for (const key of ['host', 'servername'] as const) {
    it(`${key}: 127.0.0.1 itself is authorized (the control)`, async () => {
      expect(await outcome('node', key, '127.0.0.1')).toBe('authorized');
      expect(await outcome('ours', key, '127.0.0.1')).toBe('authorized');
    });

    it(`${key}: IPv4-mapped IPv6 spellings of it are other addresses, refused as by node:tls`, async () => {
      for (const name of ['::ffff:127.0.0.1', '[::ffff:127.0.0.1]', '::ffff:7f00:1']) {
        expect(await outcome('node', key, name)).toBe('refused');
        expect(await outcome('ours', key, name)).toBe('refused');
      }
    });

    it(`${key}: shorthand IPv4 forms never reach the certificate's address: a TypeError before connecting`, async () => {
      for (const name of ['127.1', '2130706433', '0x7f.0.0.1', '127.000.000.001', '127.0.0.1.']) {
        expect(await outcome('ours', key, name)).toBe('TypeError before connecting');
      }
    });
  }
});
