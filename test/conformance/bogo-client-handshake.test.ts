// BoGo's TLS 1.3 client tests of addTLS13RecordTests and addTLS13HandshakeTests (boringssl
// ssl/test/runner/tls13_tests.go) that need no session to resume, replayed against our client (docs/bogo.md):
// the runner's server becomes anvil-server.ts, which builds each message itself and keeps the handshake
// consistent around the one thing a ProtocolBugs flag changes. The resumption and 0-RTT cases of the same
// function are in bogo-client-resumption.test.ts.
import { describe, expect } from 'vitest';
import { MAX_CONSECUTIVE_EMPTY_RECORDS } from '../../src/record/layer.js';
import { concat } from '../../src/wire/bytes.js';
import { CipherSuite, ExtensionType, NamedGroup, SignatureScheme } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import type { Extension, HelloRetryRequest, ServerHello } from '../../src/wire/types.js';
import { alice, ext, p256Public, record } from '../handshake/abort-harness.js';
import { fails, replay, SUCCEEDS } from './bogo-harness.js';
import { APPLICATION_DATA, CHANGE_CIPHER_SPEC, HANDSHAKE, ScriptedServer, type Edit } from './anvil-server.js';

const utf8 = (text: string) => new TextEncoder().encode(text);
/** BoGo's bogusCurve (runner common.go), a group nobody implements. */
const BOGUS_CURVE = 0x1234;
/** BoGo's extensionCustom (runner common.go): CustomHelloRetryRequestExtension's type. */
const CUSTOM_EXTENSION = 1234;
const versions = (version: number) => ext(ExtensionType.supported_versions, X.supportedVersionsServerHello.encode(version));
const cookie = (body: Uint8Array) => ext(ExtensionType.cookie, X.cookie.encode(body));
const keyShareHrr = (group: number) => ext(ExtensionType.key_share, X.keyShareHelloRetryRequest.encode(group));
const withExtensions = <M extends ServerHello | HelloRetryRequest>(edit: (list: Extension[]) => Extension[]): Edit<M> => (m) => ({ ...m, extensions: edit(m.extensions) });
const without = (type: number) => (list: Extension[]) => list.filter((e) => e.type !== type);

/** A whole honest handshake after `hrr`, the HelloRetryRequest for `group` as edited; the server's ServerHello as edited. */
function afterRetry(group: number, hrr?: Edit<HelloRetryRequest>, sh?: Edit<ServerHello>, client = {}) {
  const server = new ScriptedServer(client);
  const retry = server.helloRetryRequest(group, hrr);
  if (retry.victim.isClosed) return { server, result: retry };
  return { server, result: server.deliver(server.serverHello({ edit: sh }), server.protect(...server.authentication())) };
}

/** A HelloRetryRequest with these extensions after supported_versions. */
const hrrWith = (...extensions: Extension[]): Edit<HelloRetryRequest> => withExtensions((list) => [list[0]!, ...extensions]);

/** The ServerHello, then EncryptedExtensions with `extensions` and the rest of an honest flight. */
function withEncryptedExtensions(body: Uint8Array | Extension[]) {
  const server = new ScriptedServer();
  const hello = server.serverHello();
  const ee = body instanceof Uint8Array ? server.add(body) : server.encryptedExtensions(body);
  return server.deliver(hello, server.protect(ee, server.certificate(), server.certificateVerify(), server.finished()));
}

/** A CertificateRequest (RFC 8446 §4.3.2) in the flight of a server that asks our client (alice) for a certificate. */
function certificateRequest(context: Uint8Array, extensions: Extension[]) {
  const server = new ScriptedServer({ certificate: alice });
  const hello = server.serverHello();
  const ee = server.encryptedExtensions();
  const request = server.add({ kind: 'certificate_request', context, extensions });
  return { server, result: server.deliver(hello, server.protect(ee, request, server.certificate(), server.certificateVerify(), server.finished())) };
}
const signatureAlgorithms = ext(ExtensionType.signature_algorithms, X.signatureAlgorithms.encode([SignatureScheme.ed25519, SignatureScheme.ecdsa_secp256r1_sha256]));

