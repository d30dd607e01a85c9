// Attacker: a client holding a ticket issued under an earlier configuration of the server (or another
// configuration of the same process sharing the ticket key), used after that configuration changed. A ticket
// is sealed state: what it carries is what the old configuration decided, and today's configuration must
// judge it again. Found open: a ticket issued with a lifetime of 7 days still resumed after the server had cut
// `tickets.lifetime` to one hour (a server shortens its tickets to limit how long a stolen one is worth: the
// old tickets went on for the rest of their week). Found defended: a rotated ticket key (a full handshake, no
// alert), a ticket without a client certificate at a server that now requires one (a full handshake that asks
// for it), a ticket of a raw public key client at a server whose policy pins the key of another client.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig, TicketConfig } from '../../src/handshake/config.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';

const HOUR = 3600;
const serverIdentity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('ticket-config-change server'));
const alice = makeIdentity({ subject: { CN: 'alice' } }, seededRandom('ticket-config-change alice'));
const key = new Uint8Array(32).fill(9);
const serverConfig = (extra: Partial<ServerConfig> = {}, tickets: TicketConfig = {}, now = TEST_NOW): ServerConfig => ({
  certificate: serverIdentity,
  now: () => now,
  random: seededRandom('ticket-config-change s'),
  tickets: { count: 1, key, ...tickets },
  ...extra,
});
const clientConfig = (extra: Partial<ClientConfig> = {}, now = TEST_NOW): ClientConfig => ({
  trust: { kind: 'pinned-certificate', certificates: [serverIdentity.der] },
  now: () => now,
  random: seededRandom('ticket-config-change c'),
  ...extra,
});

function ticketFrom(client: ClientConfig, server: ServerConfig): SessionTicket {
  const event = new InMemoryPair(client, server).run().events('client').find((e) => e.type === 'session-ticket');
  if (event?.type !== 'session-ticket') throw new Error('no ticket');
  return event.ticket;
}

function resume(client: ClientConfig, server: ServerConfig) {
  const pair = new InMemoryPair(client, server).run();
  const alerts = [...pair.events('client'), ...pair.events('server')].filter((e) => e.type === 'alert');
  return { pair, alerts, resumed: pair.server.info.resumed === true };
}

