// Attacker's script against PSK binder checks (RFC 8446 §4.2.11): "Servers SHOULD NOT attempt to validate
// multiple binders; rather, they SHOULD select a single PSK and validate solely the binder that corresponds
// to that PSK." The server declines a ticket whose client identity today's policy no longer accepts (a pin
// removed, a certificate revoked or expired) after its binder verified, and used to go on to the next
// identity. Mallory, whose pin was removed but who kept one ticket, offers it 100 times in one ClientHello,
// each with the same valid binder (the binders do not cover each other): the server hashed the whole
// ClientHello and re-judged the ticket's chain 100 times (249 ms of CPU for a 45 KB ClientHello; the work
// grows with the square of its size). One binder per ClientHello: the first PSK whose binder is checked
// is the one selected, and declining it means a full handshake.
import { describe, expect, it } from 'vitest';
import type { TrustPolicy } from '../../src/auth/trust.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import type { SessionTicket, TlsEvent } from '../../src/handshake/events.js';
import { finishedVerifyData, KeySchedule } from '../../src/handshake/keyschedule.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SUITES } from '../../src/handshake/suites.js';
import { makeIdentity, TEST_NOW, type Identity } from '../../src/testing/certs.js';
import { joinRecords, splitRecords } from '../../src/testing/tamper.js';
import { ExtensionType } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import { decodeHandshake, encodeHandshake, truncateClientHelloForBinders } from '../../src/wire/messages.js';
import type { ClientHello } from '../../src/wire/types.js';

const serverIdentity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('binder-flood server'));
const mallory = makeIdentity({ subject: { CN: 'mallory' } }, seededRandom('binder-flood mallory'));
const alice = makeIdentity({ subject: { CN: 'alice' } }, seededRandom('binder-flood alice'));
const ticketKey = seededRandom('binder-flood ticket key')(32);
const pinned = (...ids: Identity[]): TrustPolicy => ({ kind: 'pinned-certificate', certificates: ids.map((i) => i.der) });

const serverConfig = (trust: TrustPolicy, at: number): ServerConfig => ({
  certificate: serverIdentity,
  now: () => at,
  random: seededRandom(`binder-flood s ${at}`),
  clientAuth: 'require',
  trust,
  tickets: { count: 1, key: ticketKey, lifetime: 7 * 24 * 3600 },
});
const clientConfig = (at: number, extra: Partial<ClientConfig> = {}): ClientConfig => ({
  trust: pinned(serverIdentity),
  now: () => at,
  random: seededRandom(`binder-flood c ${at}`),
  certificate: mallory,
  ...extra,
});

/** Mallory's ticket, issued while the server pinned her certificate. */
function mallorysTicket(): SessionTicket {
  const first = new InMemoryPair(clientConfig(TEST_NOW), serverConfig(pinned(mallory), TEST_NOW)).run();
  const event = first.events('client').find((e) => e.type === 'session-ticket');
  if (event?.type !== 'session-ticket') throw new Error('no ticket');
  return event.ticket;
}

/** Our client's ClientHello resuming `ticket`, its one PSK offered `copies` times, every binder valid. */
function helloOfferingTicket(ticket: SessionTicket, copies: number, at: number): Uint8Array {
  const client = Connection.client(clientConfig(at, { resumption: { ticket } }));
  const [record] = splitRecords(client.takeOutput());
  const hello = decodeHandshake(record!.fragment) as ClientHello;
  const pskExtension = hello.extensions.find((e) => e.type === ExtensionType.pre_shared_key)!;
  const [identity] = X.bodyOf(X.preSharedKeyClientHello, pskExtension).identities;
  const suite = SUITES.get(ticket.cipherSuite)!;
  const withBinders = (binder: Uint8Array): ClientHello => ({
    ...hello,
    extensions: [
      ...hello.extensions.filter((e) => e !== pskExtension && e.type !== ExtensionType.padding),
      X.ext(ExtensionType.pre_shared_key, X.preSharedKeyClientHello.encode({ identities: Array(copies).fill(identity), binders: Array(copies).fill(binder) })),
    ],
  });
  const draft = encodeHandshake(withBinders(new Uint8Array(suite.hashLength)));
  const schedule = new KeySchedule(nobleProvider, suite, ticket.psk);
  const binder = finishedVerifyData(nobleProvider, suite, schedule.binderKey(true), nobleProvider.hash(suite.hash, truncateClientHelloForBinders(draft)));
  return encodeHandshake(withBinders(binder));
}

/** `message` in plaintext handshake records of at most 2^14 bytes (RFC 8446 §5.1). */
function plaintextRecords(message: Uint8Array): Uint8Array {
  const records = [];
  for (let at = 0; at < message.length; at += 2 ** 14) records.push({ type: 22, version: 0x0303, fragment: message.subarray(at, at + 2 ** 14) });
  return joinRecords(records);
}

const resumptionDecisions = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'decision' && e.topic === 'resumption' ? [e.value] : []));

describe('a ClientHello offering one declined ticket many times (RFC 8446 §4.2.11)', () => {
  const ticket = mallorysTicket();
  const later = TEST_NOW + 1000;

  it('checks one binder and judges the ticket once, then goes on with a full handshake', () => {
    const hello = helloOfferingTicket(ticket, 100, later);
    const server = Connection.server(serverConfig(pinned(alice), later)); // mallory's pin removed
    server.receive(plaintextRecords(hello));
    const events = server.takeEvents();
    expect(resumptionDecisions(events)).toEqual(['declined PSK #0']);
    expect(events.filter((e) => e.type === 'alert')).toEqual([]);
    const sent = events.flatMap((e) => (e.type === 'handshake-message' && e.direction === 'out' ? [e.message.kind] : []));
    expect(sent).toContain('certificate_request');
    expect(server.info.resumed).not.toBe(true);
  });

  it('still resumes when the same ClientHello meets a server that trusts mallory (the control case)', () => {
    const hello = helloOfferingTicket(ticket, 100, later);
    const server = Connection.server(serverConfig(pinned(mallory), later));
    server.receive(plaintextRecords(hello));
    expect(resumptionDecisions(server.takeEvents())).toEqual([expect.stringMatching(/^PSK #0 /)]);
  });
});
