// Attacker's script against what a server's session ticket carries (RFC 8446 §4.6.1 leaves its format to the
// server). A ticket carried the client's certificate chain as it was presented, up to the 64 KiB of its
// Certificate message, so that resumption could judge it again. A client the server trusts pads its chain with
// certificates nobody needs (path building ignores them, as it may: RFC 8446 §4.4.2 sets no count): each of
// its tickets was then ~60 KB, every resumption made the server open, parse and judge all of it, and every
// 0-RTT use was digested whole. Re-judging needs only what the policy judged: the leaf for a pin (of the
// certificate or of its key) or a raw key, and for a CA the path validation used, leaf first, without the
// anchor (today's configuration supplies it, or the path fails as it must): revocation and today's anchors
// are then checked on the same certificates. A path too long for a ticket gets no ticket, never an error.
import { describe, expect, it } from 'vitest';
import { buildCrl } from '../../src/auth/builder.js';
import type { TrustPolicy } from '../../src/auth/trust.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { openTicket } from '../../src/handshake/tickets.js';
import { DAY, makeIdentity, TEST_NOW, type Identity } from '../../src/testing/certs.js';
import { hex } from '../../src/wire/bytes.js';

const random = seededRandom('ticket-client-path');
const ticketKey = random(32);
const serverIdentity = makeIdentity({ subject: { CN: 'server' } }, random);
const root = makeIdentity({ subject: { CN: 'client root' }, isCA: true, keyUsage: ['keyCertSign', 'cRLSign'] }, random);
const intermediate = makeIdentity({ subject: { CN: 'client intermediate' }, issuer: root, serial: 5n, isCA: true, keyUsage: ['keyCertSign', 'cRLSign'] }, random);
const aliceLeaf = makeIdentity({ subject: { CN: 'alice' }, issuer: intermediate, serial: 9n, extKeyUsage: ['clientAuth'], keyUsage: ['digitalSignature'] }, random);
/** A valid certificate of 2,000 DNS names (~40 KB), on no path: only its size matters. */
const filler = makeIdentity({ subject: { CN: 'filler' }, sans: { dns: Array.from({ length: 2000 }, (_, i) => `n${String(i).padStart(6, '0')}.example`) } }, random).der;
/** Alice as she presents herself: leaf, intermediate, a certificate nobody needs, the root. */
const alice: Identity = { ...aliceLeaf, chain: [aliceLeaf.der, intermediate.der, filler, root.der] };

const caPolicy = (crls?: Uint8Array[]): TrustPolicy => ({ kind: 'ca', anchors: [root.der], ...(crls ? { crls } : {}) });
const serverConfig = (trust: TrustPolicy): ServerConfig => ({
  certificate: serverIdentity,
  now: () => TEST_NOW,
  random: seededRandom('ticket-client-path s'),
  clientAuth: 'require',
  trust,
  tickets: { count: 1, key: ticketKey },
});
const clientConfig = (extra: Partial<ClientConfig> = {}): ClientConfig => ({
  trust: { kind: 'pinned-certificate', certificates: [serverIdentity.der] },
  now: () => TEST_NOW,
  random: seededRandom('ticket-client-path c'),
  certificate: alice,
  ...extra,
});

function firstTicket(trust: TrustPolicy): SessionTicket {
  const pair = new InMemoryPair(clientConfig(), serverConfig(trust)).run();
  // alice's key, named only where her names are vouched for (a key pin proves no name: pinned-key-names.test.ts).
  expect(pair.server.info.peer?.spkiSha256).toBe(hex(nobleProvider.hash('sha256', aliceLeaf.certificate.spki)));
  expect(pair.server.info.peer?.subject).toBe(pair.server.info.peer?.verdict.rule === 'pinned-key' ? undefined : 'CN=alice');
  const event = pair.events('client').find((e) => e.type === 'session-ticket');
  if (event?.type !== 'session-ticket') throw new Error('no ticket');
  return event.ticket;
}

/** The client chain sealed in the ticket, as the server reads it back. */
const carried = (ticket: SessionTicket) => openTicket(nobleProvider, ticketKey, ticket.ticket)!.clientChain;

function resume(ticket: SessionTicket, trust: TrustPolicy) {
  const pair = new InMemoryPair(clientConfig({ resumption: { ticket } }), serverConfig(trust)).run();
  return { pair, resumed: pair.server.info.resumed === true, alerts: pair.events('server').filter((e) => e.type === 'alert') };
}

describe('what a ticket carries of a client authenticated under a CA policy', () => {
  const ticket = firstTicket(caPolicy());

  it('the validated path without its anchor, not the chain as presented', () => {
    expect(carried(ticket)).toEqual([aliceLeaf.der, intermediate.der]);
    expect(ticket.ticket.length).toBeLessThan(aliceLeaf.der.length + intermediate.der.length + 200);
  });

  it('resumes with the same policy, reporting alice and the path it judged again', () => {
    const { pair, resumed, alerts } = resume(ticket, caPolicy());
    expect(alerts).toEqual([]);
    expect(resumed).toBe(true);
    expect(pair.server.info.peer).toMatchObject({ subject: 'CN=alice', chain: [aliceLeaf.der, intermediate.der] });
    expect(pair.server.info.peer?.verdict.path).toEqual([aliceLeaf.der, intermediate.der, root.der]);
  });

  it('is declined once the root revokes the intermediate: revocation is judged on the carried path', () => {
    const crl = buildCrl({ issuer: root.certificate, signingKey: root.privateKey, thisUpdate: TEST_NOW - DAY, nextUpdate: TEST_NOW + DAY, revoked: [{ serial: 5n }] }, nobleProvider, random);
    const { pair, resumed } = resume(ticket, caPolicy([crl]));
    expect(resumed).toBe(false);
    expect(pair.server.info.peer).toBeUndefined();
  });
});

describe('what a ticket carries of a client authenticated by a pin', () => {
  it('a pinned certificate: the leaf alone', () => {
    const ticket = firstTicket({ kind: 'pinned-certificate', certificates: [aliceLeaf.der] });
    expect(carried(ticket)).toEqual([aliceLeaf.der]);
    expect(resume(ticket, { kind: 'pinned-certificate', certificates: [aliceLeaf.der] }).resumed).toBe(true);
  });

  it('an any-of whose pin accepted before its CA: the leaf alone, and still resumes under the pin', () => {
    const policy: TrustPolicy = { kind: 'any-of', policies: [{ kind: 'pinned-key', keys: [aliceLeaf.certificate.spki] }, caPolicy()] };
    const ticket = firstTicket(policy);
    expect(carried(ticket)).toEqual([aliceLeaf.der]);
    expect(resume(ticket, policy).resumed).toBe(true);
  });
});
