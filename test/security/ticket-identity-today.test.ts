// Attacker's script against the client identity a ticket carries now that it carries only what the verdict
// judged (the CA path without its anchor, the leaf under a pin): can a client come back through a ticket as an
// identity today's policy would not accept, or be reported with less than it proved? Found defended: the
// anchor removed from the trust store, a pin that accepted (the leaf alone carried) and a policy that now has
// only the CA, and `ask`: each a declined ticket and a full handshake that judges the chain the client presents
// now (under `ask` the caller is asked with that chain, never the ticket's). Post-handshake authentication: a
// ticket is issued when the handshake completes, so one issued before alice proved herself after it carries no
// identity, and resuming with it reports none. (Revocation of the carried intermediate: ticket-client-path.)
import { describe, expect, it } from 'vitest';
import type { TrustPolicy } from '../../src/auth/trust.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW, type Identity } from '../../src/testing/certs.js';

const random = seededRandom('ticket-identity-today');
const serverIdentity = makeIdentity({ subject: { CN: 'server' } }, random);
const root = makeIdentity({ subject: { CN: 'client root' }, isCA: true, keyUsage: ['keyCertSign', 'cRLSign'] }, random);
const otherRoot = makeIdentity({ subject: { CN: 'another root' }, isCA: true, keyUsage: ['keyCertSign', 'cRLSign'] }, random);
const intermediate = makeIdentity({ subject: { CN: 'client intermediate' }, issuer: root, serial: 5n, isCA: true, keyUsage: ['keyCertSign', 'cRLSign'] }, random);
const aliceLeaf = makeIdentity({ subject: { CN: 'alice' }, issuer: intermediate, serial: 9n, extKeyUsage: ['clientAuth'], keyUsage: ['digitalSignature'] }, random);
const alice: Identity = { ...aliceLeaf, chain: [aliceLeaf.der, intermediate.der] };

const ca = (anchor = root): TrustPolicy => ({ kind: 'ca', anchors: [anchor.der] });
const serverConfig = (trust: TrustPolicy, clientAuth: ServerConfig['clientAuth'] = 'require'): ServerConfig => ({
  certificate: serverIdentity,
  now: () => TEST_NOW,
  random: seededRandom('ticket-identity-today s'),
  clientAuth,
  trust,
  tickets: { count: 1, key: new Uint8Array(32).fill(4) },
});
const clientConfig = (extra: Partial<ClientConfig> = {}): ClientConfig => ({
  trust: { kind: 'pinned-certificate', certificates: [serverIdentity.der] },
  now: () => TEST_NOW,
  random: seededRandom('ticket-identity-today c'),
  certificate: alice,
  ...extra,
});
const ticketOf = (pair: InMemoryPair): SessionTicket => {
  const event = pair.events('client').find((e) => e.type === 'session-ticket');
  if (event?.type !== 'session-ticket') throw new Error('no ticket');
  return event.ticket;
};
const declines = (pair: InMemoryPair) => pair.events('server').some((e) => e.type === 'decision' && e.topic === 'resumption' && e.value === 'declined PSK #0');

describe("a ticket's client identity under today's policy", () => {
  const caTicket = ticketOf(new InMemoryPair(clientConfig(), serverConfig(ca())).run());

  it('the anchor removed from the trust store: declined, and the full handshake refuses alice (unknown_ca)', () => {
    const pair = new InMemoryPair(clientConfig({ resumption: { ticket: caTicket } }), serverConfig(ca(otherRoot))).run();
    expect(declines(pair)).toBe(true);
    expect(pair.server.info.resumed).toBeUndefined();
    expect(pair.server.info.peer).toBeUndefined();
    expect(pair.events('server').find((e) => e.type === 'alert' && e.direction === 'out')).toMatchObject({ description: 'unknown_ca' });
  });

  it('a pin accepted and the leaf alone carried, then a policy of only the CA: declined, the full handshake judges the chain alice presents', () => {
    const pinFirst: TrustPolicy = { kind: 'any-of', policies: [{ kind: 'pinned-certificate', certificates: [aliceLeaf.der] }, ca()] };
    const ticket = ticketOf(new InMemoryPair(clientConfig(), serverConfig(pinFirst)).run());
    const pair = new InMemoryPair(clientConfig({ resumption: { ticket } }), serverConfig(ca())).run();
    expect(declines(pair)).toBe(true);
    expect(pair.server.info.resumed).toBeUndefined();
    expect(pair.server.info.peer).toMatchObject({ subject: 'CN=alice', verdict: { rule: 'ca' } });
  });

  it("'ask' today: declined, and the caller is asked about the chain alice presents now, not the ticket's", () => {
    const pair = new InMemoryPair(clientConfig({ resumption: { ticket: caTicket } }), serverConfig({ kind: 'ask' })).run();
    expect(declines(pair)).toBe(true);
    const asked = pair.events('server').find((e) => e.type === 'decision-needed');
    expect(asked?.type === 'decision-needed' && asked.decision.kind === 'verify-peer' && asked.decision.chain).toEqual([aliceLeaf.der, intermediate.der]);
    expect(pair.server.info.peer).toBeUndefined();
  });

  it('a ticket issued before post-handshake authentication carries no identity, and resuming with it reports none', () => {
    const first = new InMemoryPair(clientConfig({ postHandshakeAuth: true }), serverConfig(ca(), 'none')).run();
    const ticket = ticketOf(first);
    first.server.requestClientCertificate();
    first.run();
    expect(first.server.info.peer?.subject).toBe('CN=alice');
    const resumed = new InMemoryPair(clientConfig({ resumption: { ticket } }), serverConfig(ca(), 'none')).run();
    expect(resumed.server.info.resumed).toBe(true);
    expect(resumed.server.info.peer).toBeUndefined();
    const required = new InMemoryPair(clientConfig({ resumption: { ticket } }), serverConfig(ca(), 'require')).run();
    expect(required.server.info.resumed).toBeUndefined();
    expect(required.server.info.peer?.subject).toBe('CN=alice');
  });
});