describe('a ticket used after the server configuration changed', () => {
  it("today's shorter tickets.lifetime bounds the tickets issued before it", () => {
    const ticket = ticketFrom(clientConfig(), serverConfig({}, { lifetime: 7 * 24 * HOUR }));
    const later = TEST_NOW + 2 * HOUR * 1000;
    // The client keeps it for its 7 days, as the server said (RFC 8446 §4.6.1) and offers it two hours later.
    const control = resume(clientConfig({ resumption: { ticket } }, later), serverConfig({}, { lifetime: 7 * 24 * HOUR }, later));
    expect(control.resumed).toBe(true);
    const cut = resume(clientConfig({ resumption: { ticket } }, later), serverConfig({}, { lifetime: HOUR }, later));
    expect(cut.alerts).toEqual([]);
    expect(cut.resumed).toBe(false);
    expect(cut.pair.client.isConnected).toBe(true);
    const withinTheHour = TEST_NOW + 0.5 * HOUR * 1000;
    expect(resume(clientConfig({ resumption: { ticket } }, withinTheHour), serverConfig({}, { lifetime: HOUR }, withinTheHour)).resumed).toBe(true);
  });

  // Found by the second resumption attacker: with a lifetime of 0 the server took a ticket of age 0 (the
  // same millisecond; every resumption under a fixed clock), though "zero indicates that the ticket should be
  // discarded immediately" (RFC 8446 §4.6.1) and our client counts a ticket alive only while its age is below
  // its lifetime. A server that sets tickets.lifetime to 0 to end every ticket it issued ends them all.
  it('tickets.lifetime 0 today ends every ticket, even one offered in the millisecond it was issued', () => {
    const ticket = ticketFrom(clientConfig(), serverConfig());
    expect(resume(clientConfig({ resumption: { ticket } }), serverConfig()).resumed).toBe(true);
    const ended = resume(clientConfig({ resumption: { ticket } }), serverConfig({}, { lifetime: 0 }));
    expect(ended.alerts).toEqual([]);
    expect(ended.resumed).toBe(false);
    expect(ended.pair.client.isConnected).toBe(true);
  });

  it('a ticket is alive while its age is below its lifetime, as the client counts it: at exactly the lifetime it is not', () => {
    const ticket = ticketFrom(clientConfig(), serverConfig({}, { lifetime: HOUR }));
    const at = (ms: number) => resume(clientConfig({ resumption: { ticket: { ...ticket, lifetime: 2 * HOUR } } }, TEST_NOW + ms), serverConfig({}, { lifetime: HOUR }, TEST_NOW + ms));
    expect(at(HOUR * 1000 - 1).resumed).toBe(true);
    expect(at(HOUR * 1000).resumed).toBe(false);
  });

  it('a longer lifetime today does not stretch a ticket issued for one hour, even offered by a client that rewrote it', () => {
    const ticket = ticketFrom(clientConfig(), serverConfig({}, { lifetime: HOUR }));
    const later = TEST_NOW + 2 * HOUR * 1000;
    const stretched = { ...ticket, lifetime: 7 * 24 * HOUR };
    const { alerts, resumed } = resume(clientConfig({ resumption: { ticket: stretched } }, later), serverConfig({}, { lifetime: 7 * 24 * HOUR }, later));
    expect(alerts).toEqual([]);
    expect(resumed).toBe(false);
  });

  it('a rotated ticket key: a full handshake, no alert', () => {
    const ticket = ticketFrom(clientConfig(), serverConfig());
    const { pair, alerts, resumed } = resume(clientConfig({ resumption: { ticket } }), serverConfig({}, { key: new Uint8Array(32).fill(10) }));
    expect(alerts).toEqual([]);
    expect(resumed).toBe(false);
    expect(pair.client.info.peer?.subject).toBe('CN=server');
  });

  it('no client certificate in the ticket, a server that now requires one: the full handshake asks for it', () => {
    const ticket = ticketFrom(clientConfig({ certificate: alice }), serverConfig());
    const { pair, alerts, resumed } = resume(
      clientConfig({ certificate: alice, resumption: { ticket } }),
      serverConfig({ clientAuth: 'require', trust: { kind: 'pinned-certificate', certificates: [alice.der] } }),
    );
    expect(alerts).toEqual([]);
    expect(resumed).toBe(false);
    expect(pair.server.info).toMatchObject({ clientAuth: 'authenticated', peer: { subject: 'CN=alice', verdict: { rule: 'pinned-certificate' } } });
  });

  it("a raw public key client's ticket at a server that now pins another key: declined, and the full handshake refuses it", () => {
    const bob = makeIdentity({ subject: { CN: 'bob' } }, seededRandom('ticket-config-change bob'));
    const rpkClient = (extra: Partial<ClientConfig> = {}) => clientConfig({ rawPublicKey: { privateKey: alice.privateKey }, clientCertificateTypes: ['raw-public-key'], ...extra });
    const rpkServer = (pinned: typeof alice) =>
      serverConfig({ clientAuth: 'require', trust: { kind: 'pinned-key', keys: [pinned.certificate.spki] }, clientCertificateTypes: ['raw-public-key'] });
    const ticket = ticketFrom(rpkClient(), rpkServer(alice));
    const control = resume(rpkClient({ resumption: { ticket } }), rpkServer(alice));
    expect(control.resumed).toBe(true);
    expect(control.pair.server.info).toMatchObject({ clientAuth: 'authenticated', clientCertificateType: 'raw-public-key' });
    const { pair, resumed } = resume(rpkClient({ resumption: { ticket } }), rpkServer(bob));
    expect(resumed).toBe(false);
    expect(pair.server.info.peer).toBeUndefined();
    expect(pair.server.isConnected).toBe(false);
  });
});
