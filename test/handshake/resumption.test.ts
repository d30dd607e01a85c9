import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { SessionTicket, TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { utf8 } from '../../src/wire/bytes.js';
import { NamedGroup } from '../../src/wire/enums.js';

const serverIdentity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('resumption-server'));
const clientIdentity = makeIdentity({ subject: { CN: 'alice' } }, seededRandom('resumption-alice'));
const ticketKey = seededRandom('ticket-key')(32);
let clock = TEST_NOW;
const now = () => clock;

function serverConfig(extra: Partial<ServerConfig> = {}, tickets: ServerConfig['tickets'] = {}): ServerConfig {
  return {
    certificate: serverIdentity,
    now,
    random: seededRandom(`s${clock}`),
    tickets: { count: 1, key: ticketKey, maxEarlyDataSize: 1024, antiReplay: new SingleUseTickets(), ...tickets },
    ...extra,
  };
}

function clientConfig(extra: Partial<ClientConfig> = {}): ClientConfig {
  return { trust: { kind: 'pinned-certificate', certificates: [serverIdentity.der] }, now, random: seededRandom(`c${clock}`), ...extra };
}

function ticketFrom(pair: InMemoryPair): SessionTicket {
  const event = pair.events('client').find((e) => e.type === 'session-ticket');
  if (event?.type !== 'session-ticket') throw new Error('no ticket');
  return event.ticket;
}

const messages = (events: TlsEvent[], direction: 'in' | 'out') =>
  events.flatMap((e) => (e.type === 'handshake-message' && e.direction === direction ? [e.message.kind] : []));

describe('PSK resumption (RFC 8446 §2.2, §4.2.11)', () => {
  it('resumes with a ticket from a full handshake: no certificates, the server identity carried over', () => {
    const first = new InMemoryPair(clientConfig(), serverConfig()).run();
    clock += 1000;
    const second = new InMemoryPair(clientConfig({ resumption: { ticket: ticketFrom(first) } }), serverConfig()).run();
    expect(second.client.info).toMatchObject({ resumed: true });
    expect(second.server.info).toMatchObject({ resumed: true });
    expect(messages(second.events('client'), 'in')).toEqual(['server_hello', 'encrypted_extensions', 'finished', 'new_session_ticket']);
    expect(second.client.info.peer?.subject).toBe('CN=server');
    expect(second.client.info.peer?.verdict.rule).toBe('resumed pinned-certificate');
  });

  it('falls back to a full handshake for a ticket sealed under another key', () => {
    const first = new InMemoryPair(clientConfig(), serverConfig({}, { key: new Uint8Array(32).fill(7) })).run();
    const second = new InMemoryPair(clientConfig({ resumption: { ticket: ticketFrom(first) } }), serverConfig()).run();
    expect(second.client.isConnected).toBe(true);
    expect(second.client.info.resumed).toBeUndefined();
    expect(messages(second.events('client'), 'in')).toContain('certificate');
  });

  it('falls back to a full handshake for an expired ticket', () => {
    const first = new InMemoryPair(clientConfig(), serverConfig({}, { lifetime: 10 })).run();
    clock += 11_000;
    // The client is told the ticket lives longer, or it would not offer it (client-side check: ticket-lifetime.test.ts).
    const ticket = { ...ticketFrom(first), lifetime: 3600 };
    const second = new InMemoryPair(clientConfig({ resumption: { ticket } }), serverConfig()).run();
    expect(second.client.info.resumed).toBeUndefined();
    expect(second.server.info.resumed).toBeUndefined();
    expect(second.client.isConnected).toBe(true);
  });

  it('sends decrypt_error for a PSK binder that does not match (RFC 8446 §4.2.11)', () => {
    const first = new InMemoryPair(clientConfig(), serverConfig()).run();
    const ticket = { ...ticketFrom(first), psk: new Uint8Array(32).fill(1) };
    const second = new InMemoryPair(clientConfig({ resumption: { ticket } }), serverConfig()).run();
    const alert = second.events('server').find((e) => e.type === 'alert' && e.direction === 'out');
    expect(alert).toMatchObject({ description: 'decrypt_error', reason: 'BadPskBinder' });
    expect(second.server.state).toBe('CLOSED');
  });

  it('resumes with psk_ke (no key share) only when the server allows PSK without (EC)DHE', () => {
    const first = new InMemoryPair(clientConfig(), serverConfig()).run();
    const ticket = ticketFrom(first);
    const refused = new InMemoryPair(clientConfig({ resumption: { ticket, modes: ['psk_ke'] } }), serverConfig()).run();
    expect(refused.server.info.resumed).toBeUndefined();
    const allowed = new InMemoryPair(clientConfig({ resumption: { ticket, modes: ['psk_ke'] } }), serverConfig({}, { allowPskWithoutDhe: true })).run();
    expect(allowed.server.info).toMatchObject({ resumed: true });
    expect(allowed.server.info.group).toBeUndefined();
  });

  it('resumes after a HelloRetryRequest, with binders over the new transcript', () => {
    const first = new InMemoryPair(clientConfig(), serverConfig()).run();
    const second = new InMemoryPair(
      clientConfig({ resumption: { ticket: ticketFrom(first) }, keyShareGroups: [NamedGroup.x25519] }),
      serverConfig({ groups: [NamedGroup.secp256r1, NamedGroup.x25519], helloRetryForPreferredGroup: true }),
    ).run();
    expect(messages(second.events('client'), 'in')[0]).toBe('hello_retry_request');
    expect(second.server.info).toMatchObject({ resumed: true, group: 'secp256r1' });
    // The PSK is judged once, for ClientHello2 only: the HelloRetryRequest came before any resumption decision.
    const serverEvents = second.events('server');
    const hrr = serverEvents.findIndex((e) => e.type === 'handshake-message' && e.message.kind === 'hello_retry_request');
    const judged = serverEvents.flatMap((e, i) => (e.type === 'decision' && e.topic === 'resumption' ? [i] : []));
    expect(judged).toHaveLength(1);
    expect(judged[0]).toBeGreaterThan(hrr);
  });

  it('never lets a resumed session skip a client certificate the policy requires', () => {
    const mutual = serverConfig({ clientAuth: 'require', trust: { kind: 'pinned-certificate', certificates: [clientIdentity.der] } });
    const unauthenticated = new InMemoryPair(clientConfig(), serverConfig()).run();
    const second = new InMemoryPair(clientConfig({ resumption: { ticket: ticketFrom(unauthenticated) } }), mutual).run();
    expect(second.server.info.resumed).toBeUndefined();
    const alert = second.events('server').find((e) => e.type === 'alert' && e.direction === 'out');
    expect(alert).toMatchObject({ description: 'certificate_required' });

    const authenticated = new InMemoryPair(clientConfig({ certificate: clientIdentity }), mutual).run();
    const third = new InMemoryPair(clientConfig({ resumption: { ticket: ticketFrom(authenticated) } }), mutual).run();
    expect(third.server.info).toMatchObject({ resumed: true, clientAuth: 'authenticated' });
    expect(third.server.info.peer?.subject).toBe('CN=alice');
  });
});

