// Attacker's test: the ClientHello a client's `handshake-message` event carries shared its arrays with the engine.
// A careful application that zeroes what it logged (`event.message.random.fill(0)`) then changed what the client
// kept: after a HelloRetryRequest, ClientHello2 went out with 32 zero bytes of random (RFC 8446 §4.1.2: it must
// repeat ClientHello1's; the server answers illegal_parameter) and the key log named a zero client random; a
// wiped legacy_session_id broke the echo check (§4.1.3), and an emptied cipher_suites list made the client refuse
// the suite it had offered (or, refilled, accept one it had not). Its `raw` encoding was what the transcript kept
// of ClientHello1 until the ServerHello chose the hash (RFC 8446 §4.4.1): wiped, the handshake failed.
//
// Two runs from the same seeds, one whose client application mutates every outgoing ClientHello it is given as it
// takes the events, one that does not: both must connect, with the same ClientHello2 and the same key log.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeCast, SERVER_NAME } from '../../src/scenarios/mutual-tls.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { hex } from '../../src/wire/bytes.js';
import { NamedGroup } from '../../src/wire/enums.js';
import type { ClientHello } from '../../src/wire/types.js';

const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('handshake-message-copies'));
const clientConfig = (): ClientConfig => ({
  trust: { kind: 'pinned-certificate', certificates: [server.der] },
  now: () => TEST_NOW,
  random: seededRandom('c'),
  keyShareGroups: [NamedGroup.x25519],
});
// The server asks for secp256r1: the client sends ClientHello2 from what it kept of ClientHello1.
const serverConfig = (): ServerConfig => ({
  certificate: server,
  now: () => TEST_NOW,
  random: seededRandom('s'),
  groups: [NamedGroup.secp256r1, NamedGroup.x25519],
  helloRetryForPreferredGroup: true,
});

interface Outcome {
  connected: boolean[];
  serverAlert?: string;
  hellosReceived: string[];
  keyLog: string[];
  mutated: number;
}

function run(mutate?: (hello: ClientHello, raw: Uint8Array) => void): Outcome {
  const pair = new InMemoryPair(clientConfig(), serverConfig());
  let seen = 0;
  let mutated = 0;
  // As an application would: each new client event is handled (here: mutated) before the next flight arrives.
  const handleNewEvents = () => {
    for (const { side, event } of pair.log.slice(seen)) {
      if (mutate && side === 'client' && event.type === 'handshake-message' && event.message.kind === 'client_hello') {
        mutate(event.message, event.raw);
        mutated++;
      }
    }
    seen = pair.log.length;
  };
  while (pair.step('client') || pair.step('server')) handleNewEvents();
  const connected = (['client', 'server'] as const).map((side) => pair.events(side).some((e) => e.type === 'connected'));
  const alert = pair.events('server').find((e): e is Extract<TlsEvent, { type: 'alert' }> => e.type === 'alert' && e.direction === 'out');
  // What reached the server, as it decoded it (its own arrays, untouched by the client's application).
  const hellosReceived = pair.events('server').flatMap((e) =>
    e.type === 'handshake-message' && e.message.kind === 'client_hello' ? [`${hex(e.message.random)} ${hex(e.message.legacySessionId)}`] : [],
  );
  const keyLog = pair.events('client').flatMap((e) => (e.type === 'secret' && e.keylog ? [`${e.keylog} ${hex(e.clientRandom)}`] : []));
  return { connected, serverAlert: alert?.description, hellosReceived, keyLog, mutated };
}

const reference = run();

describe('a ClientHello handshake-message event carries copies: mutating it does not touch the engine (RFC 8446 §4.1.2)', () => {
  it('the reference run retries once and connects', () => {
    expect(reference.connected).toEqual([true, true]);
    expect(reference.hellosReceived).toHaveLength(2);
    // ClientHello2 repeats ClientHello1's random and legacy_session_id (RFC 8446 §4.1.2).
    expect(reference.hellosReceived[1]).toBe(reference.hellosReceived[0]);
    expect(reference.keyLog.length).toBeGreaterThanOrEqual(4);
  });

  it.each([
    ['random wiped', (h: ClientHello) => h.random.fill(0)],
    ['legacy_session_id wiped', (h: ClientHello) => h.legacySessionId.fill(0)],
    ['cipher_suites emptied', (h: ClientHello) => h.cipherSuites.splice(0)],
    ['encoding wiped', (_h: ClientHello, raw: Uint8Array) => raw.fill(0)],
  ])('%s: ClientHello2, the key log and the outcome are those of the reference run', (_name, mutate) => {
    const outcome = run(mutate);
    expect(outcome.mutated).toBe(2);
    expect(outcome.serverAlert).toBeUndefined();
    expect(outcome.connected).toEqual([true, true]);
    expect(outcome.hellosReceived).toEqual(reference.hellosReceived);
    expect(outcome.keyLog).toEqual(reference.keyLog);
  });
});

