// Attacker: a ClientHello2 that changes more than RFC 8446 §4.1.2 lets it. After a HelloRetryRequest "the
// client MUST send the same ClientHello without modification, except": one key share for the group asked
// for, early_data removed, "Including a "cookie" extension if one was provided in the HelloRetryRequest",
// "Updating the "pre_shared_key" extension if present by recomputing the "obfuscated_ticket_age" and binder
// values and (optionally) removing any PSKs which are incompatible with the server's indicated cipher
// suite", padding. The server let pre_shared_key and cookie change freely: a ClientHello2 that offered PSKs
// ClientHello1 never named (or a pre_shared_key where ClientHello1 had none), or echoed a cookie the server
// never sent, was answered with a ServerHello. Each is illegal_parameter now, as for every other change;
// what §4.1.2 allows (new binders and ages, PSKs dropped, the whole extension dropped) still passes.
import { describe, expect, it } from 'vitest';
import { Connection } from '../../src/handshake/connection.js';
import { concat } from '../../src/wire/bytes.js';
import { ExtensionType, NamedGroup, PskKeyExchangeMode } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import type { ClientHello, PskIdentity } from '../../src/wire/types.js';
import { baseHello, expectAbort, p256Public, record, serverConfig } from '../handshake/abort-harness.js';

const HANDSHAKE = 22;
const identity = (byte: number, age = 0): PskIdentity => ({ identity: new Uint8Array(40).fill(byte), obfuscatedTicketAge: age });

/** pre_shared_key (§4.2.11) offering `identities`, each with a binder of `binderByte`s; last, as it must be. */
function withPsks(hello: ClientHello, identities: PskIdentity[], binderByte = 0): ClientHello {
  const offered = { identities, binders: identities.map(() => new Uint8Array(32).fill(binderByte)) };
  return { ...hello, extensions: [...hello.extensions, X.ext(ExtensionType.pre_shared_key, X.preSharedKeyClientHello.encode(offered))] };
}

/** ClientHello1: an x25519 share and psk_key_exchange_modes, to a server that wants secp256r1 (HelloRetryRequest). */
function firstHello(identities?: PskIdentity[]): ClientHello {
  const hello = baseHello();
  hello.extensions = [
    ...hello.extensions.map((e) => (e.type === ExtensionType.supported_groups ? X.ext(e.type, X.supportedGroups.encode([NamedGroup.x25519, NamedGroup.secp256r1])) : e)),
    X.ext(ExtensionType.psk_key_exchange_modes, X.pskKeyExchangeModes.encode([PskKeyExchangeMode.psk_dhe_ke])),
  ];
  return identities ? withPsks(hello, identities) : hello;
}

/** ClientHello2 as §4.1.2 builds it from `first`: one secp256r1 share, then `edit`. */
function secondHello(first: ClientHello, edit: (hello: ClientHello) => ClientHello = (h) => h): ClientHello {
  const share = X.ext(ExtensionType.key_share, X.keyShareClientHello.encode([{ group: NamedGroup.secp256r1, keyExchange: p256Public() }]));
  return edit({ ...first, extensions: first.extensions.map((e) => (e.type === ExtensionType.key_share ? share : e)) });
}

/** The server's answer to ClientHello2, after its HelloRetryRequest for ClientHello1. */
function retry(first: ClientHello, second: ClientHello) {
  const victim = Connection.server(serverConfig({ groups: [NamedGroup.secp256r1, NamedGroup.x25519], helloRetryForPreferredGroup: true }));
  victim.receive(record(HANDSHAKE, encodeHandshake(first)));
  const hrr = victim.takeOutput();
  expect(hrr[5]).toBe(2); // a HelloRetryRequest (a ServerHello with the special random)
  victim.takeEvents();
  victim.receive(record(HANDSHAKE, encodeHandshake(second)));
  return { victim, events: victim.takeEvents(), output: victim.takeOutput() };
}

const answeredWithServerHello = (result: ReturnType<typeof retry>) => result.output[0] === HANDSHAKE && result.output[5] === 2 && !result.victim.isClosed;