describe('addTLS13RecordTests', () => {
  /** The ServerHello, then the encrypted flight: `first` as the first protected record, then the flight itself. */
  function flightAfter(first: (server: ScriptedServer) => Uint8Array) {
    const server = new ScriptedServer();
    const hello = server.serverHello();
    const messages = server.authentication();
    return server.deliver(hello, first(server), server.protect(...messages));
  }

  replay([
    {
      name: 'TLS13-RecordPadding-TLS',
      expected: SUCCEEDS,
      ours: 'continues',
      run: () => {
        const server = new ScriptedServer();
        server.deliver(server.serverHello(), server.seal(HANDSHAKE, concat(...server.authentication()), 10));
        server.application();
        return server.deliver(server.seal(APPLICATION_DATA, utf8('padded'), 10));
      },
      check: ({ events }) => expect(events).toContainEqual({ type: 'data', data: utf8('padded') }),
    },
    // OmitRecordContents: a TLSInnerPlaintext with no content type (§5.4: "unexpected_message").
    { name: 'TLS13-EmptyRecords-TLS', expected: fails(':DECRYPTION_FAILED_OR_BAD_RECORD_MAC:'), ours: 'unexpected_message', run: () => flightAfter((s) => s.sealInner(new Uint8Array(0))) },
    { name: 'TLS13-OnlyPadding-TLS', expected: fails(':DECRYPTION_FAILED_OR_BAD_RECORD_MAC:'), ours: 'unexpected_message', run: () => flightAfter((s) => s.sealInner(new Uint8Array(10))) },
    {
      name: 'TLS13-WrongOuterRecord-TLS',
      expected: fails(':INVALID_OUTER_RECORD_TYPE:'),
      ours: 'unexpected_message',
      // OuterRecordType: every protected record of the runner goes out as handshake (22), not application_data.
      run: () => {
        const server = new ScriptedServer();
        const hello = server.serverHello();
        const sealed = server.protect(...server.authentication());
        return server.deliver(hello, Uint8Array.of(HANDSHAKE, ...sealed.subarray(1)));
      },
    },
  ]);
});

