// A state-machine sweep as TLS-Attacker's probes run it: in every state of each side's handshake (RFC 8446
// Appendix A), once connected, and in each post-handshake exchange, every handshake message type, under the
// keys the peer really holds, both well formed and malformed (a body no decoder accepts). A type
// the state does not take is unexpected_message whatever its body (§4: "A peer which receives a handshake
// message in an unexpected order MUST abort the handshake with an "unexpected_message" alert"; §6.2), never
// decode_error, internal_error or silence: the type is judged on the header before the body is read, as
// OpenSSL, BoringSSL, NSS and GnuTLS do (src/handshake/expected-messages.ts). A type the state takes, malformed,
// is decode_error: the control that shows the table lets it through, and that the malformed
// bodies are ones the decoder refuses. Unassigned types, HelloRequest (0) and the other TLS 1.2 types are
// taken nowhere.
import { describe, expect, it } from 'vitest';
import { Connection } from '../../src/handshake/connection.js';
import type { Role } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { portableZlib } from '../../src/handshake/compression-codecs.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { announcedSecret, editProtectedHandshake, editProtectedRecords, suiteNamed, type HandshakeEdit } from '../../src/testing/tamper.js';
import { concat, hex, utf8 } from '../../src/wire/bytes.js';
import { HandshakeBuffer } from '../../src/record/handshake-buffer.js';
import { decodeHandshakeBody, encodeHandshake, encodeHandshakeHeader, handshakeType } from '../../src/wire/messages.js';
import type { HandshakeMessage } from '../../src/wire/types.js';
import { alice, baseHello, clientConfig, expectAbort, pinned, protectedEdit, record, runUntilAbort, serverConfig, tamperedPair, type Abort, type AlertName } from '../handshake/abort-harness.js';
import { accepted, connected, feed } from './harness.js';

const HANDSHAKE = 22;
const ticketKey = new Uint8Array(32).fill(3);
const withAuth = { client: { certificate: alice }, server: { clientAuth: 'require' as const, trust: pinned(alice), tickets: { count: 1, key: ticketKey } } };

/** One well-formed message of every type, taken from honest handshakes where we have them. */
const CATALOG: HandshakeMessage[] = (() => {
  const seen = new Map<string, HandshakeMessage>();
  const collect = (pair: InMemoryPair) => {
    for (const side of ['client', 'server'] as const) {
      for (const e of pair.events(side)) if (e.type === 'handshake-message' && !seen.has(e.message.kind)) seen.set(e.message.kind, e.message);
    }
  };
  collect(new InMemoryPair(clientConfig(withAuth.client), serverConfig(withAuth.server)).run());
  collect(new InMemoryPair(clientConfig({ keyShareGroups: [29], groups: [29, 23] }), serverConfig({ groups: [23, 29], helloRetryForPreferredGroup: true })).run());
  seen.set('client_hello', baseHello());
  seen.set('end_of_early_data', { kind: 'end_of_early_data' });
  seen.set('key_update', { kind: 'key_update', requestUpdate: 0 });
  seen.set('message_hash', { kind: 'message_hash', hash: new Uint8Array(32) });
  seen.set('compressed_certificate', { kind: 'compressed_certificate', algorithm: 1, uncompressedLength: 64, compressed: new Uint8Array(16) });
  return [...seen.values()];
})();

/** HelloRequest, HelloVerifyRequest, ServerKeyExchange (TLS 1.2 and DTLS only), and unassigned code points. */
const UNKNOWN_TYPES = [0, 3, 12, 99, 255];

/**
 * `message` with a body no decoder takes (§6.2 decode_error): a byte left over, or for a Finished 49 bytes,
 * longer than any Hash.length (refused from the header). A message_hash body is any hash: it has no malformed
 * form, and is taken nowhere.
 */