describe('0-RTT early data (RFC 8446 §2.3, §4.2.10)', () => {
  const early = (pair: InMemoryPair) => pair.events('server').flatMap((e) => (e.type === 'data' && e.early ? [utf8.decode(e.data)] : []));

  it('delivers accepted early data to the server before the handshake completes', () => {
    const first = new InMemoryPair(clientConfig(), serverConfig()).run();
    const second = new InMemoryPair(clientConfig({ resumption: { ticket: ticketFrom(first), earlyData: utf8.encode('GET /') } }), serverConfig()).run();
    expect(early(second)).toEqual(['GET /']);
    expect(second.client.info.earlyData).toBe('accepted');
    expect(messages(second.events('client'), 'out')).toContain('end_of_early_data');
  });

  it('refuses a replayed ticket its early data, and the handshake still completes', () => {
    const antiReplay = new SingleUseTickets();
    const first = new InMemoryPair(clientConfig(), serverConfig({}, { antiReplay })).run();
    const ticket = ticketFrom(first);
    const once = new InMemoryPair(clientConfig({ resumption: { ticket, earlyData: utf8.encode('pay 10') } }), serverConfig({}, { antiReplay })).run();
    const replay = new InMemoryPair(clientConfig({ resumption: { ticket, earlyData: utf8.encode('pay 10') } }), serverConfig({}, { antiReplay })).run();
    expect(early(once)).toEqual(['pay 10']);
    expect(early(replay)).toEqual([]);
    expect(replay.client.info).toMatchObject({ earlyData: 'rejected', resumed: true });
    expect(replay.client.isConnected && replay.server.isConnected).toBe(true);
  });

  it('rejects early data without a single-use register, skipping the records it cannot read', () => {
    const first = new InMemoryPair(clientConfig(), serverConfig()).run();
    const second = new InMemoryPair(
      clientConfig({ resumption: { ticket: ticketFrom(first), earlyData: new Uint8Array(600) } }),
      serverConfig({}, { antiReplay: undefined }),
    ).run();
    expect(second.server.info.earlyData).toBe('rejected');
    second.client.write(utf8.encode('resent'));
    second.run();
    expect(second.events('server').flatMap((e) => (e.type === 'data' ? [utf8.decode(e.data)] : []))).toEqual(['resent']);
  });

  it('stops a client that sends more early data than max_early_data_size with unexpected_message', () => {
    const first = new InMemoryPair(clientConfig(), serverConfig()).run();
    const ticket = { ...ticketFrom(first), maxEarlyDataSize: 100_000 };
    const second = new InMemoryPair(clientConfig({ resumption: { ticket, earlyData: new Uint8Array(2000) } }), serverConfig()).run();
    const alert = second.events('server').find((e) => e.type === 'alert' && e.direction === 'out');
    expect(alert).toMatchObject({ description: 'unexpected_message', reason: 'TooMuchEarlyData' });
  });

  it('rejects early data after a HelloRetryRequest and skips the early records sent in plaintext epoch', () => {
    const first = new InMemoryPair(clientConfig(), serverConfig()).run();
    const second = new InMemoryPair(
      clientConfig({ resumption: { ticket: ticketFrom(first), earlyData: utf8.encode('early') }, keyShareGroups: [NamedGroup.x25519] }),
      serverConfig({ groups: [NamedGroup.secp256r1, NamedGroup.x25519], helloRetryForPreferredGroup: true }),
    ).run();
    expect(second.client.isConnected && second.server.isConnected).toBe(true);
    expect(second.client.info.earlyData).toBe('rejected');
    expect(early(second)).toEqual([]);
  });
});

describe('early exporter (RFC 8446 §7.5)', () => {
  it('gives the client and the server that accepted 0-RTT the same early keying material, distinct from the exporter', () => {
    const first = new InMemoryPair(clientConfig(), serverConfig()).run();
    const second = new InMemoryPair(clientConfig({ resumption: { ticket: ticketFrom(first), earlyData: utf8.encode('x') } }), serverConfig()).run();
    const context = utf8.encode('c');
    const clientEarly = second.client.exportEarlyKeyingMaterial('EXPORTER-early', context, 32);
    expect(second.server.exportEarlyKeyingMaterial('EXPORTER-early', context, 32)).toEqual(clientEarly);
    expect(second.client.exportKeyingMaterial('EXPORTER-early', context, 32)).not.toEqual(clientEarly);
  });
});
