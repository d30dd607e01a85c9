// Attacker's scripts against the server's walk over offered PSKs (RFC 8446 §4.2.11), with ClientHellos no client of
// ours would send: identities in any order, any number, any obfuscated_ticket_age, each binder valid or not. The
// server takes the first identity it can use and checks that one binder: a hundred identities passed over cost no
// binder each; early data goes only with the first identity (§4.2.10), so a ticket selected second carries none, nor
// does an external PSK selected first; and an external PSK's obfuscated_ticket_age is ignored ("servers MUST
// ignore the value"), while our client sends 0 for it.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import type { SessionTicket, TlsEvent } from '../../src/handshake/events.js';
import type { ExternalPsk } from '../../src/handshake/external-psk.js';
import { finishedVerifyData, KeySchedule } from '../../src/handshake/keyschedule.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SUITES } from '../../src/handshake/suites.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { TEST_NOW } from '../../src/testing/certs.js';
import { joinRecords, splitRecords } from '../../src/testing/tamper.js';
import { utf8 } from '../../src/wire/bytes.js';
import { CipherSuite, ExtensionType } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import { decodeHandshake, encodeHandshake, truncateClientHelloForBinders } from '../../src/wire/messages.js';
import type { ClientHello } from '../../src/wire/types.js';

const now = () => TEST_NOW + 60_000;
const alice: ExternalPsk = { identity: 'alice', key: seededRandom('psk-order-wire alice')(32) };
const bob: ExternalPsk = { identity: 'bob', key: seededRandom('psk-order-wire bob')(32) };
const ticketKey = seededRandom('psk-order-wire ticket key')(32);
const suite = SUITES.get(CipherSuite.TLS_AES_128_GCM_SHA256)!;

function server(keys: ExternalPsk[], provider: CryptoProvider = nobleProvider): ServerConfig {
  return { now, provider, random: seededRandom('psk-order-wire s'), externalPsks: { keys }, tickets: { count: 1, key: ticketKey, maxEarlyDataSize: 1024, antiReplay: new SingleUseTickets() } };
}
const client = (keys: ExternalPsk[], extra: Partial<ClientConfig> = {}): ClientConfig => ({ now, random: seededRandom('psk-order-wire c'), cipherSuites: [suite.code], externalPsks: { keys }, ...extra });

/** The ticket of a session alice authenticated with her external PSK. */
function aliceTicket(): SessionTicket {
  const first = new InMemoryPair(client([alice]), server([alice, bob])).run();
  const event = first.events('client').find((e) => e.type === 'session-ticket');
  if (event?.type !== 'session-ticket') throw new Error('no ticket');
  return event.ticket;
}

/** One offered PSK: its identity and age, and the key its binder is made with (none: a binder that cannot verify). */
interface Offer {
  identity: Uint8Array;
  age: number;
  key?: Uint8Array;
  resumption?: boolean;
}
const external = (psk: ExternalPsk, age = 0): Offer => ({ identity: utf8.encode(psk.identity as string), age, key: psk.key });
const ticketOffer = (ticket: SessionTicket, key: Uint8Array | undefined = ticket.psk): Offer => ({ identity: ticket.ticket, age: ticket.ageAdd, ...(key ? { key } : {}), resumption: true });

/** Our client's ClientHello with `offers` as its pre_shared_key (binders made as RFC 8446 §4.2.11.2 says), and early_data if asked. */
function helloOffering(offers: Offer[], earlyData = false): Uint8Array {
  const [record] = splitRecords(Connection.client(client([alice])).takeOutput());
  const base = decodeHandshake(record!.fragment) as ClientHello;
  const kept = base.extensions.filter((e) => e.type !== ExtensionType.pre_shared_key && e.type !== ExtensionType.padding && e.type !== ExtensionType.early_data);
  const withBinders = (binders: Uint8Array[]): ClientHello => ({
    ...base,
    extensions: [
      ...kept,
      ...(earlyData ? [X.ext(ExtensionType.early_data, new Uint8Array(0))] : []),
      X.ext(ExtensionType.pre_shared_key, X.preSharedKeyClientHello.encode({ identities: offers.map((o) => ({ identity: o.identity, obfuscatedTicketAge: o.age })), binders })),
    ],
  });
  const transcript = nobleProvider.hash(suite.hash, truncateClientHelloForBinders(encodeHandshake(withBinders(offers.map(() => new Uint8Array(suite.hashLength))))));
  const binders = offers.map((o) => (o.key ? finishedVerifyData(nobleProvider, suite, new KeySchedule(nobleProvider, suite, o.key).binderKey(o.resumption === true), transcript) : new Uint8Array(suite.hashLength).fill(7)));
  const message = encodeHandshake(withBinders(binders));
  const records = [];
  for (let at = 0; at < message.length; at += 2 ** 14) records.push({ type: 22, version: 0x0301, fragment: message.subarray(at, at + 2 ** 14) });
  return joinRecords(records);
}

