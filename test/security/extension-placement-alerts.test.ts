// Red team, session 18 (issue 16: allocations in src/wire decoding, extension bodies decoded or viewed lazily).
// Attacker's scripts at the connection's surface, for every extension the RFC 8446 §4.2 table governs, in every
// message it names: a decoder that skips or defers a body, or a duplicate check that takes a shortcut, must still
// answer each with the RFC's exact alert and a closed connection:
// - an extension "which is not specified for the message in which it appears": illegal_parameter (§4.2);
// - two of one type in one block: "There MUST NOT be more than one extension of the same type", illegal_parameter
//   (§4.2), wherever the second one is (either side of the scan/set switch at DUPLICATE_SCAN_LIMIT);
// - a body one byte too long or too short, in a message the table allows it in: decode_error (§6.2, "a message
//   could not be decoded because some field was out of the specified range or the length of the message was
//   incorrect"), even for an extension the handshake never reads (heartbeat, use_srtp, padding's neighbours).
// The server is fed hand-made ClientHellos; the client a scripted server (test/conformance/anvil-server.ts).
import { describe, expect, it } from 'vitest';
import { NamedGroup } from '../../src/wire/enums.js';
import { Reader } from '../../src/wire/bytes.js';
import { ALLOWED_EXTENSIONS, decodeExtensionBody, type ExtensionContext } from '../../src/wire/extension-table.js';
import { ExtensionType, type ExtensionTypeName } from '../../src/wire/enums.js';
import type { Extension } from '../../src/wire/types.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import { HANDSHAKE, ScriptedServer } from '../conformance/anvil-server.js';
import { plaintextRecords } from '../conformance/harness.js';
import { expectAbort, expectClosedForGood, ext, feedServer, helloWith, type Abort, type AlertName } from '../handshake/abort-harness.js';

type Known = keyof typeof ALLOWED_EXTENSIONS;
const KNOWN = Object.keys(ALLOWED_EXTENSIONS) as Known[];
const code = (name: Known) => ExtensionType[name as ExtensionTypeName];
const u16 = (n: number) => [n >> 8, n & 0xff];
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/** A well-formed body of each extension in the messages the table allows it in (checked below by the codec itself). */
const VALID: Partial<Record<Known, Partial<Record<ExtensionContext, number[]>>>> = {
  server_name: { CH: [...u16(12), 0, ...u16(9), ...ascii('a.example')], EE: [] },
  max_fragment_length: { CH: [1], EE: [1] },
  status_request: { CH: [1, 0, 0, 0, 0], CR: [], CT: [1, 0, 0, 1, 0x30] },
  supported_groups: { CH: [...u16(2), ...u16(NamedGroup.x25519)], EE: [...u16(2), ...u16(NamedGroup.x25519)] },
  signature_algorithms: { CH: [0, 2, 0x08, 0x07], CR: [0, 2, 0x08, 0x07] },
  use_srtp: { CH: [0, 2, 0, 1, 0], EE: [0, 2, 0, 1, 0] },
  heartbeat: { CH: [1], EE: [1] },
  application_layer_protocol_negotiation: { CH: [0, 3, 2, ...ascii('h2')], EE: [0, 3, 2, ...ascii('h2')] },
  signed_certificate_timestamp: { CH: [], CR: [], CT: [0, 3, 0, 1, 0xaa] },
  client_certificate_type: { CH: [1, 0], EE: [0] },
  server_certificate_type: { CH: [1, 0], EE: [0] },
  padding: { CH: [0, 0] },
  pre_shared_key: { CH: [...u16(7), ...u16(1), 0x61, 0, 0, 0, 0, ...u16(33), 32, ...new Array<number>(32).fill(1)], SH: [0, 0] },
  early_data: { CH: [], EE: [], NST: [0, 0, 0x40, 0] },
  psk_key_exchange_modes: { CH: [1, 1] },
  cookie: { CH: [0, 1, 0xaa], HRR: [0, 1, 0xaa] },
  supported_versions: { CH: [2, 0x03, 0x04], SH: [0x03, 0x04], HRR: [0x03, 0x04] },
  certificate_authorities: { CH: [0, 4, 0, 2, 0x30, 0x00], CR: [0, 4, 0, 2, 0x30, 0x00] },
  oid_filters: { CR: [0, 0] },
  post_handshake_auth: { CH: [] },
  signature_algorithms_cert: { CH: [0, 2, 0x08, 0x07], CR: [0, 2, 0x08, 0x07] },
  key_share: { CH: [...u16(36), ...u16(NamedGroup.x25519), ...u16(32), ...new Array<number>(32).fill(9)], SH: [...u16(NamedGroup.x25519), ...u16(32), ...new Array<number>(32).fill(9)], HRR: u16(NamedGroup.x25519) },
  record_size_limit: { CH: [0x40, 0x00], EE: [0x40, 0x00] },
  compress_certificate: { CH: [2, 0, 1], CR: [2, 0, 1] },
};

