// Attacker: the red team of session 17, against s17-close and s17-garb. (1) After our close_notify our application
// traffic secret is zeroed (traffic.ts): a server's post-handshake CertificateRequest must then go unanswered, the
// connection reading on, never answered with a Finished keyed from the zeroed secret, never failing the read side
// that is still open. (2) The server now derives its resumption_master_secret only when it sends tickets and zeroes
// it once they are made (server/machine.ts): every kind of ticket must still resume, generation after generation:
// after a certificate handshake, with 0-RTT, after a resumption, with psk_ke only, under an external PSK; and a
// server with no tickets (count 0, or none configured) sends none.
import { describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { SessionTicket, TlsEvent } from '../../src/handshake/events.js';
import type { ExternalPsk } from '../../src/handshake/external-psk.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { utf8 } from '../../src/wire/bytes.js';

const now = () => TEST_NOW;
const serverIdentity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('red17 server'));
const alice = makeIdentity({ subject: { CN: 'alice' } }, seededRandom('red17 alice'));
const trustServer = { trust: { kind: 'pinned-certificate' as const, certificates: [serverIdentity.der] } };
const ticketKey = seededRandom('red17 ticket key')(32);
const psk: ExternalPsk = { identity: 'alice-psk', key: seededRandom('red17 psk')(32) };

const issued = (events: TlsEvent[]): SessionTicket[] => events.flatMap((e) => (e.type === 'session-ticket' ? [e.ticket] : []));
const text = (events: TlsEvent[], early: boolean) => events.flatMap((e) => (e.type === 'data' && !!e.early === early ? [utf8.decode(e.data)] : [])).join('');
const failures = (events: TlsEvent[]) => events.filter((e) => e.type === 'closed' && 'error' in e && e.error !== undefined);

describe.each([
  ['noble', nobleProvider],
  ['node:crypto', nodeCryptoProvider],
] as Array<[string, CryptoProvider]>)('after the merge of s17-close and s17-garb (%s)', (_name, provider) => {
  const client = (seed: string, extra: Partial<ClientConfig> = {}): ClientConfig => ({ now, random: seededRandom(seed), provider, ...trustServer, ...extra });
  // No secret events: the server derives its resumption secret for its tickets alone (with them it always derives one).
  const server = (seed: string, extra: Partial<ServerConfig> = {}): ServerConfig => ({ now, random: seededRandom(seed), provider, certificate: serverIdentity, secretEvents: false, ...extra });

  it('a post-handshake CertificateRequest after the client\'s close_notify: not answered, nothing sent, the read side goes on', () => {
    const pair = new InMemoryPair(
      client('pha c', { postHandshakeAuth: true, certificate: alice }),
      server('pha s', { trust: { kind: 'pinned-certificate', certificates: [alice.der] } }),
    ).run();
    pair.client.close();
    pair.run();
    pair.client.takeEvents();
    // The server's write side is open (only its read side closed): it may still ask, and write.
    pair.server.requestClientCertificate();
    pair.server.write(utf8.encode('after the request'));
    pair.client.receive(pair.server.takeOutput());
    expect(pair.client.takeOutput()).toHaveLength(0);
    const events = pair.client.takeEvents();
    expect(failures(events)).toEqual([]);
    expect(text(events, false)).toBe('after the request');
    expect(events.some((e) => e.type === 'decision' && e.topic === 'client_auth' && e.value === 'not answered')).toBe(true);
    pair.server.close();
    pair.client.receive(pair.server.takeOutput());
    expect(pair.client.takeEvents().filter((e) => e.type === 'closed')).toEqual([{ type: 'closed', by: 'peer' }]);
    expect(pair.client.isClosed).toBe(true);
  });

  it('tickets resume generation after generation (certificate, 0-RTT, psk_ke only, again); none for a psk_ke-only client of a DHE-only server', () => {
    const tickets = { count: 2, key: ticketKey, maxEarlyDataSize: 1024, antiReplay: new SingleUseTickets() };
    const first = new InMemoryPair(client('gen c1'), server('gen s1', { tickets })).run();
    const [ticket1] = issued(first.events('client'));
    expect(issued(first.events('client'))).toHaveLength(2);

    const second = new InMemoryPair(client('gen c2', { resumption: { ticket: ticket1!, earlyData: utf8.encode('early bird') } }), server('gen s2', { tickets })).run();
    expect(second.server.info.resumed).toBe(true);
    expect(second.client.info.earlyData).toBe('accepted');
    expect(text(second.events('server'), true)).toBe('early bird');
    const [ticket2] = issued(second.events('client'));
    expect(issued(second.events('client'))).toHaveLength(2);

    const third = new InMemoryPair(client('gen c3', { resumption: { ticket: ticket2!, modes: ['psk_ke'] } }), server('gen s3', { tickets: { ...tickets, count: 1, allowPskWithoutDhe: true } })).run();
    expect(third.client.isConnected).toBe(true);
    expect(third.server.info.resumed).toBe(true);
    expect(third.client.info.group).toBeUndefined();
    third.client.write(utf8.encode('third'));
    third.run();
    expect(text(third.events('server'), false)).toBe('third');
    const [ticket3] = issued(third.events('client'));
    const fourth = new InMemoryPair(client('gen c4', { resumption: { ticket: ticket3! } }), server('gen s4', { tickets })).run();
    expect(fourth.server.info.resumed).toBe(true);
    // psk_ke only, to a server that requires DHE: no resumption, and no ticket it could not use (ticketsUsable).
    const [ticket4] = issued(fourth.events('client'));
    const fifth = new InMemoryPair(client('gen c5', { resumption: { ticket: ticket4!, modes: ['psk_ke'] } }), server('gen s5', { tickets })).run();
    expect(fifth.server.isConnected).toBe(true);
    expect(fifth.server.info.resumed).toBeFalsy();
    expect(issued(fifth.events('client'))).toEqual([]);
  });

  it('under an external PSK: its tickets resume', () => {
    const tickets = { count: 1, key: ticketKey };
    const first = new InMemoryPair(client('xpsk c1', { externalPsks: { keys: [psk] } }), server('xpsk s1', { externalPsks: { keys: [psk] }, tickets })).run();
    expect(first.server.isConnected).toBe(true);
    const [ticket] = issued(first.events('client'));
    expect(ticket).toBeDefined();
    const again = new InMemoryPair(client('xpsk c2', { externalPsks: { keys: [psk] }, resumption: { ticket: ticket! } }), server('xpsk s2', { externalPsks: { keys: [psk] }, tickets })).run();
    expect(again.server.isConnected).toBe(true);
    expect(again.server.info.resumed).toBe(true);
  });

  it.each([
    ['count 0', { tickets: { count: 0, key: ticketKey } }],
    ['no tickets configured', {}],
  ] as Array<[string, Partial<ServerConfig>]>)('a server with %s sends no NewSessionTicket, and connects', (_what, extra) => {
    const pair = new InMemoryPair(client('none c'), server('none s', extra)).run();
    expect(pair.client.isConnected && pair.server.isConnected).toBe(true);
    expect(issued(pair.events('client'))).toEqual([]);
    expect(pair.events('server').some((e) => e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'new_session_ticket')).toBe(false);
  });
});