function malformed(message: HandshakeMessage): Uint8Array | undefined {
  if (message.kind === 'message_hash') return undefined;
  const body = message.kind === 'finished' ? new Uint8Array(49) : concat(encodeHandshake(message).subarray(4), Uint8Array.of(0));
  return concat(encodeHandshakeHeader(handshakeType(message), body.length), body);
}

interface Probe {
  name: string;
  bytes: Uint8Array;
  /** The alert the state owes this probe. */
  alert: AlertName;
}

/**
 * Every probe for a state that takes `takes`: each type it does not take, well formed and malformed
 * (unexpected_message); each it takes, malformed (decode_error); each unknown type with an
 * empty and a one-byte body (unexpected_message). Kinds name the types: a HelloRetryRequest is a ServerHello.
 */
function probes(takes: string[]): Probe[] {
  const out: Probe[] = [];
  for (const message of CATALOG) {
    const taken = takes.includes(message.kind === 'hello_retry_request' ? 'server_hello' : message.kind);
    if (!taken) out.push({ name: `${message.kind}, well formed`, bytes: encodeHandshake(message), alert: 'unexpected_message' });
    const bytes = malformed(message);
    if (bytes) out.push({ name: `${message.kind}, malformed`, bytes, alert: taken ? 'decode_error' : 'unexpected_message' });
  }
  for (const type of UNKNOWN_TYPES) {
    out.push({ name: `type ${type}, empty`, bytes: encodeHandshakeHeader(type, 0), alert: 'unexpected_message' });
    out.push({ name: `type ${type}, one byte`, bytes: concat(encodeHandshakeHeader(type, 1), Uint8Array.of(1)), alert: 'unexpected_message' });
  }
  return out;
}

const cases = (takes: string[]) => probes(takes).map((p) => [p.name, p] as const);

/**
 * The alert the probe is owed, and for unexpected_message, that the message was refused from its header:
 * never decoded, so no handshake-message event since the last state change carries its bytes (an honest
 * message before it, perhaps the same bytes, moved the state).
 */
function expectRefused(result: Abort, probe: Probe, wire: Parameters<typeof expectAbort>[2] | 'alert only'): void {
  const sinceState = result.events.slice(result.events.map((e) => e.type).lastIndexOf('state') + 1);
  const decoded = sinceState.filter((e) => e.type === 'handshake-message' && e.direction === 'in' && hex(e.raw) === hex(probe.bytes));
  if (probe.alert === 'unexpected_message') expect(decoded).toEqual([]);
  if (wire === 'alert only') expectAlert(result, probe.alert);
  else expectAbort(result, probe.alert, wire);
}

it('the catalog holds every message type of RFC 8446 §4 and RFC 8879 §4 we decode', () => {
  expect(CATALOG.map((m) => m.kind).sort()).toEqual(
    ['certificate', 'certificate_request', 'certificate_verify', 'client_hello', 'compressed_certificate', 'encrypted_extensions', 'end_of_early_data', 'finished', 'hello_retry_request', 'key_update', 'message_hash', 'new_session_ticket', 'server_hello'].sort(),
  );
});

it.each(CATALOG.filter((m) => m.kind !== 'message_hash').map((m) => [m.kind, m] as const))('the malformed %s is one the header rule or the decoder refuses with decode_error', (_, message) => {
  const buffer = new HandshakeBuffer();
  buffer.push(malformed(message)!);
  const read = () => {
    const whole = buffer.next()!;
    decodeHandshakeBody(whole.msgType, whole.body);
  };
  expect(read).toThrow(expect.objectContaining({ alert: 'decode_error' }));
});

describe.each([
  { victim: 'client' as Role, takes: ['server_hello'], state: 'WAIT_SH' },
  { victim: 'server' as Role, takes: ['client_hello'], state: 'START' },
])('$victim in $state, plaintext', ({ victim, takes, state }) => {
  it.each(cases(takes))('%s', (_, probe) => {
    const connection = victim === 'client' ? Connection.client(clientConfig()) : Connection.server(serverConfig());
    expect(connection.state).toBe(state);
    expectRefused(feed(connection, record(HANDSHAKE, probe.bytes)), probe, { plaintext: true });
  });
});