/** A body one byte longer than `body` whose own length fields say it is `body`: trailing bytes, for every extension. */
const withTrailingByte = (body: number[]) => [...body, 0];

/** The extensions a message's block may hold, and those it may not. */
const allowedIn = (context: ExtensionContext) => KNOWN.filter((name) => ALLOWED_EXTENSIONS[name].includes(context));
const notAllowedIn = (context: ExtensionContext) => KNOWN.filter((name) => !ALLOWED_EXTENSIONS[name].includes(context));
const valid = (name: Known, context: ExtensionContext) => VALID[name]![context]!;

/** One fatal alert sent, of this description; the connection closed for good. */
function expectAlert(result: Abort, alert: AlertName): void {
  const sent = result.events.filter((e) => e.type === 'alert' && e.direction === 'out');
  expect(sent).toEqual([expect.objectContaining({ level: 'fatal', description: alert })]);
  expect(result.output.length).toBeGreaterThan(0);
  expectClosedForGood(result.victim);
}

describe('the bodies these tests call well-formed are, to the codec of each message', () => {
  it.each(KNOWN.flatMap((name) => ALLOWED_EXTENSIONS[name].map((context) => [name, context] as const)))('%s in %s', (name, context) => {
    const body = Uint8Array.from(valid(name, context));
    expect(() => decodeExtensionBody(code(name), context, new Reader(body))).not.toThrow();
    // padding's body is whatever was sent (RFC 7685 §3 binds only the client): no length of its own to break.
    if (name !== 'padding') expect(() => decodeExtensionBody(code(name), context, new Reader(Uint8Array.from(withTrailingByte(valid(name, context)))))).toThrow();
  });
});

describe('a ClientHello (the server)', () => {
  /** The server's answer to the base ClientHello with `extensions` first (pre_shared_key stays last when sent). */
  const serverAnswer = (extensions: Extension[]) =>
    feedServer(plaintextRecords(helloWith((h) => {
      const psk = extensions.filter((e) => e.type === ExtensionType.pre_shared_key);
      h.extensions = [...extensions.filter((e) => e.type !== ExtensionType.pre_shared_key), ...h.extensions.filter((e) => !extensions.some((x) => x.type === e.type)), ...psk];
    })));

  it.each(notAllowedIn('CH'))('%s, which the table leaves out of ClientHello: illegal_parameter', (name) => {
    expectAbort(serverAnswer([ext(code(name), [0, 0])]), 'illegal_parameter', { plaintext: true });
  });

  it.each(allowedIn('CH'))('%s twice: illegal_parameter', (name) => {
    const once = ext(code(name), valid(name, 'CH'));
    const result = feedServer(plaintextRecords(helloWith((h) => h.extensions.unshift(once, once))));
    expectAbort(result, 'illegal_parameter', { plaintext: true });
  });

  const bounded = allowedIn('CH').filter((name) => name !== 'padding');

  it.each(bounded)('%s with a trailing byte in its body: decode_error', (name) => {
    expectAbort(serverAnswer([ext(code(name), withTrailingByte(valid(name, 'CH')))]), 'decode_error', { plaintext: true });
  });

  it.each(bounded.filter((name) => valid(name, 'CH').length > 0))('%s with its last byte cut: decode_error', (name) => {
    expectAbort(serverAnswer([ext(code(name), valid(name, 'CH').slice(0, -1))]), 'decode_error', { plaintext: true });
  });

  it.each([0, 1, 30, 31, 32, 33, 40, 100])('a repeated type with %i other extensions between the two: illegal_parameter, known or unknown', (between) => {
    const others = Array.from({ length: between }, (_, i) => ext(0x5a00 + i, []));
    for (const repeated of [ext(ExtensionType.signature_algorithms_cert, [0, 2, 0x08, 0x07]), ext(0x7a7a, [1])]) {
      const result = feedServer(plaintextRecords(helloWith((h) => h.extensions.unshift(repeated, ...others, repeated))));
      expectAbort(result, 'illegal_parameter', { plaintext: true });
    }
  });
});

