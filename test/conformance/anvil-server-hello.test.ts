// TLS-Anvil's server tests (tls-attacker/TLS-Anvil, TLS-Testsuite, suite/tests/server/tls13) whose malicious
// client sends one ClientHello and reads the answer, replayed against our server: each case is named
// "Class#method", states TLS-Anvil's expectation, and checks ours. Where TLS-Anvil's test only runs under
// @EnforcedSenderRestriction (an opt-in mode that wants a server to refuse what the RFC asks only senders
// not to do) and we accept, the case pins our acceptance; docs/tls-anvil-server.md gives the reasons.
import { describe, expect, it } from 'vitest';
import { splitRecords } from '../../src/testing/tamper.js';
import { ContentType, ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import { decodeHandshake } from '../../src/wire/messages.js';
import type { ClientHello, HandshakeMessage } from '../../src/wire/types.js';
import { EXT, expectAbort, ext, feedServer, helloWith, keyShare, p256Public, record, replacingExtension, shareEntry, u16, withoutExtension, x25519Public, type AlertName } from '../handshake/abort-harness.js';
import type { ServerConfig } from '../../src/handshake/config.js';

const { handshake: HANDSHAKE, change_cipher_spec: CHANGE_CIPHER_SPEC } = ContentType;
const COOKIE = ExtensionType.cookie;
const { x25519: X25519, secp256r1: SECP256R1, ffdhe2048: FFDHE2048 } = NamedGroup;

const serve = (edit: (h: ClientHello) => void, config: Partial<ServerConfig> = {}, recordVersion = 0x0303) => feedServer(record(HANDSHAKE, helloWith(edit), recordVersion), config);

/** The first message the server answered with, and the content types of its records. */
function answered(result: ReturnType<typeof feedServer>): { first: HandshakeMessage; records: number[] } {
  expect(result.events.filter((e) => e.type === 'alert')).toEqual([]);
  expect(result.victim.isClosed).toBe(false);
  const records = splitRecords(result.output);
  expect(records[0]!.type).toBe(HANDSHAKE);
  return { first: decodeHandshake(records[0]!.fragment), records: records.map((r) => r.type) };
}

function serverHello(result: ReturnType<typeof feedServer>) {
  const { first } = answered(result);
  if (first.kind !== 'server_hello') throw new Error(`answered with ${first.kind}`);
  return first;
}

const refuses = (result: ReturnType<typeof feedServer>, alert: AlertName) => expectAbort(result, alert, { plaintext: true });

describe('server/tls13/rfc8446/ClientHello', () => {
  it('#includeUnknownCipherSuite (0xfe00 first) → handshake goes on; ours: TLS_AES_128_GCM_SHA256 chosen', () => {
    expect(serverHello(serve((h) => void (h.cipherSuites = [0xfe00, 0x1301]))).cipherSuite).toBe(0x1301);
  });

  // @EnforcedSenderRestriction: §4.1.2 asks the client for 0x0303; §4.2.1 tells the server to "use only the
  // supported_versions extension to determine client preferences". We do, and answer.
  it.each([
    ['#invalidLegacyVersion_higher (0x0304)', 0x0304],
    ['#invalidLegacyVersion_lower (0x0302)', 0x0302],
  ])('%s → a fatal alert under enforced sender restrictions only; ours: answered (§4.2.1)', (_, version) => {
    expect(serverHello(serve((h) => void (h.legacyVersion = version))).cipherSuite).toBe(0x1301);
  });

  it('#invalidLegacyVersion_ssl30 (0x0300) → a fatal alert; ours: protocol_version (App. D.5)', () => {
    refuses(serve((h) => void (h.legacyVersion = 0x0300)), 'protocol_version');
  });

  it('#invalidCompression ([1]) → illegal_parameter; ours: illegal_parameter', () => {
    refuses(serve((h) => void (h.legacyCompressionMethods = Uint8Array.of(1))), 'illegal_parameter');
  });

  it('#includeUnknownExtension (0xba9f, 32 bytes) → answered, not echoed; ours: the same', () => {
    const hello = serverHello(serve((h) => void h.extensions.unshift(ext(0xba9f, new Uint8Array(32)))));
    expect(hello.extensions.map((e) => e.type)).not.toContain(0xba9f);
  });

  it.each([
    ['#omitKeyShareAndSupportedGroups', [EXT.key_share, EXT.supported_groups]],
    ['#omitKeyShare', [EXT.key_share]],
    ['#omitSupportedGroups', [EXT.supported_groups]],
  ])('%s → missing_extension (§9.2); ours: missing_extension', (_, omitted) => {
    refuses(serve((h) => omitted.forEach((type) => withoutExtension(type)(h))), 'missing_extension');
  });
});

describe('server/tls13/rfc8446/Cookie', () => {
  // @EnforcedSenderRestriction. §4.2.2 lets a client send a cookie only in answer to a HelloRetryRequest, but
  // cookie is allowed in a ClientHello (§4.2 table) and nothing tells the server to refuse one it never sent:
  // a stateless server cannot even tell. We ignore it.
  it('#clientHelloWithUnsolicitedCookieExtension → a fatal alert under enforced sender restrictions only; ours: ignored, answered', () => {
    serverHello(serve((h) => void h.extensions.unshift(ext(COOKIE, [0, 1, 2]))));
  });
});

describe('server/tls13/rfc8446/CryptographicNegotiation', () => {
  it('#noOverlappingParameters (only a GREASE group and share) → handshake_failure or insufficient_security; ours: handshake_failure', () => {
    refuses(
      serve((h) => {
        replacingExtension(ext(EXT.supported_groups, [0, 2, 0x0a, 0x0a]))(h);
        replacingExtension(ext(EXT.key_share, [0, 6, 0x0a, 0x0a, 0, 2, 0x12, 0x34]))(h);
      }),
      'handshake_failure',
    );
  });

  it('#noOverlappingParametersCipherSuite (only GREASE 0x0a0a) → handshake_failure or insufficient_security; ours: handshake_failure', () => {
    refuses(serve((h) => void (h.cipherSuites = [0x0a0a])), 'handshake_failure');
  });
});

describe('server/tls13/rfc8446/KeyShare', () => {
  it('#testOrderOfKeyshareEntries (shares P-256, X25519; supported_groups X25519, P-256) → illegal_parameter or a share-group chosen; ours: answered', () => {
    const hello = serverHello(
      serve((h) => {
        replacingExtension(ext(EXT.supported_groups, [0, 4, ...u16(X25519), ...u16(SECP256R1)]))(h);
        replacingExtension(ext(EXT.key_share, [...u16(69 + 36), ...shareEntry(SECP256R1, p256Public()), ...shareEntry(X25519, x25519Public())]))(h);
      }),
    );
    const share = X.bodyOf(X.keyShareServerHello, X.findExtension(hello.extensions, ExtensionType.key_share)!);
    expect([SECP256R1, X25519]).toContain(share.group);
  });

  it('#serverOnlyOffersOneKeyshare → one KeyShareEntry, of a group the client shared; ours: the same', () => {
    const hello = serverHello(serve(() => {}));
    expect(hello.extensions.filter((e) => e.type === ExtensionType.key_share)).toHaveLength(1);
    expect(X.bodyOf(X.keyShareServerHello, X.findExtension(hello.extensions, ExtensionType.key_share)!).group).toBe(X25519);
  });

  it('#includeUnknownGroup (group 0x7b7c first, in supported_groups and key_share) → answered; ours: with X25519', () => {
    const hello = serverHello(
      serve((h) => {
        replacingExtension(ext(EXT.supported_groups, [0, 4, 123, 124, ...u16(X25519)]))(h);
        replacingExtension(ext(EXT.key_share, [...u16(60 + 36), ...shareEntry(0x7b7c, new Uint8Array(56)), ...shareEntry(X25519, x25519Public())]))(h);
      }),
    );
    expect(X.bodyOf(X.keyShareServerHello, X.findExtension(hello.extensions, ExtensionType.key_share)!).group).toBe(X25519);
  });

  it('#rejectsPointsNotOnCurve (secp256r1) → a fatal alert or a HelloRetryRequest; ours: illegal_parameter (§4.2.8.2)', () => {
    const offCurve = p256Public();
    offCurve[64]! ^= 1;
    refuses(
      serve((h) => {
        replacingExtension(ext(EXT.supported_groups, [0, 2, ...u16(SECP256R1)]))(h);
        replacingExtension(keyShare(SECP256R1, offCurve))(h);
      }),
      'illegal_parameter',
    );
  });

  it.each([
    ['0', () => new Uint8Array(256)],
    ['1', () => Uint8Array.from({ length: 256 }, (_, i) => (i === 255 ? 1 : 0))],
    ['above p', () => Uint8Array.from({ length: 256 }, (_, i) => (i === 255 ? 0 : 0xff))],
  ])('#ffdheShareOutOfBounds (ffdhe2048, Y = %s) → a fatal alert (§4.2.8.1: 1 < Y < p-1); ours: illegal_parameter', (_, y) => {
    refuses(
      serve(
        (h) => {
          replacingExtension(ext(EXT.supported_groups, [0, 2, ...u16(FFDHE2048)]))(h);
          replacingExtension(keyShare(FFDHE2048, y()))(h);
        },
        { groups: [FFDHE2048] },
      ),
      'illegal_parameter',
    );
  });

  it.each([
    ['0', 0],
    ['1 (small order)', 1],
  ])('#abortsWhenSharedSecretIsZero (X25519 u = %s) → a fatal alert (§7.4.2); ours: illegal_parameter', (_, u) => {
    const point = new Uint8Array(32);
    point[0] = u;
    refuses(serve(replacingExtension(keyShare(X25519, point))), 'illegal_parameter');
  });
});

describe('server/tls13/rfc8446/SignatureAlgorithms', () => {
  it('#omitSignatureAlgorithmsExtension → missing_extension; ours: missing_extension', () => {
    refuses(serve(withoutExtension(EXT.signature_algorithms)), 'missing_extension');
  });

  it('#offerLegacySignatureAlgorithms (rsa_pkcs1_sha1 first) → a TLS 1.3 scheme signs; ours: answered (the protected CertificateVerify is not opened here)', () => {
    serverHello(serve(replacingExtension(ext(EXT.signature_algorithms, [0, 4, 0x02, 0x01, 0x08, 0x07]))));
  });

  it('#offerOnlyLegacySignatureAlgorithms → a fatal alert; ours: handshake_failure', () => {
    refuses(serve(replacingExtension(ext(EXT.signature_algorithms, [0, 4, 0x02, 0x01, 0x02, 0x03]))), 'handshake_failure');
  });

  it('#includeUnknownSignatureAndHashAlgorithm (0xfe44 first) → answered; ours: answered', () => {
    serverHello(serve(replacingExtension(ext(EXT.signature_algorithms, [0, 4, 0xfe, 0x44, 0x08, 0x07]))));
  });
});

describe('server/tls13/rfc8446/SupportedVersions', () => {
  it('#unknownVersion ([0x0505, 0x0304]) → answered in TLS 1.3; ours: the same', () => {
    const hello = serverHello(serve(replacingExtension(ext(EXT.supported_versions, [4, 5, 5, 3, 4]))));
    expect(X.findExtension(hello.extensions, ExtensionType.supported_versions)!.data).toEqual(Uint8Array.of(3, 4));
  });

  it('#setLegacyVersionTo0304 (supported_versions [TLS 1.2]) → a fatal alert; ours: protocol_version (no TLS 1.2 here)', () => {
    refuses(
      serve((h) => {
        h.legacyVersion = 0x0304;
        replacingExtension(ext(EXT.supported_versions, [2, 3, 3]))(h);
      }),
      'protocol_version',
    );
  });

  it('#setLegacyVersionTo0304WithoutSVExt → a fatal alert; ours: protocol_version', () => {
    refuses(
      serve((h) => {
        h.legacyVersion = 0x0304;
        withoutExtension(EXT.supported_versions)(h);
      }),
      'protocol_version',
    );
  });

  it('#supportedVersionsAbsentOnlyUnsupportedLegacyVersion (0x0301, no supported_versions) → protocol_version; ours: protocol_version', () => {
    refuses(
      serve((h) => {
        h.legacyVersion = 0x0301;
        withoutExtension(EXT.supported_versions)(h);
      }),
      'protocol_version',
    );
  });

  it('#tls13Handshake → supported_versions 0x0304, legacy_version 0x0303; ours: the same', () => {
    const hello = serverHello(serve(() => {}));
    expect(hello.legacyVersion).toBe(0x0303);
    expect(X.findExtension(hello.extensions, ExtensionType.supported_versions)!.data).toEqual(Uint8Array.of(3, 4));
  });
});

describe('server/tls13/rfc8446/ServerHello', () => {
  it('#testLegacyVersion, #testCompressionValue, #testProvidedExtensions → 0x0303, 0, only offered extensions, none twice; ours: the same', () => {
    const hello = serverHello(serve(() => {}));
    expect(hello.legacyVersion).toBe(0x0303);
    expect(hello.legacyCompressionMethod).toBe(0);
    const types = hello.extensions.map((e) => e.type);
    expect(new Set(types).size).toBe(types.length);
    expect(types.every((t) => [EXT.supported_versions, EXT.key_share].includes(t as never))).toBe(true);
  });

  it('#testSessionIdEchoed (32 bytes) → echoed; ours: echoed', () => {
    const id = Uint8Array.from({ length: 32 }, (_, i) => (i % 16 === 0 ? 0xff : 0));
    expect(serverHello(serve((h) => void (h.legacySessionId = id))).legacySessionIdEcho).toEqual(id);
  });
});

describe('server/tls13/rfc8446/MiddleboxCompatibility and HelloRetryRequest', () => {
  const sessionId = new Uint8Array(32).fill(3);

  it('#respectsClientCompatibilityWish (a session id) → a ChangeCipherSpec right after the ServerHello; ours: the same', () => {
    expect(answered(serve((h) => void (h.legacySessionId = sessionId))).records.slice(0, 2)).toEqual([HANDSHAKE, CHANGE_CIPHER_SPEC]);
  });

  it('#respectsClientCompatibilityWishWithHrr → a ChangeCipherSpec right after the HelloRetryRequest; ours: the same', () => {
    const { first, records } = answered(
      serve((h) => {
        h.legacySessionId = sessionId;
        replacingExtension(ext(EXT.key_share, [0, 0]))(h);
      }),
    );
    expect(first.kind).toBe('hello_retry_request');
    expect(records).toEqual([HANDSHAKE, CHANGE_CIPHER_SPEC]);
  });

  it('#helloRetryRequestValid (empty key_share) → supported_versions, the offered suite, one group without a key; ours: the same', () => {
    const { first } = answered(serve(replacingExtension(ext(EXT.key_share, [0, 0]))));
    if (first.kind !== 'hello_retry_request') throw new Error(first.kind);
    expect(first.cipherSuite).toBe(0x1301);
    expect(X.findExtension(first.extensions, ExtensionType.supported_versions)!.data).toEqual(Uint8Array.of(3, 4));
    expect(X.findExtension(first.extensions, ExtensionType.key_share)!.data).toEqual(Uint8Array.from(u16(X25519)));
    const types = first.extensions.map((e) => e.type);
    expect(new Set(types).size).toBe(types.length);
  });
});

describe('server/tls13/rfc8446/RecordLayer and both/tls13/rfc8446/D5_SecurityRestrictions', () => {
  it.each([0x0300, 0x0301, 0x0302, 0x0303, 0x0304, 0x0305])('RecordLayer#ignoresInitialRecordVersion (0x%s) → answered; ours: answered', (version) => {
    serverHello(serve(() => {}, {}, version));
  });

  // App. D.5: "SHOULD NOT accept any records with a version less than 0x0300 (but may inadvertently do so if the
  // record version number is ignored completely)"; §5.1: legacy_record_version "MUST be ignored for all
  // purposes" for a ClientHello. We ignore it, as our client does (docs/tls-anvil.md, docs/robustness.md).
  it('D5_SecurityRestrictions#invalidRecordVersion_ssl30 (record version 0x0203) → a fatal alert; ours: answered (divergence, a SHOULD NOT)', () => {
    serverHello(serve(() => {}, {}, 0x0203));
  });
});

describe('server/tls13/rfc8701/ClientInitiatedExtensionPoints', () => {
  it('#advertiseGreaseCiphersuites → the real suite chosen; ours: the same', () => {
    expect(serverHello(serve((h) => void h.cipherSuites.unshift(0x2a2a))).cipherSuite).toBe(0x1301);
  });

  it('#advertiseGreaseExtensions (25 bytes) → not negotiated; ours: not echoed', () => {
    expect(serverHello(serve((h) => void h.extensions.unshift(ext(0x2a2a, new Uint8Array(25))))).extensions.map((e) => e.type)).not.toContain(0x2a2a);
  });

  it('#advertiseGreaseNamedGroup (a share of 32 zero bytes first) → not chosen; ours: X25519', () => {
    const hello = serverHello(
      serve((h) => {
        replacingExtension(ext(EXT.supported_groups, [0, 4, 0x2a, 0x2a, ...u16(X25519)]))(h);
        replacingExtension(ext(EXT.key_share, [...u16(72), ...shareEntry(0x2a2a, new Uint8Array(32)), ...shareEntry(X25519, x25519Public())]))(h);
      }),
    );
    expect(X.bodyOf(X.keyShareServerHello, X.findExtension(hello.extensions, ExtensionType.key_share)!).group).toBe(X25519);
  });

  it('#advertiseGreaseSignatureAlgorithms (0x0a0a first) → not chosen; ours: answered (the protected CertificateVerify is not opened here)', () => {
    serverHello(serve(replacingExtension(ext(EXT.signature_algorithms, [0, 4, 0x0a, 0x0a, 0x08, 0x07]))));
  });

  const greaseAlpn = (h: ClientHello) => {
    const list = ['GREASE_00', 'GREASE_01'].flatMap((id) => [id.length, ...new TextEncoder().encode(id)]);
    h.extensions.unshift(ext(EXT.alpn, [...u16(list.length), ...list]));
  };

  it('#advertiseGreaseALPNIdentifiers, a server without ALPN → answered, no ALPN; ours: the same', () => {
    serverHello(serve(greaseAlpn));
  });

  // RFC 7301 §3.2: a server that "supports no protocols that the client advertises ... SHALL respond with a fatal
  // no_application_protocol alert". TLS-Anvil replaces the whole list with GREASE names and expects a handshake.
  it('#advertiseGreaseALPNIdentifiers, a server with ALPN h2 → answered; ours: no_application_protocol (divergence, RFC 7301 §3.2)', () => {
    refuses(serve(greaseAlpn, { alpnProtocols: ['h2'] }), 'no_application_protocol');
  });
});
