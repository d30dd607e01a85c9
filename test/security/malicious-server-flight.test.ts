// Attacker: a malicious server (it holds its own keys, so it can write any protected message) against our
// client, with messages the RFC forbids where it sends them. Found defended this round; each test names the
// rule, and the exact alert and reason the client must put on the wire.
import { describe, expect, it } from 'vitest';
import { editServerHello } from '../../src/testing/tamper.js';
import {
  alice,
  clientAbort,
  clientConfig,
  expectAbort,
  ext,
  handshakeMessage,
  p256Public,
  pinned,
  protectedEdit,
  runUntilAbort,
  serverConfig,
  serverKeyShare,
  tamperedPair,
} from '../handshake/abort-harness.js';

const NEW_SESSION_TICKET = 4;
const KEY_UPDATE = 24;
const EARLY_DATA = 42;
const X25519 = 0x001d;
const SECP256R1 = 0x0017;

/** Inserts raw handshake messages before the server Finished. */
const beforeFinished = (...inserted: Uint8Array[]) =>
  protectedEdit('server', (messages) => [...messages.slice(0, -1), ...inserted, messages[messages.length - 1]!]);

describe("post-handshake messages inside the server's first flight (RFC 8446 §4.6: only after the handshake)", () => {
  it('a NewSessionTicket before the server Finished is unexpected_message', () => {
    const ticket = handshakeMessage(NEW_SESSION_TICKET, Uint8Array.of(0, 0, 0, 60, 0, 0, 0, 0, 0, 0, 1, 0xaa, 0, 0));
    const result = clientAbort(beforeFinished(ticket));
    expectAbort(result, 'unexpected_message', { protectedFor: result.peer }, 'UnexpectedMessage');
    expect(result.events.some((e) => e.type === 'session-ticket')).toBe(false);
  });

  it('a KeyUpdate before the server Finished is unexpected_message (no application keys to update yet)', () => {
    const result = clientAbort(beforeFinished(handshakeMessage(KEY_UPDATE, Uint8Array.of(1))));
    expectAbort(result, 'unexpected_message', { protectedFor: result.peer }, 'UnexpectedMessage');
  });
});

describe('EncryptedExtensions and CertificateRequest', () => {
  it('early_data in EncryptedExtensions when we sent no 0-RTT is unsupported_extension (§4.2: never offered)', () => {
    const result = clientAbort(
      protectedEdit('server', (messages) => messages.map((m) => (m.kind === 'encrypted_extensions' ? { ...m, extensions: [...m.extensions, ext(EARLY_DATA, [])] } : m))),
    );
    expectAbort(result, 'unsupported_extension', { protectedFor: result.peer }, 'UnsolicitedExtension');
    expect(result.victim.info.earlyData).toBeUndefined();
  });

  it('a CertificateRequest with a non-empty certificate_request_context in the handshake is decode_error (§4.3.2, §6.2)', () => {
    const result = clientAbort(
      protectedEdit('server', (messages) => messages.map((m) => (m.kind === 'certificate_request' ? { ...m, context: Uint8Array.of(7) } : m))),
      { certificate: alice },
      { clientAuth: 'require', trust: pinned(alice) },
    );
    expectAbort(result, 'decode_error', { protectedFor: result.peer }, 'DecodeError');
  });
});

describe('a ServerHello after a HelloRetryRequest (RFC 8446 §4.1.4)', () => {
  it('a key share for another group than the one the HelloRetryRequest asked for is illegal_parameter', () => {
    // The client shares P-256 only; the server, which takes X25519 only, asks for X25519; its ServerHello then answers in P-256.
    const pair = tamperedPair(clientConfig({ keyShareGroups: [SECP256R1] }), serverConfig({ groups: [X25519] }), 'server', 1, (bytes) =>
      editServerHello(bytes, (sh) => ({ ...sh, extensions: sh.extensions.map((e) => (e.type === 51 ? serverKeyShare(SECP256R1, p256Public()) : e)) })),
    );
    const result = runUntilAbort(pair);
    expect(result.side).toBe('client');
    expect(result.events.some((e) => e.type === 'handshake-message' && e.direction === 'in' && e.message.kind === 'hello_retry_request')).toBe(true);
    expectAbort(result, 'illegal_parameter', { plaintext: true }, 'IllegalParameter');
  });
});
