// Attacker: a server whose certificate was revoked after it issued the client a ticket (its key stolen: the
// thief holds the ticket key too, or the ticket was issued by the thief while the certificate still passed).
// The client's policy now carries the CRL that revokes it. A resumption must not bring the revoked server back
// through the PSK, under each of node's verification modes (default, checkServerIdentity,
// rejectUnauthorized: false): the ticket is not offered, and the full handshake refuses the certificate, or,
// under rejectUnauthorized: false, connects with `authorized` false and the revocation as the reason.
import { afterEach, describe, expect, it } from 'vitest';
import { buildCrl } from '../../src/auth/builder.js';
import { seededRandom } from '../../src/crypto/random.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { connect, createServer, type Tls13Server } from '../../src/node/adapter.js';
import { DAY, makeIdentity } from '../../src/testing/certs.js';
import { listen } from '../node/fixtures.js';
import { connection } from './resumption-connection.js';

const random = seededRandom('resumption-revoked-server');
const validity = { notBefore: Date.now() - DAY, notAfter: Date.now() + DAY };
const ca = makeIdentity({ subject: { CN: 'revoking CA' }, keyType: 'p256', isCA: true, keyUsage: ['keyCertSign', 'cRLSign'], ...validity }, random);
const revokedSerial = 7n;
const revokedServer = makeIdentity({ subject: { CN: 'localhost' }, serial: revokedSerial, issuer: ca, sans: { dns: ['localhost'] }, extKeyUsage: ['serverAuth'], keyType: 'p256', ...validity }, random);

const servers: Tls13Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});
async function server(): Promise<number> {
  const s = createServer({ certificate: revokedServer }, (socket) => {
    socket.on('error', () => {});
    socket.end('hello');
  });
  servers.push(s);
  return listen(s);
}

const crl = buildCrl(
  { issuer: ca.certificate, signingKey: ca.privateKey, thisUpdate: Date.now() - DAY, nextUpdate: Date.now() + DAY, revoked: [{ serial: revokedSerial }] },
  nobleProvider,
  random,
);
const emptyCrl = buildCrl({ issuer: ca.certificate, signingKey: ca.privateKey, thisUpdate: Date.now() - DAY, nextUpdate: Date.now() + DAY, revoked: [] }, nobleProvider, seededRandom('resumption-revoked-server empty'));

type Options = Partial<Parameters<typeof connect>[0]>;

const modes: Array<[string, Options]> = [
  ['default verification', {}],
  ['checkServerIdentity', { checkServerIdentity: () => undefined }],
];

describe("a ticket of a server revoked since is not resumed", () => {
  for (const [mode, options] of modes) {
    it(`${mode}: control, an empty CRL: resumed and authorized`, async () => {
      const port = await server();
      const first = await connection(port, { trust: { kind: 'ca', anchors: [ca.der] }, ...options });
      const again = await connection(port, { trust: { kind: 'ca', anchors: [ca.der], crls: [emptyCrl] }, session: first.tickets[0]!, ...options });
      expect(again).toMatchObject({ connected: true, resumed: true, authorized: true });
      expect(again.identity).toBeDefined();
    });

    it(`${mode}: the CRL revokes it: not resumed, refused`, async () => {
      const port = await server();
      const first = await connection(port, { trust: { kind: 'ca', anchors: [ca.der] }, ...options });
      expect(first).toMatchObject({ connected: true, authorized: true });
      const again = await connection(port, { trust: { kind: 'ca', anchors: [ca.der], crls: [crl] }, session: first.tickets[0]!, ...options });
      expect(again).toMatchObject({ connected: false, resumed: false, authorized: false, identity: undefined });
      expect(again.error).toMatch(/revoked/);
    });
  }

  it('rejectUnauthorized: false: connected, never authorized, the revocation the reason, whether resumed or not', async () => {
    const port = await server();
    const first = await connection(port, { trust: { kind: 'ca', anchors: [ca.der] }, rejectUnauthorized: false });
    expect(first).toMatchObject({ connected: true, authorized: true });
    const again = await connection(port, { trust: { kind: 'ca', anchors: [ca.der], crls: [crl] }, session: first.tickets[0]!, rejectUnauthorized: false });
    expect(again).toMatchObject({ connected: true, authorized: false, identity: undefined });
    expect(again.authorizationError).toMatch(/revoked/);
  });
});
