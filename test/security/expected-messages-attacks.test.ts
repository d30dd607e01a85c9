// Attacks on the header rule of src/handshake/expected-messages.ts: a message judged against what we really
// offered and the state we are really in. "Offered" is what our ClientHello carried, not what our config says:
// a ClientHello shaped without post_handshake_auth or compress_certificate (clientHello.extensions) solicited
// neither, so a post-handshake CertificateRequest (RFC 8446 §4.6.2: "MUST NOT send ... to clients which do not
// offer this extension") or a CompressedCertificate (RFC 8879 §3) is unexpected_message, refused from its header.
// A key change between two messages of one record, or between a header and its body, is refused (§5.1); a
// second HelloRetryRequest is unexpected_message whatever else is wrong with it (§4.1.4).
import { describe, expect, it } from 'vitest';
import { portableZlib } from '../../src/handshake/compression-codecs.js';
import type { ClientConfig } from '../../src/handshake/config.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { concat, utf8 } from '../../src/wire/bytes.js';
import { CertificateCompressionAlgorithm, ExtensionType, SignatureScheme, type ExtensionTypeName } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import type { HandshakeMessage } from '../../src/wire/types.js';
import { announcedSecret, editPlaintextHandshake, editProtectedHandshake, editProtectedRecords, suiteNamed, joinRecords, splitRecords, type EditedMessages, type HandshakeEdit, type WireRecord } from '../../src/testing/tamper.js';
import { alice, clientConfig, expectAbort, handshakeKeys, pinned, protectedEdit, runUntilAbort, serverConfig, tamperedPair } from '../handshake/abort-harness.js';
import { accepted, connected, feed } from '../conformance/harness.js';

const HANDSHAKE = 22;

/** Our client's default ClientHello extensions (client/hello.ts), less `left`. */
function extensionsWithout(left: ExtensionTypeName): ExtensionTypeName[] {
  const all: ExtensionTypeName[] = ['server_name', 'status_request', 'supported_versions', 'supported_groups', 'signature_algorithms', 'key_share', 'psk_key_exchange_modes', 'early_data', 'application_layer_protocol_negotiation', 'compress_certificate', 'post_handshake_auth', 'pre_shared_key'];
  return all.filter((name) => name !== left);
}

const inbound = (events: TlsEvent[], kind: string) => events.filter((e) => e.type === 'handshake-message' && e.direction === 'in' && e.message.kind === kind);

describe('a post-handshake CertificateRequest to a client whose ClientHello did not carry post_handshake_auth (RFC 8446 §4.6.2)', () => {
  /** A post-handshake CertificateRequest whose 16-byte context is `byte` repeated. */
  const certificateRequest = (byte: number) =>
    encodeHandshake({ kind: 'certificate_request', context: new Uint8Array(16).fill(byte), extensions: [X.ext(ExtensionType.signature_algorithms, X.signatureAlgorithms.encode([SignatureScheme.ed25519]))] });
  const request = certificateRequest(7);

  it('config postHandshakeAuth, but the shaped ClientHello left the extension out: unexpected_message, the request never decoded', () => {
    const { victim, peer, writer, pair } = connected('server', { postHandshakeAuth: true, certificate: alice, clientHello: { extensions: extensionsWithout('post_handshake_auth') } });
    const hello = pair.events('server').find((e) => e.type === 'handshake-message' && e.message.kind === 'client_hello');
    expect(hello?.type === 'handshake-message' && hello.message.kind === 'client_hello' && hello.message.extensions.some((e) => e.type === ExtensionType.post_handshake_auth)).toBe(false);
    const result = feed(victim, writer.seal(HANDSHAKE, request));
    expectAbort(result, 'unexpected_message', { protectedFor: peer }, 'UnexpectedMessage');
    expect(inbound(result.events, 'certificate_request')).toEqual([]);
  });

  it('two requests in one record: each answered in turn, with its own context (never an old one)', () => {
    const { victim, writer } = connected('server', { postHandshakeAuth: true, certificate: alice });
    const result = feed(victim, writer.seal(HANDSHAKE, concat(certificateRequest(1), certificateRequest(2))));
    expect(accepted(result)).toBe(true);
    const contexts = result.events.flatMap((e) => (e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'certificate' ? [e.message.context[0]] : []));
    expect(contexts).toEqual([1, 2]);
  });

  it('the control: the same request after a ClientHello that carried it is answered', () => {
    const { victim, writer } = connected('server', { postHandshakeAuth: true, certificate: alice });
    const result = feed(victim, writer.seal(HANDSHAKE, request));
    expect(accepted(result)).toBe(true);
    expect(inbound(result.events, 'certificate_request')).toHaveLength(1);
  });
});