describe('addTLS13HandshakeTests: ServerHello, HelloRetryRequest and EncryptedExtensions', () => {
  replay([
    {
      name: 'MissingKeyShare-Client-TLS13',
      expected: fails(':MISSING_KEY_SHARE:'),
      ours: 'missing_extension',
      run: () => afterRetry(NamedGroup.secp256r1, undefined, withExtensions(without(ExtensionType.key_share))).result,
    },
    {
      name: 'TLS13SessionID-TLS13 (full handshake)',
      expected: SUCCEEDS,
      ours: 'continues',
      // ExpectClientHelloSessionID: a 32-byte legacy_session_id (compatibility mode, RFC 8446 App. D.4).
      run: () => {
        const server = new ScriptedServer();
        const result = server.handshake();
        expect(server.clientHello.legacySessionId).toHaveLength(32);
        return result;
      },
    },
    { name: 'EmptyEncryptedExtensions-TLS13', expected: fails('', 'decode_error'), ours: 'decode_error', run: () => withEncryptedExtensions(Uint8Array.of(8, 0, 0, 0)) },
    {
      name: 'EncryptedExtensionsWithKeyShare-TLS13',
      expected: fails('', 'unsupported_extension'),
      ours: 'illegal_parameter',
      divergence: 'RFC 8446 §4.2: an extension we recognize in a message it is not specified for is illegal_parameter; key_share was offered, so it is not unsolicited (unsupported_extension)',
      run: () => withEncryptedExtensions([ext(ExtensionType.key_share, X.keyShareServerHello.encode({ group: NamedGroup.secp256r1, keyExchange: p256Public() }))]),
    },
    { name: 'UnknownCurve-HelloRetryRequest-TLS13', expected: fails(':WRONG_CURVE:'), ours: 'illegal_parameter', run: () => new ScriptedServer().helloRetryRequest(BOGUS_CURVE) },
    {
      name: 'HelloRetryRequest-CipherChange-TLS13',
      expected: fails(':WRONG_CIPHER_RETURNED:'),
      ours: 'illegal_parameter',
      run: () => afterRetry(NamedGroup.secp384r1, (hrr) => ({ ...hrr, cipherSuite: CipherSuite.TLS_CHACHA20_POLY1305_SHA256 }), (sh) => ({ ...sh, cipherSuite: CipherSuite.TLS_AES_128_GCM_SHA256 })).result,
    },
    {
      name: 'DisabledCurve-HelloRetryRequest-TLS13',
      expected: fails(':WRONG_CURVE:'),
      ours: 'illegal_parameter',
      run: () => new ScriptedServer({ groups: [NamedGroup.secp384r1] }).helloRetryRequest(NamedGroup.secp256r1),
    },
    { name: 'UnnecessaryHelloRetryRequest-TLS13', expected: fails(':WRONG_CURVE:'), ours: 'illegal_parameter', run: () => new ScriptedServer().helloRetryRequest(NamedGroup.x25519) },
    {
      name: 'SecondHelloRetryRequest-TLS13',
      expected: fails(':UNEXPECTED_MESSAGE:', 'unexpected_message'),
      ours: 'unexpected_message',
      run: () => {
        const server = new ScriptedServer();
        server.helloRetryRequest(NamedGroup.secp384r1);
        return server.helloRetryRequest(NamedGroup.secp384r1);
      },
    },
    { name: 'HelloRetryRequest-Empty-TLS13', expected: fails(':EMPTY_HELLO_RETRY_REQUEST:', 'illegal_parameter'), ours: 'illegal_parameter', run: () => new ScriptedServer().helloRetryRequest(NamedGroup.secp384r1, hrrWith()) },
    {
      name: 'HelloRetryRequest-DuplicateCurve-TLS13',
      expected: fails(':DUPLICATE_EXTENSION:', 'illegal_parameter'),
      ours: 'illegal_parameter',
      run: () => new ScriptedServer().helloRetryRequest(NamedGroup.secp384r1, hrrWith(keyShareHrr(NamedGroup.secp384r1), keyShareHrr(NamedGroup.secp384r1))),
    },
    {
      name: 'HelloRetryRequest-Cookie-TLS13',
      expected: SUCCEEDS,
      ours: 'continues',
      run: () => {
        const { server, result } = afterRetry(NamedGroup.x25519, hrrWith(cookie(utf8('cookie'))));
        // ClientHello2 echoes the cookie (RFC 8446 §4.2.2).
        expect(X.findExtension(server.clientHellos[1]!.extensions, ExtensionType.cookie)).toEqual(cookie(utf8('cookie')));
        return result;
      },
    },
    {
      name: 'HelloRetryRequest-DuplicateCookie-TLS13',
      expected: fails(':DUPLICATE_EXTENSION:', 'illegal_parameter'),
      ours: 'illegal_parameter',
      run: () => new ScriptedServer().helloRetryRequest(NamedGroup.x25519, hrrWith(cookie(utf8('cookie')), cookie(utf8('cookie')))),
    },
    { name: 'HelloRetryRequest-EmptyCookie-TLS13', expected: fails(':DECODE_ERROR:'), ours: 'decode_error', run: () => new ScriptedServer().helloRetryRequest(NamedGroup.x25519, hrrWith(ext(ExtensionType.cookie, [0, 0]))) },
    {
      name: 'HelloRetryRequest-Cookie-Curve-TLS13',
      expected: SUCCEEDS,
      ours: 'continues',
      run: () => afterRetry(NamedGroup.secp384r1, hrrWith(keyShareHrr(NamedGroup.secp384r1), cookie(utf8('cookie')))).result,
    },
    {
      name: 'HelloRetryRequest-Unknown-TLS13',
      expected: fails(':UNEXPECTED_EXTENSION:', 'unsupported_extension'),
      ours: 'unsupported_extension',
      run: () => new ScriptedServer().helloRetryRequest(NamedGroup.secp384r1, (hrr) => ({ ...hrr, extensions: [...hrr.extensions, ext(CUSTOM_EXTENSION, utf8('extension'))] })),
    },
    {
      name: 'HelloRetryRequestVersionMismatch-TLS13',
      expected: fails(':DECODE_ERROR:'),
      ours: 'illegal_parameter',
      // SendServerHelloVersion sets the ServerHello's legacy_version (versOverride), not the HelloRetryRequest's.
      run: () => afterRetry(NamedGroup.secp384r1, undefined, (sh) => ({ ...sh, legacyVersion: 0x0305 })).result,
    },
    {
      name: 'HelloRetryRequestCurveMismatch-TLS13',
      expected: fails(':WRONG_CURVE:'),
      ours: 'illegal_parameter',
      run: () =>
        afterRetry(NamedGroup.secp384r1, undefined, withExtensions((list) => [...without(ExtensionType.key_share)(list), ext(ExtensionType.key_share, X.keyShareServerHello.encode({ group: NamedGroup.secp256r1, keyExchange: p256Public() }))])).result,
    },
    {
      name: 'SkipHelloRetryRequest-TLS13',
      expected: fails(':WRONG_CURVE:'),
      ours: 'illegal_parameter',
      // The server picks secp256r1, which we offer in supported_groups but sent no share for, without a HelloRetryRequest.
      run: () => {
        const server = new ScriptedServer();
        const share = ext(ExtensionType.key_share, X.keyShareServerHello.encode({ group: NamedGroup.secp256r1, keyExchange: p256Public() }));
        return server.deliver(server.serverHello({ edit: withExtensions((list) => [...without(ExtensionType.key_share)(list), share]) }), server.protect(...server.authentication()));
      },
    },
    {
      name: 'SecondServerHelloNoVersion-TLS13',
      expected: fails(':SECOND_SERVERHELLO_VERSION_MISMATCH:'),
      // §4.1.4: the version the HelloRetryRequest selected must be kept, "illegal_parameter" otherwise.
      ours: 'illegal_parameter',
      run: () => afterRetry(NamedGroup.secp384r1, undefined, withExtensions(without(ExtensionType.supported_versions))).result,
    },
    {
      name: 'SecondServerHelloWrongVersion-TLS13',
      expected: fails(':SECOND_SERVERHELLO_VERSION_MISMATCH:'),
      ours: 'illegal_parameter',
      run: () => afterRetry(NamedGroup.secp384r1, undefined, withExtensions((list) => [...without(ExtensionType.supported_versions)(list), versions(0x1234)])).result,
    },
    {
      name: 'AlwaysSelectPSKIdentity-TLS13',
      expected: fails(':UNEXPECTED_EXTENSION:'),
      ours: 'unsupported_extension',
      run: () => afterRetry(NamedGroup.secp384r1, undefined, withExtensions((list) => [...list, ext(ExtensionType.pre_shared_key, X.preSharedKeyServerHello.encode(0))])).result,
    },
    {
      name: 'Client-TooLongSessionID (TLS 1.2 test; its TLS 1.3 analogue: a 33-byte legacy_session_id_echo)',
      expected: fails(':DECODE_ERROR:', 'decode_error'),
      ours: 'decode_error',
      run: () => {
        const server = new ScriptedServer();
        return server.deliver(server.serverHello({ edit: (sh) => ({ ...sh, legacySessionIdEcho: new Uint8Array(33) }) }));
      },
    },
  ]);
});