describe('the server messages (the client)', () => {
  /** A scripted server at the client's EncryptedExtensions, with `extensions` in it, then the rest of an honest flight. */
  function encryptedExtensions(extensions: Extension[]): Abort {
    const server = new ScriptedServer();
    const hello = server.serverHello();
    return server.deliver(hello, server.protect(server.encryptedExtensions(extensions), server.certificate(), server.certificateVerify(), server.finished()));
  }

  it.each(notAllowedIn('EE'))('%s in EncryptedExtensions, which the table leaves it out of: illegal_parameter', (name) => {
    expectAlert(encryptedExtensions([ext(code(name), [])]), 'illegal_parameter');
  });

  it.each(allowedIn('EE'))('%s twice in EncryptedExtensions: illegal_parameter', (name) => {
    const once = ext(code(name), valid(name, 'EE'));
    expectAlert(encryptedExtensions([once, once]), 'illegal_parameter');
  });

  it.each(allowedIn('EE'))('%s in EncryptedExtensions with a trailing byte in its body: decode_error', (name) => {
    expectAlert(encryptedExtensions([ext(code(name), withTrailingByte(valid(name, 'EE')))]), 'decode_error');
  });

  it.each(notAllowedIn('SH'))('%s in the ServerHello, which the table leaves it out of: illegal_parameter', (name) => {
    const server = new ScriptedServer();
    expectAlert(server.deliver(server.serverHello({ edit: (sh) => ({ ...sh, extensions: [...sh.extensions, ext(code(name), [])] }) })), 'illegal_parameter');
  });

  it.each(['supported_versions', 'key_share'] as const)('%s twice in the ServerHello: illegal_parameter', (name) => {
    const server = new ScriptedServer();
    const result = server.deliver(server.serverHello({ edit: (sh) => ({ ...sh, extensions: [...sh.extensions, sh.extensions.find((e) => e.type === code(name))!] }) }));
    expectAlert(result, 'illegal_parameter');
  });

  it.each(notAllowedIn('HRR'))('%s in a HelloRetryRequest, which the table leaves it out of: illegal_parameter', (name) => {
    const server = new ScriptedServer({ groups: [NamedGroup.x25519, NamedGroup.secp256r1] });
    expectAlert(server.helloRetryRequest(NamedGroup.secp256r1, (hrr) => ({ ...hrr, extensions: [...hrr.extensions, ext(code(name), [])] })), 'illegal_parameter');
  });

  it.each(notAllowedIn('CT'))("%s in the server's Certificate entry, which the table leaves it out of: illegal_parameter", (name) => {
    const server = new ScriptedServer();
    const hello = server.serverHello();
    const certificate = server.certificate((m) => ({ ...m, entries: m.entries.map((entry, i) => (i === 0 ? { ...entry, extensions: [ext(code(name), [])] } : entry)) }));
    expectAlert(server.deliver(hello, server.protect(server.encryptedExtensions(), certificate)), 'illegal_parameter');
  });

  it.each(notAllowedIn('CR'))('%s in a CertificateRequest, which the table leaves it out of: illegal_parameter', (name) => {
    const server = new ScriptedServer();
    const hello = server.serverHello();
    const request = server.add({ kind: 'certificate_request', context: new Uint8Array(0), extensions: [ext(ExtensionType.signature_algorithms, [0, 2, 0x08, 0x07]), ext(code(name), [])] });
    expectAlert(server.deliver(hello, server.protect(server.encryptedExtensions(), request)), 'illegal_parameter');
  });

  it('signature_algorithms twice in a CertificateRequest: illegal_parameter', () => {
    const server = new ScriptedServer();
    const hello = server.serverHello();
    const algorithms = ext(ExtensionType.signature_algorithms, [0, 2, 0x08, 0x07]);
    const request = server.add({ kind: 'certificate_request', context: new Uint8Array(0), extensions: [algorithms, algorithms] });
    expectAlert(server.deliver(hello, server.protect(server.encryptedExtensions(), request)), 'illegal_parameter');
  });

  /** After a whole honest handshake, one NewSessionTicket with `extensions`. */
  function newSessionTicket(extensions: Extension[]): Abort {
    const server = new ScriptedServer();
    server.handshake();
    const message = encodeHandshake({ kind: 'new_session_ticket', lifetime: 7200, ageAdd: 1, nonce: Uint8Array.of(0), ticket: Uint8Array.of(1, 2, 3), extensions });
    return server.deliver(server.seal(HANDSHAKE, message));
  }

  it.each(notAllowedIn('NST'))('%s in a NewSessionTicket, which the table leaves it out of: illegal_parameter', (name) => {
    expectAlert(newSessionTicket([ext(code(name), [])]), 'illegal_parameter');
  });

  it('early_data twice in a NewSessionTicket: illegal_parameter; with a trailing byte: decode_error', () => {
    const once = ext(ExtensionType.early_data, valid('early_data', 'NST'));
    expectAlert(newSessionTicket([once, once]), 'illegal_parameter');
    expectAlert(newSessionTicket([ext(ExtensionType.early_data, withTrailingByte(valid('early_data', 'NST')))]), 'decode_error');
  });
});
