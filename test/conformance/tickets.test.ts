// NewSessionTickets and resumption as tlsfuzzer's test-tls13-count-tickets and test-tls13-session-resumption
// drive them, with the scripts' own ClientHello (secp256r1, rsa_pss schemes, an RSA certificate on the
// server) from a client written by hand (scripted-client.ts):
// - count-tickets, "count NewSessionTickets": after the client's Finished the server sends exactly `-t`
//   tickets (default 0), before it answers any data. Its ClientHello has no psk_key_exchange_modes, so no
//   ticket could ever be used (RFC 8446 §4.2.9: "Servers SHOULD NOT send NewSessionTicket with tickets that
//   are not compatible with the advertised modes"): we send none, and the script passes with its default.
// - session-resumption: the server "sends at least one NST always" to a client that offers psk_dhe_ke and
//   psk_ke, and a ClientHello with the last ticket resumes: a ServerHello with pre_shared_key (identity 0)
//   and key_share (psk_dhe_ke preferred, §4.2.9), then EncryptedExtensions and Finished, no Certificate.
import { describe, expect, it } from 'vitest';
import { makeIdentity } from '../../src/testing/certs.js';
import { rsaTestKey } from '../../src/testing/rsa-keys.js';
import { DEFAULT_TICKET_COUNT } from '../../src/node/server.js';
import { ExtensionType, NamedGroup, PskKeyExchangeMode } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import type { Extension, HandshakeMessage, NewSessionTicket } from '../../src/wire/types.js';
import { ext, rnd } from '../handshake/abort-harness.js';
import { codePointList, RSA_SIG_ALL, ScriptedClient, SUPPORTED_VERSIONS, ticketPsk, type Answer } from './scripted-client.js';

const TLS_AES_128_GCM_SHA256 = 0x1301;
const TLS_EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff;
const CIPHERS = [TLS_AES_128_GCM_SHA256, TLS_EMPTY_RENEGOTIATION_INFO_SCSV];
const GET = new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n');

const rsaServer = makeIdentity({ subject: { CN: 'example.test' }, privateKey: rsaTestKey() }, rnd);
const ticketKey = new Uint8Array(32).fill(0x42);

/** The scripts' extensions, in their order; psk_key_exchange_modes only when `modes` is given. */
function scriptExtensions(client: ScriptedClient, modes?: number[]): Extension[] {
  return [
    client.keyShare(NamedGroup.secp256r1),
    SUPPORTED_VERSIONS,
    codePointList(ExtensionType.supported_groups, [NamedGroup.secp256r1]),
    codePointList(ExtensionType.signature_algorithms, [0x0804, 0x0809]),
    codePointList(ExtensionType.signature_algorithms_cert, RSA_SIG_ALL),
    ...(modes ? [ext(ExtensionType.psk_key_exchange_modes, [modes.length, ...modes])] : []),
  ];
}

const kinds = (messages: HandshakeMessage[]) => messages.map((m) => m.kind);
const tickets = (answer: Answer) => answer.messages.filter((m): m is NewSessionTicket => m.kind === 'new_session_ticket');

/**
 * The scripts' ending: close_notify, which the server reads as the end of the client's data (RFC 8446 §6.1);
 * the application's close() then answers with its own close_notify (the script expects it or the close).
 */
function expectClosedCleanly(client: ScriptedClient): void {
  client.server.takeEvents();
  expect(client.closeNotify().alerts).toEqual([]);
  expect(client.server.takeEvents()).toContainEqual({ type: 'alert', direction: 'in', level: 'warning', description: 'close_notify' });
  client.server.close();
  expect(client.read().alerts).toEqual(['close_notify']);
}

/** A full handshake of the script's ClientHello; what the server sent after our Finished. */
function handshake(count: number, modes?: number[], allowPskWithoutDhe = false) {
  const client = new ScriptedClient({ certificate: rsaServer, tickets: { count, key: ticketKey, allowPskWithoutDhe } });
  const first = client.hello(CIPHERS, scriptExtensions(client, modes));
  expect(first.alerts).toEqual([]);
  expect(kinds(first.messages)).toEqual(['server_hello', 'encrypted_extensions', 'certificate', 'certificate_verify', 'finished']);
  const afterFinished = client.finish();
  expect(afterFinished.alerts).toEqual([]);
  expect(client.server.isConnected).toBe(true);
  return { client, afterFinished };
}