/** The ServerHello, `count` ChangeCipherSpec records (§5: each "MUST simply" be dropped), then the encrypted flight. */
function changeCipherSpecs(count: number) {
  const server = new ScriptedServer();
  const ccs = Array.from({ length: count }, () => record(CHANGE_CIPHER_SPEC, Uint8Array.of(1)));
  return server.deliver(server.serverHello(), ...ccs, server.protect(...server.authentication()));
}

describe('addTLS13HandshakeTests: the server\'s authentication and the record layer around it', () => {
  replay([
    {
      name: 'RequestContextInHandshake-TLS13',
      expected: fails(':DECODE_ERROR:'),
      ours: 'decode_error',
      run: () => certificateRequest(utf8('request context'), [signatureAlgorithms]).result,
    },
    {
      name: 'UnknownExtensionInCertificateRequest-TLS13',
      expected: SUCCEEDS,
      ours: 'continues',
      run: () => {
        const { server, result } = certificateRequest(new Uint8Array(0), [signatureAlgorithms, ext(0x1212, [])]);
        expect(server.clientMessages.map((m) => m.kind)).toEqual(['certificate', 'certificate_verify', 'finished']);
        return result;
      },
    },
    {
      name: 'MissingSignatureAlgorithmsInCertificateRequest-TLS13',
      expected: fails(':DECODE_ERROR:'),
      // OmitCertificateRequestAlgorithms leaves the runner's CertificateRequest with no extension at all: its
      // extensions<2..2^16-1> are too short to decode (RFC 8446 §4.3.2).
      ours: 'decode_error',
      run: () => certificateRequest(new Uint8Array(0), []).result,
    },
    {
      name: 'MissingSignatureAlgorithmsInCertificateRequest-TLS13 (with another extension left: the omission alone)',
      expected: fails(':DECODE_ERROR:'),
      // "The "signature_algorithms" extension MUST be specified" (§4.3.2); a mandatory extension missing is missing_extension (§6.2).
      ours: 'missing_extension',
      run: () => certificateRequest(new Uint8Array(0), [ext(0x1212, [])]).result,
    },
    {
      name: 'ClientSkipCertificateVerify-TLS13',
      expected: fails(':UNEXPECTED_MESSAGE:', 'unexpected_message'),
      ours: 'unexpected_message',
      run: () => {
        const server = new ScriptedServer();
        const hello = server.serverHello();
        return server.deliver(hello, server.protect(server.encryptedExtensions(), server.certificate(), server.finished()));
      },
    },
    {
      name: 'SkipChangeCipherSpec-Client-TLS13',
      expected: SUCCEEDS,
      ours: 'continues',
      run: () => new ScriptedServer().handshake(),
    },
    {
      name: 'SkipChangeCipherSpec-Client-TLS13 (its counterpart: the runner\'s default ChangeCipherSpec after ServerHello)',
      expected: SUCCEEDS,
      ours: 'continues',
      run: () => changeCipherSpecs(1),
    },
    // SendExtraChangeCipherSpec: 33 more ChangeCipherSpec records after the first one. Our cap on records without
    // content is BoringSSL's, 32 (MAX_CONSECUTIVE_EMPTY_RECORDS): the 32nd passes, the 33rd does not.
    { name: 'TooManyChangeCipherSpec-Client-TLS13', expected: fails(':TOO_MANY_EMPTY_FRAGMENTS:'), ours: 'unexpected_message', run: () => changeCipherSpecs(34) },
    { name: 'TooManyChangeCipherSpec-Client-TLS13 (its boundary: 32 ChangeCipherSpec records)', expected: SUCCEEDS, ours: 'continues', run: () => changeCipherSpecs(MAX_CONSECUTIVE_EMPTY_RECORDS) },
    {
      name: 'SendPostHandshakeChangeCipherSpec-TLS13',
      expected: fails(':UNEXPECTED_RECORD:', 'unexpected_message'),
      ours: 'unexpected_message',
      run: () => {
        const server = new ScriptedServer();
        server.handshake();
        return server.deliver(record(CHANGE_CIPHER_SPEC, Uint8Array.of(1)));
      },
    },
    {
      name: 'CustomTicketExtension-TLS13',
      expected: SUCCEEDS,
      ours: 'continues',
      run: () => {
        const server = new ScriptedServer();
        server.handshake();
        const ticket = encodeHandshake({ kind: 'new_session_ticket', lifetime: 7200, ageAdd: 1, nonce: Uint8Array.of(0), ticket: utf8('ticket'), extensions: [ext(CUSTOM_EXTENSION, utf8('1234'))] });
        return server.deliver(server.seal(HANDSHAKE, ticket));
      },
      check: ({ events }) => expect(events.some((e) => e.type === 'session-ticket')).toBe(true),
    },
  ]);
});
