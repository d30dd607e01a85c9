// Attacker: a server the client must not accept, met through each combination of node:tls's verification
// options. node's rules: `authorized` is true only for a server verified under the policy; a
// checkServerIdentity that refuses (by returning an Error, or by throwing: that one hung the handshake until
// its timeout) refuses the server; servername '' is never "no name to check" (a TypeError); an IP address as
// host is checked against the certificate's IP addresses; an empty `ca` is never "trust all" (a TypeError).
// node:tls refuses the server on any truthy result of checkServerIdentity (a string, an object), not only an
// Error: one such result left `authorized` true under rejectUnauthorized: false, with no authorizationError.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createServer, type Tls13Server, type Tls13Socket } from '../../src/node/adapter.js';
import { makeIdentity, DAY } from '../../src/testing/certs.js';
import { seededRandom } from '../../src/crypto/random.js';
import { ca, certPem, listen } from '../node/fixtures.js';

const random = seededRandom('adapter-authentication-defaults');
/** A certificate from the trusted CA for another name, and no IP address. */
const elsewhere = makeIdentity(
  { subject: { CN: 'elsewhere.example' }, issuer: ca, sans: { dns: ['elsewhere.example'] }, extKeyUsage: ['serverAuth'], keyType: 'p256', notBefore: Date.now() - DAY, notAfter: Date.now() + DAY },
  random,
);

let server: Tls13Server;
let port: number;
beforeAll(async () => {
  server = createServer({ certificate: elsewhere }, (socket) => {
    socket.on('error', () => {});
    socket.end('hello');
  });
  server.on('tlsClientError', () => {});
  port = await listen(server);
});
afterAll(() => server.close());

type Options = Partial<Parameters<typeof connect>[0]>;

async function outcome(options: Options) {
  const client: Tls13Socket = connect({ port, ...options });
  const result = await new Promise<{ connected: boolean; error?: string }>((resolve) => {
    client.once('secureConnect', () => resolve({ connected: true }));
    client.once('error', (e: Error) => resolve({ connected: false, error: e.message }));
  });
  const seen = { ...result, authorized: client.authorized, authorizationError: client.authorizationError, identity: client.getPeerIdentity() !== undefined };
  client.destroy();
  return seen;
}

describe("the adapter's verification options never report an unverified server authorized", () => {
  it('the baseline: the server is accepted under its own name', async () => {
    expect(await outcome({ host: '127.0.0.1', servername: 'elsewhere.example', ca: certPem(ca) })).toMatchObject({ connected: true, authorized: true });
  });

  it('servername "" is no name to skip: a TypeError before anything is sent, with or without rejectUnauthorized', () => {
    for (const rejectUnauthorized of [true, false]) {
      expect(() => connect({ port, host: 'localhost', servername: '', ca: certPem(ca), rejectUnauthorized })).toThrow(/serverName "" is neither a DNS name nor an IP address/);
    }
  });

  it('an IP address as host is checked against the IP addresses the certificate names (none here)', async () => {
    expect(await outcome({ host: '127.0.0.1', ca: certPem(ca) })).toMatchObject({ connected: false });
    expect(await outcome({ host: '127.0.0.1', ca: certPem(ca), rejectUnauthorized: false })).toMatchObject({ connected: true, authorized: false });
  });

  it('an empty ca is no "trust all": a TypeError before anything is sent, with or without rejectUnauthorized', () => {
    for (const rejectUnauthorized of [true, false]) {
      expect(() => connect({ port, host: '127.0.0.1', servername: 'elsewhere.example', ca: [], rejectUnauthorized })).toThrow(/anchors must be a non-empty array/);
    }
  });

  it('a checkServerIdentity returning an Error refuses the server; with rejectUnauthorized: false it is unauthorized', async () => {
    const refuse = () => new Error('not the pinned certificate');
    const refused = await outcome({ host: '127.0.0.1', servername: 'elsewhere.example', ca: certPem(ca), checkServerIdentity: refuse });
    expect(refused).toMatchObject({ connected: false });
    expect(refused.error).toMatch(/not the pinned certificate/);
    expect(await outcome({ host: '127.0.0.1', servername: 'elsewhere.example', ca: certPem(ca), checkServerIdentity: refuse, rejectUnauthorized: false })).toMatchObject({ connected: true, authorized: false, identity: false });
  });

  it('a checkServerIdentity that throws refuses the server as one returning the error would, and nothing escapes to the event loop', async () => {
    const crash = () => {
      throw new Error('pin check crashed');
    };
    const uncaught: unknown[] = [];
    const record = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', record);
    try {
      const refused = await outcome({ host: '127.0.0.1', servername: 'elsewhere.example', ca: certPem(ca), checkServerIdentity: crash });
      expect(refused).toMatchObject({ connected: false });
      expect(refused.error).toMatch(/pin check crashed/);
      expect(await outcome({ host: '127.0.0.1', servername: 'elsewhere.example', ca: certPem(ca), checkServerIdentity: crash, rejectUnauthorized: false })).toMatchObject({ connected: true, authorized: false });
    } finally {
      process.off('uncaughtException', record);
    }
    expect(uncaught).toEqual([]);
  });

  it('a checkServerIdentity returning a string, an object or true refuses the server, as node:tls does with any truthy result', async () => {
    for (const result of ['not the pinned certificate', {}, true, new Error('')]) {
      const check = (() => result) as never;
      const anyway = await outcome({ host: '127.0.0.1', servername: 'elsewhere.example', ca: certPem(ca), checkServerIdentity: check, rejectUnauthorized: false });
      expect(anyway).toMatchObject({ connected: true, authorized: false, identity: false });
      expect(anyway.authorizationError).toMatch(/checkServerIdentity/);
      const refused = await outcome({ host: '127.0.0.1', servername: 'elsewhere.example', ca: certPem(ca), checkServerIdentity: check });
      expect(refused).toMatchObject({ connected: false });
      expect(refused.error).toMatch(/checkServerIdentity/);
    }
  });
});