describe('a CompressedCertificate to a client whose ClientHello did not carry compress_certificate (RFC 8879 §3)', () => {
  /** The server's Certificate replaced by the same Certificate, zlib-compressed. */
  const compressing = protectedEdit('server', (messages) =>
    messages.map((m): HandshakeMessage => {
      if (m.kind !== 'certificate') return m;
      const body = encodeHandshake(m).subarray(4);
      return { kind: 'compressed_certificate', algorithm: CertificateCompressionAlgorithm.zlib, uncompressedLength: body.length, compressed: portableZlib.compress!(body) };
    }),
  );
  const run = (client: Partial<ClientConfig>) => runUntilAbort(tamperedPair(clientConfig(client), serverConfig(), 'server', 0, compressing));

  it('config certificateCompression, but the shaped ClientHello left the extension out: unexpected_message from the header', () => {
    const result = run({ certificateCompression: [portableZlib], clientHello: { extensions: extensionsWithout('compress_certificate') } });
    expect(result.side).toBe('client');
    expectAbort(result, 'unexpected_message', { protectedFor: result.peer }, 'UnexpectedMessage');
    expect(inbound(result.events, 'compressed_certificate')).toEqual([]);
  });

  it('the control: offered, the CompressedCertificate is decoded and decompressed (then the server signature, over the original transcript, fails)', () => {
    const result = run({ certificateCompression: [portableZlib] });
    expect(result.side).toBe('client');
    expect(inbound(result.events, 'compressed_certificate')).toHaveLength(1);
    expectAbort(result, 'decrypt_error', { protectedFor: result.peer });
  });

  it('a compress_certificate we sent as raw bytes, with no compressor configured: illegal_parameter, never decompressed', () => {
    const raw = X.ext(ExtensionType.compress_certificate, X.compressCertificate.encode([CertificateCompressionAlgorithm.zlib]));
    const result = run({ clientHello: { extensions: [...extensionsWithout('compress_certificate'), raw] } });
    expect(result.side).toBe('client');
    expectAbort(result, 'illegal_parameter', { protectedFor: result.peer }, 'IllegalParameter');
    expect(result.events.some((e) => e.type === 'state' && e.to === 'WAIT_CV')).toBe(false);
  });
});