describe('ClientHello2 changes what §4.1.2 allows, and no more', () => {
  it('the honest ClientHello2 is answered (so each refusal below is its one change)', () => {
    expect(answeredWithServerHello(retry(firstHello(), secondHello(firstHello())))).toBe(true);
  });

  it('a cookie the HelloRetryRequest did not carry is illegal_parameter', () => {
    const first = firstHello();
    const second = secondHello(first, (h) => ({ ...h, extensions: [...h.extensions, X.ext(ExtensionType.cookie, X.cookie.encode(Uint8Array.of(1, 2, 3)))] }));
    expectAbort(retry(first, second), 'illegal_parameter', { plaintext: true }, 'IllegalParameter');
  });

  it('a pre_shared_key where ClientHello1 had none is illegal_parameter', () => {
    const first = firstHello();
    expectAbort(retry(first, secondHello(first, (h) => withPsks(h, [identity(1)]))), 'illegal_parameter', { plaintext: true }, 'IllegalParameter');
  });

  it('a PSK identity ClientHello1 did not offer is illegal_parameter, also beside one it did', () => {
    const first = firstHello([identity(1)]);
    const replace = (ids: PskIdentity[]) => (h: ClientHello) => withPsks({ ...h, extensions: h.extensions.filter((e) => e.type !== ExtensionType.pre_shared_key) }, ids);
    expectAbort(retry(first, secondHello(first, replace([identity(2)]))), 'illegal_parameter', { plaintext: true }, 'IllegalParameter');
    expectAbort(retry(first, secondHello(first, replace([identity(1), identity(2)]))), 'illegal_parameter', { plaintext: true }, 'IllegalParameter');
  });

  it('the same PSKs in another order are illegal_parameter', () => {
    const first = firstHello([identity(1), identity(2)]);
    const second = secondHello(first, (h) => withPsks({ ...h, extensions: h.extensions.filter((e) => e.type !== ExtensionType.pre_shared_key) }, [identity(2), identity(1)]));
    expectAbort(retry(first, second), 'illegal_parameter', { plaintext: true }, 'IllegalParameter');
  });

  it('new ages and binders, PSKs dropped, or the whole pre_shared_key dropped are answered', () => {
    const first = firstHello([identity(1), identity(2), identity(3)]);
    const without = (h: ClientHello) => ({ ...h, extensions: h.extensions.filter((e) => e.type !== ExtensionType.pre_shared_key) });
    for (const edit of [
      (h: ClientHello) => withPsks(without(h), [identity(1, 77), identity(2, 78), identity(3, 79)], 9),
      (h: ClientHello) => withPsks(without(h), [identity(1), identity(3)]),
      (h: ClientHello) => withPsks(without(h), [identity(3)]),
      without,
    ]) {
      expect(answeredWithServerHello(retry(first, secondHello(first, edit)))).toBe(true);
    }
  });

  it('the cookie the HelloRetryRequest carried, echoed, is answered; another is illegal_parameter', () => {
    const cookie = Uint8Array.of(9, 9, 9);
    const victim = () => Connection.server(serverConfig({ groups: [NamedGroup.secp256r1, NamedGroup.x25519], helloRetryForPreferredGroup: true, helloRetryCookie: () => cookie }));
    const first = firstHello();
    const echo = (c: Uint8Array) => secondHello(first, (h) => ({ ...h, extensions: [...h.extensions, X.ext(ExtensionType.cookie, X.cookie.encode(c))] }));
    const answer = (second: ClientHello) => {
      const server = victim();
      server.receive(concat(record(HANDSHAKE, encodeHandshake(first))));
      server.takeOutput();
      server.takeEvents();
      server.receive(record(HANDSHAKE, encodeHandshake(second)));
      return { victim: server, events: server.takeEvents(), output: server.takeOutput() };
    };
    expect(answeredWithServerHello(answer(echo(cookie)))).toBe(true);
    expectAbort(answer(echo(Uint8Array.of(9, 9, 8))), 'illegal_parameter', { plaintext: true }, 'IllegalParameter');
  });
});

