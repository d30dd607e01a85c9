// Attacker: a server the client's policy refuses today, reached through a ticket that carries no server
// identity. A session resumed over the adapter under node's verification (checkServerIdentity, or
// rejectUnauthorized: false) reports no identity of its own (the engine was told to ask, and nobody is asked
// about a resumed session), so the NewSessionTickets of that resumed connection named no server either; a
// ticket naming no server was offered to any policy and resumed, and the client emitted 'secureConnect' under
// rejectUnauthorized: true with a server nobody verified: two resumptions laundered a rotated-out pin or a
// withdrawn CA. A ticket's identity is the one the adapter judged; a ticket with none is not offered where
// the server must be verified. And a resumed session reports what the adapter re-judged (node:tls reports
// the re-verified state of a resumed session): authorized with the ticket's server still trusted today.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import { connect } from '../../src/node/adapter.js';
import { makeIdentity } from '../../src/testing/certs.js';
import { ca, helloServers, serverCertificates } from '../node/fixtures.js';
import { connection } from './resumption-connection.js';

const otherCa = makeIdentity({ subject: { CN: 'another CA' }, keyType: 'p256', isCA: true, keyUsage: ['keyCertSign'] }, seededRandom('resumption-node-laundering'));
const server = helloServers();

type Options = Partial<Parameters<typeof connect>[0]>;
const trusted: Options = { trust: { kind: 'ca', anchors: [ca.der] } };
const pinAccepts = () => undefined;
const pinRotatedOut = () => new Error('the certificate is not the pinned one');

/** A ticket of a resumed connection: first a full handshake, then a resumption under `options`. */
async function ticketOfResumption(port: number, options: Options): Promise<SessionTicket> {
  const first = await connection(port, options);
  const second = await connection(port, { ...options, session: first.tickets[0]! });
  expect(second).toMatchObject({ connected: true, resumed: true });
  expect(second.tickets.length).toBeGreaterThan(0);
  return second.tickets[0]!;
}

describe('a ticket of a resumed session launders no server past the policy', () => {
  it('checkServerIdentity: a ticket from a resumed session names the server the adapter judged', async () => {
    const port = await server();
    const ticket = await ticketOfResumption(port, { ...trusted, checkServerIdentity: pinAccepts });
    expect(ticket.peer?.chain[0]).toEqual(serverCertificates['ECDSA P-256'].der);
  });

  it('a pin rotated out since: the ticket of a resumed session is not offered, the server refused', async () => {
    const port = await server();
    const ticket = await ticketOfResumption(port, { ...trusted, checkServerIdentity: pinAccepts });
    const outcome = await connection(port, { ...trusted, checkServerIdentity: pinRotatedOut, session: ticket });
    expect(outcome).toMatchObject({ connected: false, resumed: false });
    expect(outcome.error).toMatch(/not the pinned one/);
  });

  it('a CA withdrawn since, default verification: the ticket of a resumed session is not offered, the server refused', async () => {
    const port = await server();
    const ticket = await ticketOfResumption(port, { ...trusted, checkServerIdentity: pinAccepts });
    const outcome = await connection(port, { trust: { kind: 'ca', anchors: [otherCa.der] }, session: ticket });
    expect(outcome).toMatchObject({ connected: false, resumed: false });
    expect(outcome.error).toMatch(/unknown_ca/);
  });

  it('a ticket that names no server is not offered under rejectUnauthorized: true, with or without checkServerIdentity', async () => {
    const port = await server();
    const { peer: _, ...anonymous } = (await connection(port, trusted)).tickets[0]!;
    for (const options of [trusted, { ...trusted, checkServerIdentity: pinAccepts }]) {
      const outcome = await connection(port, { ...options, session: anonymous });
      expect(outcome).toMatchObject({ connected: true, resumed: false, authorized: true });
    }
  });
});

describe('a resumed session reports the state the adapter re-judged, as node:tls does', () => {
  it('checkServerIdentity accepting the server today: resumed and authorized', async () => {
    const port = await server();
    const first = await connection(port, { ...trusted, checkServerIdentity: pinAccepts });
    const outcome = await connection(port, { ...trusted, checkServerIdentity: pinAccepts, session: first.tickets[0]! });
    expect(outcome).toMatchObject({ connected: true, resumed: true, authorized: true, authorizationError: undefined, certificateSubject: 'localhost p256' });
    // Today's verdict (the engine reports a resumption's with the rule 'resumed …'), not the issuing handshake's.
    expect(outcome.identity).toMatchObject({ dnsNames: ['localhost'], verdict: { trusted: true, rule: 'resumed ca' } });
    expect(outcome.identity).not.toBe(first.identity);
  });

  it('rejectUnauthorized: false with a server the policy refuses today: resumed, not authorized, and the reason given', async () => {
    const port = await server();
    const first = await connection(port, { ...trusted, checkServerIdentity: pinAccepts });
    const outcome = await connection(port, { trust: { kind: 'ca', anchors: [otherCa.der] }, rejectUnauthorized: false, session: first.tickets[0]! });
    expect(outcome).toMatchObject({ connected: true, resumed: true, authorized: false, identity: undefined });
    expect(outcome.authorizationError).toMatch(/.+/);
  });

  it('rejectUnauthorized: false, the ticket of an unverified server then resumed: never authorized', async () => {
    const port = await server();
    const untrusted: Options = { trust: { kind: 'ca', anchors: [otherCa.der] }, rejectUnauthorized: false };
    const ticket = await ticketOfResumption(port, untrusted);
    const outcome = await connection(port, { ...untrusted, session: ticket });
    expect(outcome).toMatchObject({ connected: true, resumed: true, authorized: false });
    expect(outcome.authorizationError).toMatch(/.+/);
  });

  it('rejectUnauthorized: false, a checkServerIdentity that now returns a string (no Error): resumed, never authorized', async () => {
    const port = await server();
    const first = await connection(port, { ...trusted, checkServerIdentity: pinAccepts });
    const refusesByString = (() => 'not the pinned certificate') as never;
    const outcome = await connection(port, { ...trusted, checkServerIdentity: refusesByString, rejectUnauthorized: false, session: first.tickets[0]! });
    expect(outcome).toMatchObject({ connected: true, resumed: true, authorized: false, identity: undefined });
    expect(outcome.authorizationError).toMatch(/checkServerIdentity/);
  });
});