describe('a second HelloRetryRequest, in its own flight, answering our second ClientHello (RFC 8446 §4.1.4)', () => {
  const retrying = { client: clientConfig({ keyShareGroups: [29], groups: [29, 23] }), server: serverConfig({ groups: [23, 29], helloRetryForPreferredGroup: true }) };

  /** The server answers ClientHello2 with `hrr(first)`, where `first` is its first HelloRetryRequest. */
  function secondRetry(hrr: (first: Extract<HandshakeMessage, { kind: 'hello_retry_request' }>) => HandshakeMessage) {
    let first: Extract<HandshakeMessage, { kind: 'hello_retry_request' }> | undefined;
    let flights = 0;
    const pair = new InMemoryPair(retrying.client, retrying.server, {
      tamper: (flight) => {
        if (flight.from !== 'server') return flight.bytes;
        if (flights++ === 0) {
          editPlaintextHandshake(flight.bytes, (ms) => {
            first = ms.find((m) => m.kind === 'hello_retry_request') as typeof first;
            return ms;
          });
          return flight.bytes;
        }
        const record: WireRecord = { type: HANDSHAKE, version: 0x0303, fragment: encodeHandshake(hrr(first!)) };
        return joinRecords([record]);
      },
    });
    return runUntilAbort(pair);
  }

  it('the same HelloRetryRequest again: unexpected_message (not the illegal_parameter of a share we already sent)', () => {
    const result = secondRetry((first) => first);
    expect(result.side).toBe('client');
    expectAbort(result, 'unexpected_message', { plaintext: true }, 'UnexpectedMessage');
  });

  it('a HelloRetryRequest with only a cookie, which a first one could carry: unexpected_message, no third ClientHello', () => {
    const result = secondRetry((first) => ({ ...first, extensions: [...first.extensions.filter((e) => e.type !== ExtensionType.key_share), X.ext(ExtensionType.cookie, X.cookie.encode(Uint8Array.of(1, 2, 3)))] }));
    expect(result.side).toBe('client');
    expectAbort(result, 'unexpected_message', { plaintext: true }, 'UnexpectedMessage');
    expect(result.events.filter((e) => e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'client_hello')).toHaveLength(2);
  });
});

describe('a key change inside one record, or between a header and its body (RFC 8446 §5.1)', () => {
  it('ServerHello and a plaintext EncryptedExtensions in one record: unexpected_message, EncryptedExtensions never decoded', () => {
    const ee = encodeHandshake({ kind: 'encrypted_extensions', extensions: [] });
    const result = runUntilAbort(tamperedPair(clientConfig(), serverConfig(), 'server', 0, (bytes) => editPlaintextHandshake(bytes, (ms) => ms.flatMap((m): EditedMessages => (m.kind === 'server_hello' ? [m, ee] : [m])))));
    expect(result.side).toBe('client');
    expectAbort(result, 'unexpected_message', { either: true });
    expect(inbound(result.events, 'encrypted_extensions')).toEqual([]);
  });

  it.each([1, 3, 4])('the first %i bytes of EncryptedExtensions behind the ServerHello, the rest under handshake keys: unexpected_message', (split) => {
    const result = runUntilAbort(
      tamperedPair(clientConfig(), serverConfig(), 'server', 0, (bytes, pair) => {
        const keys = handshakeKeys(pair, 'server');
        let head: Uint8Array = new Uint8Array(0);
        // The protected flight loses the header's first bytes, which move behind the ServerHello in plaintext.
        const protectedPart = editProtectedHandshake(
          joinRecords(splitRecords(bytes).filter((r) => r.type !== HANDSHAKE)),
          keys,
          (ms) => {
            const all = concat(...ms.map((m) => encodeHandshake(m)));
            head = all.subarray(0, split);
            return [all.subarray(split)];
          },
        );
        const plaintext = splitRecords(bytes).filter((r) => r.type === HANDSHAKE);
        plaintext[0]!.fragment = concat(plaintext[0]!.fragment, head);
        return concat(joinRecords(plaintext), protectedPart);
      }),
    );
    expect(result.side).toBe('client');
    expectAbort(result, 'unexpected_message', { either: true }, 'HandshakeSpansKeyChange');
    expect(inbound(result.events, 'encrypted_extensions')).toEqual([]);
  });

  it("the server's Finished and a NewSessionTicket in one handshake-key record: unexpected_message, the ticket never decoded", () => {
    const ticket = encodeHandshake({ kind: 'new_session_ticket', lifetime: 60, ageAdd: 1, nonce: Uint8Array.of(0), ticket: Uint8Array.of(1, 2, 3), extensions: [] });
    const result = runUntilAbort(tamperedPair(clientConfig(), serverConfig(), 'server', 0, protectedEdit('server', (ms) => [...ms, ticket])));
    expect(result.side).toBe('client');
    expectAbort(result, 'unexpected_message', { either: true }, 'HandshakeSpansKeyChange');
    expect(inbound(result.events, 'new_session_ticket')).toEqual([]);
    expect(result.events.some((e) => e.type === 'session-ticket')).toBe(false);
  });
});