describe('test-tls13-count-tickets', () => {
  it('"count NewSessionTickets" (-t 0, the default): no psk_key_exchange_modes, so no ticket, and the data is read', () => {
    const { client, afterFinished } = handshake(DEFAULT_TICKET_COUNT);
    expect(afterFinished.records).toEqual([]);
    client.server.takeEvents();
    expect(client.send(GET).alerts).toEqual([]);
    expect(client.server.takeEvents()).toContainEqual(expect.objectContaining({ type: 'data' }));
    expectClosedCleanly(client);
  });

  it.each([1, 2, 5])('with psk_key_exchange_modes [psk_dhe_ke] and %i tickets configured: exactly that many, right after the Finished', (count) => {
    const { afterFinished } = handshake(count, [PskKeyExchangeMode.psk_dhe_ke]);
    expect(kinds(afterFinished.messages)).toEqual(Array(count).fill('new_session_ticket'));
  });

  it('tlsfuzzer -t 2 against `tls13 serve` (2 tickets) with a client that offers psk_dhe_ke', () => {
    expect(DEFAULT_TICKET_COUNT).toBe(2);
    expect(tickets(handshake(DEFAULT_TICKET_COUNT, [PskKeyExchangeMode.psk_dhe_ke]).afterFinished)).toHaveLength(2);
  });

  // §4.2.9: "Servers SHOULD NOT send NewSessionTicket with tickets that are not compatible with the
  // advertised modes": a ticket is only of use with a mode we resume with.
  it('psk_key_exchange_modes [psk_ke] alone, which we do not resume with by default: no ticket', () => {
    expect(handshake(2, [PskKeyExchangeMode.psk_ke]).afterFinished.records).toEqual([]);
  });

  it('psk_key_exchange_modes [psk_ke] alone, with allowPskWithoutDhe: the tickets', () => {
    expect(tickets(handshake(2, [PskKeyExchangeMode.psk_ke], true).afterFinished)).toHaveLength(2);
  });
});

describe('test-tls13-session-resumption', () => {
  const BOTH_MODES = [PskKeyExchangeMode.psk_dhe_ke, PskKeyExchangeMode.psk_ke];

  it('"sanity": at least one NewSessionTicket, then the data is read and close_notify answered', () => {
    const { client, afterFinished } = handshake(DEFAULT_TICKET_COUNT, BOTH_MODES);
    expect(tickets(afterFinished).length).toBeGreaterThanOrEqual(1);
    expect(client.send(GET).alerts).toEqual([]);
    expectClosedCleanly(client);
  });

  it('"session resumption": the last ticket resumes with psk_dhe_ke; no Certificate; tickets again', () => {
    const { client: first, afterFinished } = handshake(DEFAULT_TICKET_COUNT, BOTH_MODES);
    const held = first.held(tickets(afterFinished).at(-1)!); // psk_session_ext_gen: the last ticket
    const second = new ScriptedClient({ certificate: rsaServer, tickets: { count: DEFAULT_TICKET_COUNT, key: ticketKey } });
    const answer = second.hello(CIPHERS, scriptExtensions(second, BOTH_MODES), { offer: ticketPsk(held), suite: held.suite });
    expect(answer.alerts).toEqual([]);
    expect(kinds(answer.messages)).toEqual(['server_hello', 'encrypted_extensions', 'finished']);
    const serverHello = answer.messages[0]!;
    const extensionOf = (type: number) => serverHello.kind === 'server_hello' && X.findExtension(serverHello.extensions, type);
    expect(X.bodyOf(X.preSharedKeyServerHello, extensionOf(ExtensionType.pre_shared_key) as Extension)).toBe(0);
    expect(extensionOf(ExtensionType.key_share)).toBeTruthy();
    expect(second.sharedSecret).toBeDefined();
    const resumed = second.finish();
    expect(resumed.alerts).toEqual([]);
    expect(second.server.info.resumed).toBe(true);
    expect(tickets(resumed).length).toBeGreaterThanOrEqual(1);
    expect(second.send(GET).alerts).toEqual([]);
    expectClosedCleanly(second);
  });
});