/** What the server answered a ClientHello with, up to its flight. */
function answer(config: ServerConfig, hello: Uint8Array) {
  const victim = Connection.server(config);
  victim.receive(hello);
  const events = victim.takeEvents();
  const sent = (kind: string) => events.flatMap((e) => (e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === kind ? [e.message] : []))[0];
  const serverHello = sent('server_hello');
  const psk = serverHello?.kind === 'server_hello' ? X.findExtension(serverHello.extensions, ExtensionType.pre_shared_key) : undefined;
  const ee = sent('encrypted_extensions');
  return {
    selected: psk ? X.bodyOf(X.preSharedKeyServerHello, psk) : undefined,
    earlyData: victim.info.earlyData,
    earlyDataInEE: ee?.kind === 'encrypted_extensions' && X.findExtension(ee.extensions, ExtensionType.early_data) !== undefined,
    alerts: events.flatMap((e: TlsEvent) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : [])),
    earlyDataDecision: events.flatMap((e) => (e.type === 'decision' && e.topic === 'early_data' ? [e.reason] : [])),
  };
}

/** The provider, counting the HMACs and HKDF-Extracts made through it: a binder check is one of each. */
function counting(): { provider: CryptoProvider; calls: () => number } {
  let calls = 0;
  const provider: CryptoProvider = {
    ...nobleProvider,
    hmac: (...args) => (calls++, nobleProvider.hmac(...args)),
    hkdfExtract: (...args) => (calls++, nobleProvider.hkdfExtract(...args)),
  };
  return { provider, calls: () => calls };
}

describe('a hundred identities before the one the server can use', () => {
  it('cost no binder each: 99 copies of a ticket whose PSK was deleted, each binder wrong, then bob', () => {
    const declined = ticketOffer(aliceTicket(), undefined); // alice deleted below: passed over before its binder
    const alone = counting();
    expect(answer(server([bob], alone.provider), helloOffering([external(bob)]))).toMatchObject({ selected: 0, alerts: [] });
    const flooded = counting();
    expect(answer(server([bob], flooded.provider), helloOffering([...Array(99).fill(declined), external(bob)]))).toMatchObject({ selected: 99, alerts: [] });
    expect(alone.calls()).toBeGreaterThan(0);
    expect(flooded.calls()).toBe(alone.calls());
  });
});

describe('early data goes with the first identity only (RFC 8446 §4.2.10)', () => {
  it('a ticket selected second (an unknown name first) carries none: rejected, no early_data in EncryptedExtensions', () => {
    const hello = helloOffering([{ identity: utf8.encode('carol'), age: 0 }, ticketOffer(aliceTicket())], true);
    expect(answer(server([alice, bob]), hello)).toMatchObject({ selected: 1, earlyData: 'rejected', earlyDataInEE: false, alerts: [], earlyDataDecision: ['only the first PSK may carry early data'] });
  });

  it('the control: the same ticket first has its early data accepted', () => {
    expect(answer(server([alice, bob]), helloOffering([ticketOffer(aliceTicket())], true))).toMatchObject({ selected: 0, earlyData: 'accepted', earlyDataInEE: true, alerts: [] });
  });

  it('an external PSK selected first, the ticket after it, carries none: no 0-RTT under an external PSK', () => {
    const hello = helloOffering([external(alice), ticketOffer(aliceTicket())], true);
    expect(answer(server([alice, bob]), hello)).toMatchObject({ selected: 0, earlyData: 'rejected', earlyDataInEE: false, alerts: [] });
  });
});

describe('obfuscated_ticket_age of an external PSK (RFC 8446 §4.2.11: 0 SHOULD be used, and servers MUST ignore the value)', () => {
  it('the server ignores it: any age selects the PSK as 0 does', () => {
    for (const age of [0, 1, 0xdeadbeef, 0xffffffff]) expect(answer(server([alice]), helloOffering([external(alice, age)]))).toMatchObject({ selected: 0, alerts: [] });
  });

  it("our client sends 0 for each external PSK, and the ticket's age plus its age_add for the ticket", () => {
    const ticket = aliceTicket();
    const [record] = splitRecords(Connection.client(client([alice, bob], { resumption: { ticket } })).takeOutput());
    const hello = decodeHandshake(record!.fragment) as ClientHello;
    const { identities } = X.bodyOf(X.preSharedKeyClientHello, hello.extensions.at(-1)!);
    expect(identities.map((i) => i.obfuscatedTicketAge)).toEqual([ticket.ageAdd >>> 0, 0, 0]);
    expect(ticket.ageAdd).not.toBe(0);
  });
});