describe.each([
  // Our client, its state when the k-th message of the server's flight arrives, and what that state takes
  // (compress_certificate not offered: no CompressedCertificate anywhere, RFC 8879 §3).
  { victim: 'client' as Role, flight: 0, k: 0, state: 'WAIT_EE', takes: ['encrypted_extensions'] },
  { victim: 'client' as Role, flight: 0, k: 1, state: 'WAIT_CERT_CR', takes: ['certificate_request', 'certificate'] },
  { victim: 'client' as Role, flight: 0, k: 2, state: 'WAIT_CERT', takes: ['certificate'] },
  { victim: 'client' as Role, flight: 0, k: 3, state: 'WAIT_CV', takes: ['certificate_verify'] },
  { victim: 'client' as Role, flight: 0, k: 4, state: 'WAIT_FINISHED', takes: ['finished'] },
  // Our server, the client's second flight.
  { victim: 'server' as Role, flight: 1, k: 0, state: 'WAIT_CERT', takes: ['certificate'] },
  { victim: 'server' as Role, flight: 1, k: 1, state: 'WAIT_CV', takes: ['certificate_verify'] },
  { victim: 'server' as Role, flight: 1, k: 2, state: 'WAIT_FINISHED', takes: ['finished'] },
])('$victim in $state', ({ victim, flight, k, state, takes }) => {
  const sender: Role = victim === 'client' ? 'server' : 'client';
  it.each(cases(takes))('%s', (_, probe) => {
    const edit = protectedEdit(sender, (ms) => [...ms.slice(0, k), probe.bytes]);
    const result = runUntilAbort(tamperedPair(clientConfig(withAuth.client), serverConfig(withAuth.server), sender, flight, edit));
    expect(result.side).toBe(victim);
    expect(result.events.some((e) => e.type === 'state' && e.to === state)).toBe(true);
    expectRefused(result, probe, { protectedFor: result.peer });
  });
});

describe('server in WAIT_EOED, under the client early traffic keys (§4.5: EndOfEarlyData only while it reads 0-RTT data)', () => {
  const server = () => serverConfig({ tickets: { count: 1, key: ticketKey, maxEarlyDataSize: 1024, antiReplay: new SingleUseTickets() } });
  const ticket = (() => {
    const event = new InMemoryPair(clientConfig(), server()).run().events('client').find((e) => e.type === 'session-ticket');
    if (event?.type !== 'session-ticket') throw new Error('no ticket');
    return event.ticket;
  })();

  it.each(cases(['end_of_early_data']))('%s', (_, probe) => {
    // The client's one 0-RTT record becomes a handshake record holding the probe (same record count).
    const pair = tamperedPair(clientConfig({ resumption: { ticket, earlyData: utf8.encode('early') } }), server(), 'client', 0, (bytes, p) => {
      const keys = { suite: suiteNamed('TLS_AES_128_GCM_SHA256'), secret: announcedSecret(p.events('client'), 'client_early_traffic_secret') };
      return editProtectedRecords(bytes, keys, (records) => records.map(() => ({ contentType: HANDSHAKE, content: probe.bytes })));
    });
    const result = runUntilAbort(pair);
    expect(result.side).toBe('server');
    expect(result.events.some((e) => e.type === 'state' && e.to === 'WAIT_EOED')).toBe(true);
    expectRefused(result, probe, 'alert only');
  });
});

