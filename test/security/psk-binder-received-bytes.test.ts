// Attacker's script against the server's PSK binder check (RFC 8446 §4.2.11.2): the binder is an HMAC over
// "the partial ClientHello up to and including the PreSharedKeyExtension.identities field", the bytes the
// client sent, which are also the bytes the transcript holds. A server that hashes its own re-encoding of the
// decoded ClientHello instead judges the binder on bytes nobody sent: wherever the re-encoding differs from
// what arrived (a field the decoder normalises, an extension order it does not keep), a ClientHello whose
// binder covers different bytes than the ones the handshake goes on with would pass, and an honest one fail.
// Today's decoder keeps every field and extension as received, so no ClientHello on the wire re-encodes
// differently; this script makes the re-encoding differ (one byte of the random flipped when the server
// re-encodes a ClientHello) and checks that only the received bytes count.
import { describe, expect, it, vi } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import type { SessionTicket, TlsEvent } from '../../src/handshake/events.js';
import { finishedVerifyData, KeySchedule } from '../../src/handshake/keyschedule.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SUITES } from '../../src/handshake/suites.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { joinRecords, splitRecords } from '../../src/testing/tamper.js';
import { ExtensionType } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import { decodeHandshake, encodeHandshake, truncateClientHelloForBinders } from '../../src/wire/messages.js';
import type { ClientHello, HandshakeMessage } from '../../src/wire/types.js';

const reencoding = vi.hoisted(() => ({ differs: false }));
/** Header (4 bytes) and legacy_version (2): the first byte of the random. */
const RANDOM_AT = 6;

vi.mock('../../src/wire/messages.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/wire/messages.js')>();
  return {
    ...actual,
    encodeHandshake: (message: HandshakeMessage): Uint8Array => {
      const bytes = actual.encodeHandshake(message);
      if (message.kind === 'client_hello' && reencoding.differs) bytes[RANDOM_AT]! ^= 0xff;
      return bytes;
    },
  };
});

const serverIdentity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('binder-bytes server'));
const ticketKey = seededRandom('binder-bytes ticket key')(32);
const serverConfig = (at: number): ServerConfig => ({
  certificate: serverIdentity,
  now: () => at,
  random: seededRandom(`binder-bytes s ${at}`),
  tickets: { count: 1, key: ticketKey, lifetime: 7 * 24 * 3600 },
});
const clientConfig = (at: number, ticket?: SessionTicket) => ({
  trust: { kind: 'pinned-certificate' as const, certificates: [serverIdentity.der] },
  now: () => at,
  random: seededRandom(`binder-bytes c ${at}`),
  ...(ticket ? { resumption: { ticket } } : {}),
});

function aTicket(): SessionTicket {
  const first = new InMemoryPair(clientConfig(TEST_NOW), serverConfig(TEST_NOW)).run();
  const event = first.events('client').find((e) => e.type === 'session-ticket');
  if (event?.type !== 'session-ticket') throw new Error('no ticket');
  return event.ticket;
}

/**
 * Our client's ClientHello resuming `ticket`, its binder computed over `covered(truncated)`, where
 * `truncated` is the ClientHello as sent, cut before the binders.
 */
function helloWithBinderOver(ticket: SessionTicket, at: number, covered: (truncated: Uint8Array) => Uint8Array): Uint8Array {
  const client = Connection.client(clientConfig(at, ticket));
  const [record] = splitRecords(client.takeOutput());
  const hello = decodeHandshake(record!.fragment) as ClientHello;
  const pskExtension = hello.extensions.find((e) => e.type === ExtensionType.pre_shared_key)!;
  const { identities } = X.bodyOf(X.preSharedKeyClientHello, pskExtension);
  const suite = SUITES.get(ticket.cipherSuite)!;
  const withBinder = (binder: Uint8Array): ClientHello => ({
    ...hello,
    extensions: [...hello.extensions.filter((e) => e !== pskExtension), X.ext(ExtensionType.pre_shared_key, X.preSharedKeyClientHello.encode({ identities, binders: [binder] }))],
  });
  const truncated = truncateClientHelloForBinders(encodeHandshake(withBinder(new Uint8Array(suite.hashLength))));
  const schedule = new KeySchedule(nobleProvider, suite, ticket.psk);
  const binder = finishedVerifyData(nobleProvider, suite, schedule.binderKey(true), nobleProvider.hash(suite.hash, covered(truncated)));
  return encodeHandshake(withBinder(binder));
}

function serverReceives(hello: Uint8Array, at: number): TlsEvent[] {
  const server = Connection.server(serverConfig(at));
  reencoding.differs = true;
  try {
    server.receive(joinRecords([{ type: 22, version: 0x0303, fragment: hello }]));
  } finally {
    reencoding.differs = false;
  }
  return server.takeEvents();
}

const resumption = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'decision' && e.topic === 'resumption' ? [e.value] : []));
const alertsSent = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : []));

describe('the server checks a PSK binder over the ClientHello as received (RFC 8446 §4.2.11.2)', () => {
  const ticket = aTicket();
  const later = TEST_NOW + 1000;

  it('accepts a binder over the received bytes, although its own re-encoding of them differs', () => {
    const events = serverReceives(helloWithBinderOver(ticket, later, (sent) => sent), later);
    expect(alertsSent(events)).toEqual([]);
    expect(resumption(events)).toEqual([expect.stringMatching(/^PSK #0 /)]);
  });

  it('refuses a binder over other bytes than those received, even when they are its re-encoding', () => {
    const reencoded = (sent: Uint8Array) => {
      const copy = new Uint8Array(sent);
      copy[RANDOM_AT]! ^= 0xff;
      return copy;
    };
    const events = serverReceives(helloWithBinderOver(ticket, later, reencoded), later);
    expect(alertsSent(events)).toEqual(['decrypt_error']);
    expect(resumption(events)).toEqual([]);
  });
});