describe('after the handshake: what the client keeps or hands out of a received message is its own', () => {
  const cast = makeCast('handshake-message-copies');
  const ticketKey = seededRandom('handshake-message-copies ticket key')(32);
  const pair = (seed: string, client: Partial<ClientConfig> = {}) =>
    new InMemoryPair(
      { now: () => TEST_NOW, random: seededRandom(`${seed}/c`), serverName: SERVER_NAME, trust: { kind: 'ca', anchors: [cast.webCa.der] }, postHandshakeAuth: true, certificate: 'ask', ...client },
      // One ticket key for every run: a later run's server opens an earlier run's tickets.
      { now: () => TEST_NOW, random: seededRandom(`${seed}/s`), certificate: cast.server, trust: { kind: 'pinned-certificate', certificates: [cast.alice.der] }, tickets: { count: 1, key: ticketKey } },
    );
  const received = (events: TlsEvent[], kind: string) =>
    events.flatMap((e) => (e.type === 'handshake-message' && e.direction === 'in' && e.message.kind === kind ? [e.message] : []));

  it('a post-handshake CertificateRequest whose context the application wiped while choosing is answered with the context the server sent (RFC 8446 §4.3.2)', () => {
    const p = pair('post-handshake').run();
    expect(p.client.isConnected).toBe(true);
    p.server.requestClientCertificate();
    p.step('server');
    p.step('client');
    const [request] = received(p.events('client'), 'certificate_request');
    expect(request?.kind === 'certificate_request' && request.context.length).toBeGreaterThan(0);
    if (request?.kind === 'certificate_request') request.context.fill(0);
    p.client.resolve({ kind: 'client-certificate', certificate: cast.alice });
    p.run();
    expect(p.events('server').filter((e) => e.type === 'alert')).toEqual([]);
    expect(p.events('server').find((e) => e.type === 'post-handshake-auth')).toMatchObject({ answer: 'certificate' });
  });

  it('a server whose application wiped the context of the post-handshake CertificateRequest it sent still accepts the answer that echoes it', () => {
    const p = pair('server-context', { certificate: cast.alice }).run();
    p.server.requestClientCertificate();
    p.step('server');
    const sent = p.events('server').flatMap((e) => (e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'certificate_request' ? [e.message] : []));
    expect(sent).toHaveLength(1);
    if (sent[0]?.kind === 'certificate_request') sent[0].context.fill(0);
    p.run();
    expect(p.events('server').filter((e) => e.type === 'alert')).toEqual([]);
    expect(p.events('server').find((e) => e.type === 'post-handshake-auth')).toMatchObject({ answer: 'certificate' });
  });

  it("a server Certificate wiped while the application judges it: the CertificateVerify is checked with the leaf's key as received (RFC 8446 §4.4.3)", () => {
    const p = pair('certificate-verify', { trust: { kind: 'ask' }, certificate: undefined, postHandshakeAuth: false }).run();
    const [certificate] = received(p.events('client'), 'certificate');
    expect(certificate?.kind === 'certificate' && certificate.entries.length).toBeGreaterThan(0);
    if (certificate?.kind === 'certificate') for (const entry of certificate.entries) entry.data.fill(0);
    p.client.resolve({ kind: 'verify-peer', verdict: { trusted: true } });
    p.run();
    expect(p.events('client').filter((e) => e.type === 'alert')).toEqual([]);
    expect(p.client.isConnected).toBe(true);
  });

  it('the same with an Ed25519 leaf', () => {
    const p = new InMemoryPair({ ...clientConfig(), trust: { kind: 'ask' } }, { certificate: server, random: seededRandom('ed25519/s') }).run();
    const [certificate] = received(p.events('client'), 'certificate');
    if (certificate?.kind !== 'certificate') throw new Error('no Certificate');
    for (const entry of certificate.entries) entry.data.fill(0);
    p.client.resolve({ kind: 'verify-peer', verdict: { trusted: true } });
    p.run();
    expect(p.events('client').filter((e) => e.type === 'alert')).toEqual([]);
    expect(p.client.isConnected).toBe(true);
  });

  it('a NewSessionTicket wiped in its handshake-message event leaves the session-ticket event resumable (RFC 8446 §4.6.1)', () => {
    const first = pair('ticket', { certificate: undefined, postHandshakeAuth: false }).run();
    const [nst] = received(first.events('client'), 'new_session_ticket');
    const ticket = first.events('client').find((e) => e.type === 'session-ticket');
    expect(nst).toBeDefined();
    if (nst?.kind === 'new_session_ticket') {
      nst.ticket.fill(0);
      nst.nonce.fill(0);
    }
    if (ticket?.type !== 'session-ticket') throw new Error('no session-ticket event');
    const resumed = pair('ticket-2', { certificate: undefined, postHandshakeAuth: false, resumption: { ticket: ticket.ticket } }).run();
    expect(resumed.client.info.resumed).toBe(true);
  });
});
