// Attacker: a server the client's policy now refuses, reached again through an old session ticket over the
// node adapter. With node:tls's `checkServerIdentity` (the usual way to pin a certificate in node) or
// `rejectUnauthorized: false`, the adapter gives the engine the trust policy `ask` and judges the chain
// itself; nobody is asked about a resumed session, so the engine offered the ticket whatever the real
// policy said today. Under the default `rejectUnauthorized: true`, a client whose `ca` no longer vouches for
// the server, or whose checkServerIdentity now refuses it, resumed and emitted 'secureConnect' with no error:
// the one connection rejectUnauthorized exists to stop. node:tls calls checkServerIdentity on a resumed
// session too; RFC 8446 §4.6.1 lets a client resume only with a server still valid for it. The adapter now
// judges the ticket's server under the real policy before offering the ticket; a refused one is not
// offered, and the full handshake judges the certificate (and refuses it) as it would without a ticket.
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import { connect, type Tls13Socket } from '../../src/node/adapter.js';
import { makeIdentity } from '../../src/testing/certs.js';
import { ca, helloServers } from '../node/fixtures.js';

const otherCa = makeIdentity({ subject: { CN: 'another CA' }, keyType: 'p256', isCA: true, keyUsage: ['keyCertSign'] }, seededRandom('resumption-node-verification'));
const server = helloServers();

type Options = Partial<Parameters<typeof connect>[0]>;

/** A ticket from a connection the policy accepted, with node's checkServerIdentity in use. */
async function ticketFrom(port: number): Promise<SessionTicket> {
  const client = connect({ host: 'localhost', port, trust: { kind: 'ca', anchors: [ca.der] }, checkServerIdentity: () => undefined });
  const tickets: SessionTicket[] = [];
  client.on('session', (t: SessionTicket) => tickets.push(t));
  await once(client, 'secureConnect');
  expect(client.authorized).toBe(true);
  for await (const _ of client);
  return tickets[0]!;
}

/** A second connection with `session`: what came of it. */
async function resume(port: number, session: SessionTicket, options: Options) {
  const client: Tls13Socket = connect({ host: 'localhost', port, session, ...options });
  const outcome = await new Promise<{ connected: boolean; error?: string }>((resolve) => {
    client.once('secureConnect', () => resolve({ connected: true }));
    client.once('error', (e: Error) => resolve({ connected: false, error: e.message }));
  });
  const identity = client.getPeerIdentity();
  const result = {
    ...outcome,
    resumed: client.isSessionReused(),
    authorized: client.authorized,
    authorizationError: client.authorizationError,
    peer: identity?.kind === 'psk' ? identity.identity : identity?.subject,
    rule: identity?.verdict.rule,
    certificateSubject: (client.getPeerCertificate() as { subject?: { CN?: string } }).subject?.CN,
  };
  client.destroy();
  return result;
}

describe('a session is resumed over the adapter only with a server the real policy accepts today', () => {
  it('the same CA and checkServerIdentity: the session resumes (so each refusal below is the policy)', async () => {
    const port = await server();
    const outcome = await resume(port, await ticketFrom(port), { trust: { kind: 'ca', anchors: [ca.der] }, checkServerIdentity: () => undefined });
    expect(outcome).toMatchObject({ connected: true, resumed: true });
  });

  // Was open: the server judged again, by the real policy and checkServerIdentity, and proven by its Finished
  // (keyed from the ticket's PSK) was reported authorized: false with no identity, unlike node:tls, whose
  // resumed session keeps its verification result and its peer certificate.
  it('a resumed server the real policy accepts today is authorized, with the re-judged identity and certificate', async () => {
    const port = await server();
    let asked = 0;
    const outcome = await resume(port, await ticketFrom(port), { trust: { kind: 'ca', anchors: [ca.der] }, checkServerIdentity: () => void asked++ });
    expect(asked).toBe(1);
    expect(outcome).toMatchObject({ connected: true, resumed: true, authorized: true, authorizationError: undefined, rule: 'resumed ca' });
    expect(outcome.peer).toBeDefined();
    expect(outcome.certificateSubject).toBeDefined();
  });

  it('a resumption the server declines is judged by the full handshake as before: authorized, not a resumed rule', async () => {
    const port = await server();
    const ticket = await ticketFrom(port);
    const outcome = await resume(port, { ...ticket, ticket: new Uint8Array(ticket.ticket.length).fill(1) }, { trust: { kind: 'ca', anchors: [ca.der] }, checkServerIdentity: () => undefined });
    expect(outcome).toMatchObject({ connected: true, resumed: false, authorized: true, rule: 'ca' });
  });

  it('a CA that no longer vouches for the server, with checkServerIdentity: not resumed, the full handshake refuses it', async () => {
    const port = await server();
    const outcome = await resume(port, await ticketFrom(port), { trust: { kind: 'ca', anchors: [otherCa.der] }, checkServerIdentity: () => undefined });
    expect(outcome).toMatchObject({ connected: false, resumed: false });
    expect(outcome.error).toMatch(/unknown_ca/);
  });

  it('a checkServerIdentity that now refuses the server (a pin rotated out): not resumed, and refused', async () => {
    const port = await server();
    const pinRotatedOut = () => new Error('the certificate is not the pinned one');
    const outcome = await resume(port, await ticketFrom(port), { trust: { kind: 'ca', anchors: [ca.der] }, checkServerIdentity: pinRotatedOut });
    expect(outcome).toMatchObject({ connected: false, resumed: false });
    expect(outcome.error).toMatch(/not the pinned one/);
  });

  it('rejectUnauthorized: false resumes as node:tls does, and never reports the server authorized', async () => {
    const port = await server();
    const outcome = await resume(port, await ticketFrom(port), { trust: { kind: 'ca', anchors: [otherCa.der] }, rejectUnauthorized: false });
    expect(outcome).toMatchObject({ connected: true, resumed: true, authorized: false, peer: undefined });
    expect(outcome.authorizationError).toBeDefined();
  });

  it('rejectUnauthorized: false with a server the policy accepts: the resumption is authorized, as under node:tls', async () => {
    const port = await server();
    const outcome = await resume(port, await ticketFrom(port), { trust: { kind: 'ca', anchors: [ca.der] }, rejectUnauthorized: false });
    expect(outcome).toMatchObject({ connected: true, resumed: true, authorized: true, authorizationError: undefined, rule: 'resumed ca' });
  });
});