describe.each([
  { victim: 'client' as Role, offered: false, takes: ['new_session_ticket', 'key_update'] },
  // §4.6.2: a CertificateRequest only to a client that sent post_handshake_auth.
  { victim: 'client' as Role, offered: true, takes: ['new_session_ticket', 'key_update', 'certificate_request'] },
  // §4.6.1: NewSessionTicket goes to the client only.
  { victim: 'server' as Role, offered: false, takes: ['key_update'] },
])('$victim once CONNECTED (post_handshake_auth offered: $offered)', ({ victim, offered, takes }) => {
  const sender: Role = victim === 'client' ? 'server' : 'client';
  const pair = () => connected(sender, offered ? { postHandshakeAuth: true, certificate: alice } : {});
  it.each(cases(takes))('%s', (_, probe) => {
    const { victim: connection, peer, writer } = pair();
    expectRefused(feed(connection, writer.seal(HANDSHAKE, probe.bytes)), probe, { protectedFor: peer });
  });

  it.each(takes.filter((kind) => kind !== 'certificate_request'))('the control: %s, well formed, is taken', (kind) => {
    const { victim: connection, writer } = pair();
    expect(accepted(feed(connection, writer.seal(HANDSHAKE, encodeHandshake(CATALOG.find((m) => m.kind === kind)!))))).toBe(true);
  });
});

/**
 * The server asks for a certificate after the handshake; the client's answer goes through `edit` on its way
 * back. With `compression`, both offered compress_certificate: the client's Certificate comes compressed.
 */
function postHandshakeAnswer(edit: HandshakeEdit, compression: boolean): Abort & { peer: Connection } {
  const certificateCompression = compression ? [portableZlib] : undefined;
  const { pair, victim, peer } = connected('client', { postHandshakeAuth: true, certificate: alice, certificateCompression }, { trust: pinned(alice), certificateCompression });
  victim.requestClientCertificate();
  pair.step('server');
  const [answer] = pair.pull('client').splice(0);
  const keys = { suite: suiteNamed(victim.info.cipherSuite!), secret: announcedSecret(pair.events('client'), 'client_application_traffic_secret_0') };
  return { ...feed(victim, editProtectedHandshake(answer!.bytes, keys, edit)), peer };
}

describe.each([
  // §4.6.2: the client's Certificate, CertificateVerify and Finished come only as the answer to our
  // CertificateRequest, each in its turn; KeyUpdate stays allowed in between. A CompressedCertificate only in
  // the Certificate's turn, and only when we offered compress_certificate (RFC 8879 §3).
  { k: 0, compression: false, takes: ['certificate'] },
  { k: 0, compression: true, takes: ['certificate', 'compressed_certificate'] },
  { k: 1, compression: false, takes: ['certificate_verify'] },
  { k: 1, compression: true, takes: ['certificate_verify'] },
  { k: 2, compression: false, takes: ['finished'] },
])('server CONNECTED, its CertificateRequest answered up to message $k (compress_certificate: $compression)', ({ k, compression, takes }) => {
  it.each(cases(['key_update', ...takes]))('%s', (_, probe) => {
    const result = postHandshakeAnswer((ms) => [...ms.slice(0, k), probe.bytes], compression);
    expectRefused(result, probe, { protectedFor: result.peer });
  });
});

it.each([false, true])('the control: the honest answer authenticates the client (compress_certificate: %s)', (compression) => {
  const result = postHandshakeAnswer((ms) => ms, compression);
  expect(accepted(result)).toBe(true);
  expect(result.events.filter((e) => e.type === 'post-handshake-auth')).toHaveLength(1);
  expect(result.events.some((e) => e.type === 'handshake-message' && e.message.kind === (compression ? 'compressed_certificate' : 'certificate'))).toBe(true);
});

/** A fatal `alert` went out and the victim closed (the wire form of a server alert behind its own flight is the flight's business). */
function expectAlert({ victim, events }: Abort, alert: AlertName): void {
  expect(events.filter((e) => e.type === 'alert' && e.direction === 'out')).toEqual([expect.objectContaining({ level: 'fatal', description: alert })]);
  expect(victim.isClosed).toBe(true);
}