describe('EndOfEarlyData where 0-RTT was rejected, or with another message in its 0-RTT record (RFC 8446 §4.5, §5.1)', () => {
  const ticketKey = new Uint8Array(32).fill(4);
  const server = () => serverConfig({ tickets: { count: 1, key: ticketKey, maxEarlyDataSize: 1024, antiReplay: new SingleUseTickets() } });
  const ticket = () => {
    const event = new InMemoryPair(clientConfig(), server()).run().events('client').find((e) => e.type === 'session-ticket');
    if (event?.type !== 'session-ticket') throw new Error('no ticket');
    return event.ticket;
  };

  it('after the server rejected 0-RTT: an EndOfEarlyData under the handshake keys is unexpected_message, never decoded', () => {
    const rejecting = serverConfig({ tickets: { count: 1, key: ticketKey } });
    const eoed = encodeHandshake({ kind: 'end_of_early_data' });
    const pair = tamperedPair(clientConfig({ resumption: { ticket: ticket(), earlyData: utf8.encode('early') } }), rejecting, 'client', 1, protectedEdit('client', (ms) => [eoed, ...ms]));
    const result = runUntilAbort(pair);
    expect(result.side).toBe('server');
    expect(result.victim.info.earlyData).toBe('rejected');
    expectAbort(result, 'unexpected_message', { protectedFor: result.peer }, 'UnexpectedMessage');
    expect(inbound(result.events, 'end_of_early_data')).toEqual([]);
  });

  it.each([
    ['a Finished', encodeHandshake({ kind: 'finished', verifyData: new Uint8Array(32) })],
    ['a second EndOfEarlyData', encodeHandshake({ kind: 'end_of_early_data' })],
  ])('%s behind it: unexpected_message, never decoded', (_, behind) => {
    const eoed = encodeHandshake({ kind: 'end_of_early_data' });
    const pair = tamperedPair(clientConfig({ resumption: { ticket: ticket(), earlyData: utf8.encode('early') } }), server(), 'client', 0, (bytes, p) => {
      const keys = { suite: suiteNamed('TLS_AES_128_GCM_SHA256'), secret: announcedSecret(p.events('client'), 'client_early_traffic_secret') };
      return editProtectedRecords(bytes, keys, (records) => records.map(() => ({ contentType: HANDSHAKE, content: concat(eoed, behind) })));
    });
    const result = runUntilAbort(pair);
    expect(result.side).toBe('server');
    expect(result.events.filter((e) => e.type === 'alert' && e.direction === 'out')).toEqual([expect.objectContaining({ level: 'fatal', description: 'unexpected_message', reason: 'HandshakeSpansKeyChange' })]);
    expect(inbound(result.events, 'end_of_early_data')).toHaveLength(1);
    expect(inbound(result.events, 'finished')).toEqual([]);
    expect(result.victim.isClosed).toBe(true);
  });
});