// BoringSSL's "PartialSecondClientHelloAfterFirst" (EXCESS_HANDSHAKE_DATA): ClientHello2 answers our
// HelloRetryRequest, so handshake bytes behind ClientHello1 in its record were written before the client could
// have read it. The server answered them with a full handshake (one round trip saved by a client that guessed
// the HelloRetryRequest, cookie included when it is predictable).
describe('ClientHello2 in the record of ClientHello1', () => {
  const server = () => Connection.server(serverConfig({ groups: [NamedGroup.secp256r1, NamedGroup.x25519], helloRetryForPreferredGroup: true }));
  const first = firstHello();
  const second = encodeHandshake(secondHello(first));

  it.each([
    ['whole', second],
    ['its first 10 bytes', second.subarray(0, 10)],
  ])('ClientHello2 (%s) behind ClientHello1 is unexpected_message, and no HelloRetryRequest goes out', (_, behind) => {
    const victim = server();
    victim.receive(record(HANDSHAKE, concat(encodeHandshake(first), behind)));
    expectAbort({ victim, events: victim.takeEvents(), output: victim.takeOutput() }, 'unexpected_message', { plaintext: true }, 'UnexpectedMessage');
  });

  it('the control: ClientHello2 in a record of its own, in the same bytes, is answered', () => {
    const victim = server();
    victim.receive(concat(record(HANDSHAKE, encodeHandshake(first)), record(HANDSHAKE, second)));
    expect(victim.isClosed).toBe(false);
    expect(victim.state).not.toBe('START');
  });
});

// Red team, session 14: the fields §4.1.2 does not list, changed one at a time, and the key share stretched.
describe('ClientHello2 keeps what a HelloRetryRequest does not ask to change (red team, session 14)', () => {
  const named = (type: number, body: Uint8Array) => (h: ClientHello): ClientHello => ({ ...h, extensions: [...h.extensions.filter((e) => e.type !== type), X.ext(type, body)] });
  const withName = (name: string) => named(ExtensionType.server_name, X.serverName.encode([name]));
  const withAlpn = (...protocols: string[]) => named(ExtensionType.application_layer_protocol_negotiation, X.alpn.encode(protocols));
  const shares = (...entries: Array<{ group: number; keyExchange: Uint8Array }>) => named(ExtensionType.key_share, X.keyShareClientHello.encode(entries));
  const p256Share = () => ({ group: NamedGroup.secp256r1, keyExchange: p256Public() });

  it('another server_name (SNI) is illegal_parameter: the retried handshake is for the name first asked', () => {
    const first = withName('a.example')(firstHello());
    expect(answeredWithServerHello(retry(first, secondHello(first)))).toBe(true);
    expectAbort(retry(first, secondHello(first, withName('b.example'))), 'illegal_parameter', { plaintext: true }, 'IllegalParameter');
  });

  it('another ALPN list is illegal_parameter', () => {
    const first = withAlpn('h2', 'http/1.1')(firstHello());
    expectAbort(retry(first, secondHello(first, withAlpn('http/1.1'))), 'illegal_parameter', { plaintext: true }, 'IllegalParameter');
  });

  it('a share for a group not asked for, instead of or beside the one asked for, is illegal_parameter', () => {
    const first = firstHello();
    const x25519 = X.bodyOf(X.keyShareClientHello, first.extensions.find((e) => e.type === ExtensionType.key_share)!)[0]!;
    expectAbort(retry(first, secondHello(first, shares(x25519))), 'illegal_parameter', { plaintext: true }, 'IllegalParameter');
    expectAbort(retry(first, secondHello(first, shares(p256Share(), x25519))), 'illegal_parameter', { plaintext: true }, 'IllegalParameter');
  });

  it('early_data offered again in ClientHello2 is illegal_parameter (§4.1.2: removed)', () => {
    const first = firstHello();
    expectAbort(retry(first, secondHello(first, named(ExtensionType.early_data, new Uint8Array(0)))), 'illegal_parameter', { plaintext: true }, 'IllegalParameter');
  });

  it('the cipher suites reordered is illegal_parameter', () => {
    const first = { ...firstHello(), cipherSuites: [0x1301, 0x1302] };
    expect(answeredWithServerHello(retry(first, secondHello(first)))).toBe(true);
    expectAbort(retry(first, secondHello(first, (h) => ({ ...h, cipherSuites: [0x1302, 0x1301] }))), 'illegal_parameter', { plaintext: true }, 'IllegalParameter');
  });
});
