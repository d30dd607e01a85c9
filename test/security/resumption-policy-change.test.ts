// Red team, session 14: a ticket carries the client identity its handshake proved (RFC 8446 §4.6.1); the server
// that resumes it must judge that identity by the policy it has *now* (an identity is reported only when proven,
// or resumed and re-judged by the current policy). Two changes between issue and resumption:
// - the client's certificate was revoked since (a CRL in today's `ca` policy): the ticket is declined and the
//   full handshake asks for a certificate; alice is never reported;
// - the server no longer authenticates clients at all (`clientAuth` dropped, and with it `trust`): nothing can
//   judge the ticket's identity, so the session resumes without one. The ticket is the client's to offer, and a
//   server whose operator removed client authentication must not fail every old ticket with internal_error;
// - a client that now authenticates servers by an external PSK only (no `trust`) holds a ticket naming a server
//   certificate: nothing judges that server today, so the ticket is not offered. Both held before, by accident: the
//   TypeError of judging under no policy was caught as "cannot parse the peer certificate"; now said as it is.
import { describe, expect, it } from 'vitest';
import { buildCrl } from '../../src/auth/builder.js';
import type { TrustPolicy } from '../../src/auth/trust.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { SessionTicket, TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { DAY, makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { utf8 } from '../../src/wire/bytes.js';

const MINUTE = 60 * 1000;
const random = seededRandom('resumption-policy-change');
const ca = makeIdentity({ subject: { CN: 'client CA' }, keyType: 'p256', isCA: true, keyUsage: ['keyCertSign', 'cRLSign'] }, random);
const aliceSerial = 41n;
const alice = makeIdentity({ subject: { CN: 'alice' }, serial: aliceSerial, issuer: ca, extKeyUsage: ['clientAuth'], keyType: 'p256' }, random);
const serverIdentity = makeIdentity({ subject: { CN: 'server' } }, random);
const ticketKey = seededRandom('resumption-policy-change ticket key')(32);
const crl = (revoked: bigint[]) =>
  buildCrl({ issuer: ca.certificate, signingKey: ca.privateKey, thisUpdate: TEST_NOW - DAY, nextUpdate: TEST_NOW + 7 * DAY, revoked: revoked.map((serial) => ({ serial })) }, nobleProvider, random);
const trustCa = (revoked: bigint[]): TrustPolicy => ({ kind: 'ca', anchors: [ca.der], crls: [crl(revoked)] });

function server(at: number, auth: Pick<ServerConfig, 'clientAuth' | 'trust'>): ServerConfig {
  return { certificate: serverIdentity, now: () => at, random: seededRandom(`rpc-s-${at}`), ...auth, tickets: { count: 1, key: ticketKey } };
}

function client(at: number, ticket?: SessionTicket): ClientConfig {
  return {
    trust: { kind: 'pinned-certificate', certificates: [serverIdentity.der] },
    now: () => at,
    random: seededRandom(`rpc-c-${at}`),
    certificate: alice,
    ...(ticket ? { resumption: { ticket } } : {}),
  };
}

/** Alice's ticket from a full handshake in which the server required and verified her certificate. */
function aliceTicket(): SessionTicket {
  const first = new InMemoryPair(client(TEST_NOW), server(TEST_NOW, { clientAuth: 'require', trust: trustCa([]) })).run();
  expect(first.server.info.peer?.subject).toBe('CN=alice');
  const event = first.events('client').find((e) => e.type === 'session-ticket');
  if (event?.type !== 'session-ticket') throw new Error('no ticket');
  return event.ticket;
}

const outgoingAlert = (events: TlsEvent[]) => events.find((e) => e.type === 'alert' && e.direction === 'out');
const serverSent = (pair: InMemoryPair) => pair.events('server').flatMap((e) => (e.type === 'handshake-message' && e.direction === 'out' ? [e.message.kind] : []));

describe('a resumed client identity is judged by the policy of the resuming server', () => {
  it("a client certificate revoked since the ticket was issued: declined, asked afresh, refused, never reported", () => {
    const later = TEST_NOW + MINUTE;
    const pair = new InMemoryPair(client(later, aliceTicket()), server(later, { clientAuth: 'require', trust: trustCa([aliceSerial]) })).run();
    expect(pair.server.info.resumed).not.toBe(true);
    expect(serverSent(pair)).toContain('certificate_request');
    expect(outgoingAlert(pair.events('server'))).toMatchObject({ description: 'certificate_revoked' });
    expect(pair.server.info.peer).toBeUndefined();
    expect(pair.events('server').some((e) => e.type === 'connected')).toBe(false);
  });

  it('a server that no longer authenticates clients (no clientAuth, no trust) resumes the ticket without an identity', () => {
    const later = TEST_NOW + MINUTE;
    const pair = new InMemoryPair(client(later, aliceTicket()), server(later, {})).run();
    expect(outgoingAlert(pair.events('server'))).toBeUndefined();
    expect(outgoingAlert(pair.events('client'))).toBeUndefined();
    expect(pair.server.isConnected).toBe(true);
    expect(pair.server.info.resumed).toBe(true);
    expect(pair.server.info.peer).toBeUndefined();
    expect(pair.server.info.clientAuth).not.toBe('authenticated');
  });

  it('a client without a trust policy (external PSK only) does not offer a ticket naming a server certificate', () => {
    const later = TEST_NOW + MINUTE;
    const psk = { identity: 'site-7', key: seededRandom('rpc psk')(32) };
    const { trust: _trust, certificate: _certificate, ...pskOnly } = client(later, aliceTicket());
    const pair = new InMemoryPair({ ...pskOnly, externalPsks: { keys: [psk] } }, { ...server(later, {}), externalPsks: { keys: [psk] } }).run();
    const decisions = pair.events('client').flatMap((e) => (e.type === 'decision' && e.topic === 'resumption' ? [`${e.value}: ${e.reason}`] : []));
    // Was: "cannot parse the peer certificate: Cannot read properties of undefined (reading 'kind')", a TypeError of
    // ours read as a malformed certificate (evaluateTrust's parse guard); fail-closed, but not for the reason given.
    expect(decisions).toEqual([expect.stringMatching(/^ticket not offered: .*no trust policy to judge the stored identity by today$/)]);
    expect(outgoingAlert(pair.events('client'))).toBeUndefined();
    expect(pair.client.info.resumed).not.toBe(true);
    expect(pair.client.info.peer).toMatchObject({ kind: 'psk', identity: 'site-7' });
    pair.client.write(utf8.encode('hello'));
    pair.run();
    expect(pair.events('server').some((e) => e.type === 'data')).toBe(true);
  });
});