describe("the server's post-handshake CertificateRequest answered with an empty Certificate (RFC 8446 §4.4.2.4: no CertificateVerify)", () => {
  /** The client, with no certificate, answers through `edit`: an empty Certificate and a Finished. */
  function emptyAnswer(edit: HandshakeEdit) {
    const { pair, victim, peer } = connected('client', { postHandshakeAuth: true }, { trust: pinned(alice) });
    victim.requestClientCertificate();
    pair.step('server');
    const [answer] = pair.pull('client').splice(0);
    const keys = { suite: suiteNamed(victim.info.cipherSuite!), secret: announcedSecret(pair.events('client'), 'client_application_traffic_secret_0') };
    return { ...feed(victim, editProtectedHandshake(answer!.bytes, keys, edit)), peer };
  }
  const signature = encodeHandshake({ kind: 'certificate_verify', scheme: SignatureScheme.ed25519, signature: new Uint8Array(64) });

  it('a CertificateVerify after it: unexpected_message, never decoded', () => {
    const result = emptyAnswer(([certificate, finished]) => [certificate!, signature, finished!]);
    expectAbort(result, 'unexpected_message', { protectedFor: result.peer }, 'UnexpectedMessage');
    expect(inbound(result.events, 'certificate_verify')).toEqual([]);
  });

  it('a second Certificate after it: unexpected_message, never decoded twice', () => {
    const result = emptyAnswer(([certificate, finished]) => [certificate!, certificate!, finished!]);
    expectAbort(result, 'unexpected_message', { protectedFor: result.peer }, 'UnexpectedMessage');
    expect(inbound(result.events, 'certificate')).toHaveLength(1);
  });

  it('the control: the honest empty answer completes, the client unauthenticated', () => {
    const result = emptyAnswer((ms) => ms);
    expect(accepted(result)).toBe(true);
    expect(result.events.filter((e) => e.type === 'post-handshake-auth')).toHaveLength(1);
  });
});

describe('a KeyUpdate during a post-handshake CertificateRequest exchange (RFC 8446 §4.6.2, §4.6.3)', () => {
  it('a KeyUpdate of ours while we choose our answer: the server reads it, then our answer, Finished keyed from the updated secret', () => {
    const { pair, victim: server, peer: client } = connected('client', { postHandshakeAuth: true, certificate: 'ask' }, { trust: pinned(alice) });
    server.requestClientCertificate();
    pair.step('server');
    expect(client.pendingDecision?.kind).toBe('client-certificate');
    client.updateKeys(true);
    client.resolve({ kind: 'client-certificate', certificate: alice });
    const before = pair.events('server').length;
    pair.step('client');
    const events = pair.events('server').slice(before);
    expect(events.filter((e) => e.type === 'alert')).toEqual([]);
    expect(events.filter((e) => e.type === 'post-handshake-auth')).toEqual([expect.objectContaining({ answer: 'certificate', info: expect.objectContaining({ clientAuth: 'authenticated' }) })]);
  });

});

describe('a message the state takes, with a length past our cap, is refused from its header, nothing buffered', () => {
  it('a Certificate announcing 2^24 - 1 bytes in WAIT_CERT_CR: illegal_parameter at once, from 4 bytes', () => {
    const header = Uint8Array.of(11, 0xff, 0xff, 0xff);
    const result = runUntilAbort(tamperedPair(clientConfig(), serverConfig(), 'server', 0, protectedEdit('server', (ms) => [ms[0]!, header])));
    expect(result.side).toBe('client');
    expectAbort(result, 'illegal_parameter', { protectedFor: result.peer }, 'HandshakeMessageTooLong');
  });
});

describe("a client's Finished, Certificate or CertificateVerify after the handshake, with no CertificateRequest of ours outstanding (RFC 8446 §4.6.2)", () => {
  const unsolicited: Array<[string, HandshakeMessage]> = [
    ['finished', { kind: 'finished', verifyData: new Uint8Array(32) }],
    ['certificate', { kind: 'certificate', context: new Uint8Array(16), entries: [] }],
    ['certificate_verify', { kind: 'certificate_verify', scheme: SignatureScheme.ed25519, signature: new Uint8Array(64) }],
  ];

  it.each(unsolicited)('a %s: unexpected_message from its header, never decoded', (kind, message) => {
    const { victim, peer, writer } = connected('client', { postHandshakeAuth: true, certificate: alice }, { trust: pinned(alice) });
    const result = feed(victim, writer.seal(HANDSHAKE, encodeHandshake(message)));
    expectAbort(result, 'unexpected_message', { protectedFor: peer }, 'UnexpectedMessage');
    expect(inbound(result.events, kind)).toEqual([]);
  });
});
