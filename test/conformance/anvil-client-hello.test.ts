// TLS-Anvil's client tests of the server's hellos, replayed against our client (docs/tls-anvil.md): the
// classes ServerHello, HelloRetryRequest, SupportedVersions, KeyShare, Extensions, EncryptedExtensions and
// PreSharedKeyExchangeModes of client/tls13/rfc8446, ServerInitiatedExtensionPoints of client/tls13/rfc8701,
// and the length-field tests of both/lengthfield that hit a ServerHello. The malicious server is
// anvil-server.ts: every message after the one a test edits is still computed over what was sent.
import { describe, expect, it } from 'vitest';
import { ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import type { Extension, HelloRetryRequest, ServerHello } from '../../src/wire/types.js';
import { ext, p256Public } from '../handshake/abort-harness.js';
import { alert, CONTINUES, FAILS, FATAL, ours, replay, type AnvilCase } from './anvil-harness.js';
import { ScriptedServer, tls12Hello, type Edit } from './anvil-server.js';

const GREASE = 0x0a0a;
const greaseExtension = ext(GREASE, new Uint8Array(25));
const versions = (version: number) => ext(ExtensionType.supported_versions, X.supportedVersionsServerHello.encode(version));
const replaceExtension = <M extends ServerHello | HelloRetryRequest>(m: M, replacement: Extension): M => ({ ...m, extensions: m.extensions.map((e) => (e.type === replacement.type ? replacement : e)) });

/** TLS-Anvil's WorkflowTraceType.HELLO: the whole server flight with the ServerHello edited, then an alert awaited. */
function helloFlight(edit: Edit<ServerHello>, client = {}) {
  const server = new ScriptedServer(client);
  return server.deliver(server.serverHello({ edit }), server.protect(...server.authentication()));
}



/** A raw edit of the encoded ServerHello. */
const rawHello = (edit: (bytes: Uint8Array) => void): Edit<ServerHello> => (sh) => {
  const bytes = encodeHandshake(sh);
  edit(bytes);
  return bytes;
};
/** Offset of legacy_session_id_echo's length byte: header 4, legacy_version 2, random 32. */
const SESSION_ID_LENGTH_AT = 38;
const addU16 = (bytes: Uint8Array, at: number, delta: number) => {
  const value = ((bytes[at]! << 8) | bytes[at + 1]!) + delta;
  bytes[at] = value >> 8;
  bytes[at + 1] = value & 0xff;
};
/** Offset of the extensions length of an encoded ServerHello. */
const extensionsLengthAt = (bytes: Uint8Array) => SESSION_ID_LENGTH_AT + 1 + bytes[SESSION_ID_LENGTH_AT]! + 2 + 1;
/** Offset of the length of the extension of `type` in an encoded ServerHello. */
function extensionLengthAt(bytes: Uint8Array, type: number): number {
  for (let at = extensionsLengthAt(bytes) + 2; at < bytes.length; at += 4 + ((bytes[at + 2]! << 8) | bytes[at + 3]!)) {
    if (((bytes[at]! << 8) | bytes[at + 1]!) === type) return at + 2;
  }
  throw new Error(`no extension ${type}`);
}

/** A server that answers with a HelloRetryRequest for secp256r1 (offered, no share in our first ClientHello). */
function retried(edit?: Edit<HelloRetryRequest>, client = {}) {
  const server = new ScriptedServer(client);
  const result = server.helloRetryRequest(NamedGroup.secp256r1, edit);
  return { server, result };
}
/** After a HelloRetryRequest for secp256r1, the ServerHello flight with `edit`. */
function afterRetry(edit: Edit<ServerHello>, hrr?: Edit<HelloRetryRequest>) {
  const { server } = retried(hrr);
  return server.deliver(server.serverHello({ edit }), server.protect(...server.authentication()));
}

describe('client/tls13/rfc8446/ServerHello', () => {
  replay([
    // Older versions echo 01020304; newer ones 32 bytes with 0xff at 0 and 16 ("WolfSSL expects 32 bytes").
    { id: 'ServerHello#testSessionId[4 bytes]', expected: alert('illegal_parameter'), ours: 'illegal_parameter', run: () => helloFlight((sh) => ({ ...sh, legacySessionIdEcho: Uint8Array.of(1, 2, 3, 4) })) },
    {
      id: 'ServerHello#testSessionId[32 bytes]',
      expected: alert('illegal_parameter'),
      ours: 'illegal_parameter',
      run: () => helloFlight((sh) => ({ ...sh, legacySessionIdEcho: Uint8Array.from({ length: 32 }, (_, i) => (i % 16 === 0 ? 0xff : 0)) })),
    },
    { id: 'ServerHello#testCipherSuite', expected: alert('illegal_parameter'), ours: 'illegal_parameter', run: () => helloFlight((sh) => ({ ...sh, cipherSuite: GREASE })) },
    { id: 'ServerHello#testCompressionValue', expected: FATAL, ours: 'illegal_parameter', run: () => helloFlight((sh) => ({ ...sh, legacyCompressionMethod: 1 })) },
    // TLS-Anvil sends the TLS 1.2 sentinel only; the TLS 1.1 one (last byte 0x00, §4.1.3) is ours to add.
    ...[
      [0x0303, 0x01],
      [0x0302, 0x00],
    ].map(([version, last]): AnvilCase => ({
      id: `ServerHello#testRandomDowngradeValue[legacy_version 0x${version!.toString(16).padStart(4, '0')}, DOWNGRD ${last}]`,
      expected: alert('illegal_parameter'),
      ours: 'illegal_parameter',
      run: () => helloFlight(tls12Hello(version!, Uint8Array.from([...new Uint8Array(24).fill(7), 0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, last!]))),
    })),
  ]);
});

describe('client/tls13/rfc8446/HelloRetryRequest', () => {
  replay([
    { id: 'HelloRetryRequest#helloRetryRequestsUnofferedGroup', expected: alert('illegal_parameter'), ours: 'illegal_parameter', run: () => new ScriptedServer().helloRetryRequest(NamedGroup.x448) },
    {
      id: 'HelloRetryRequest#helloRetryRequestsUnofferedTls13CipherSuite',
      expected: alert('illegal_parameter'),
      ours: 'illegal_parameter',
      run: () => retried((hrr) => ({ ...hrr, cipherSuite: 0x1303 }), { cipherSuites: [0x1301, 0x1302] }).result,
    },
    { id: 'HelloRetryRequest#helloRetryRequestResultsInNoChanges', expected: alert('illegal_parameter'), ours: 'illegal_parameter', run: () => new ScriptedServer().helloRetryRequest(NamedGroup.x25519) },
    {
      id: 'HelloRetryRequest#sendSecondHelloRetryRequest',
      expected: alert('unexpected_message'),
      ours: 'unexpected_message',
      run: () => retried().server.helloRetryRequest(NamedGroup.secp384r1),
    },
    { id: 'HelloRetryRequest#cipherSuiteDisparity', expected: alert('illegal_parameter'), ours: 'illegal_parameter', run: () => afterRetry((sh) => sh, (hrr) => ({ ...hrr, cipherSuite: 0x1302 })) },
    {
      id: 'HelloRetryRequest#namedGroupDisparity',
      expected: alert('illegal_parameter'),
      ours: 'illegal_parameter',
      // The group of ClientHello1's share, not the one the HelloRetryRequest asked for (§4.2.8).
      run: () => afterRetry((sh) => replaceExtension(sh, ext(ExtensionType.key_share, X.keyShareServerHello.encode({ group: NamedGroup.x25519, keyExchange: new Uint8Array(32).fill(9) })))),
    },
    { id: 'HelloRetryRequest#versionDisparity', expected: alert('illegal_parameter'), ours: 'illegal_parameter', run: () => afterRetry((sh) => replaceExtension(sh, versions(0x0305))) },
    { id: 'HelloRetryRequest#helloRetryLegacySessionId', expected: alert('illegal_parameter'), ours: 'illegal_parameter', run: () => retried((hrr) => ({ ...hrr, legacySessionIdEcho: Uint8Array.of(1, 2, 3, 4) })).result },
    { id: 'HelloRetryRequest#helloRetryCompressionValue', expected: FATAL, ours: 'illegal_parameter', run: () => retried((hrr) => ({ ...hrr, legacyCompressionMethod: 1 })).result },
    { id: 'HelloRetryRequest#helloRetryGreaseCipherSuite', expected: FATAL, ours: 'illegal_parameter', run: () => retried((hrr) => ({ ...hrr, cipherSuite: GREASE })).result },
    { id: 'HelloRetryRequest#helloRetryGreaseExtension', expected: FATAL, ours: 'unsupported_extension', run: () => retried((hrr) => ({ ...hrr, extensions: [...hrr.extensions, greaseExtension] })).result },
    { id: 'HelloRetryRequest#helloRetryGreaseVersionSelected', expected: FATAL, ours: 'illegal_parameter', run: () => retried((hrr) => replaceExtension(hrr, versions(GREASE))).result },
    { id: 'HelloRetryRequest#helloRetryRequestsTls12CipherSuite', expected: alert('illegal_parameter'), ours: 'illegal_parameter', run: () => retried((hrr) => ({ ...hrr, cipherSuite: 0xc02f })).result },
  ]);

  it('HelloRetryRequest#actsCorrectlyUponHelloRetryRequest → ClientHello2 as §4.1.2 says, the handshake completes; ours: continues', () => {
    const { server, result } = retried();
    expect(ours(result)).toBe('continues');
    const [first, second] = server.clientHellos;
    // One share, of the group asked for (§4.1.2, §4.2.8).
    expect(X.bodyOf(X.keyShareClientHello, X.findExtension(second!.extensions, ExtensionType.key_share)!).map((s) => s.group)).toEqual([NamedGroup.secp256r1]);
    // The record of ClientHello2 has legacy_record_version 0x0303 (§5.1).
    expect(server.clientRecords.filter((r) => r.type === 22).at(-1)!.version).toBe(0x0303);
    // The same extensions, each with the same body but key_share (and padding, pre_shared_key, early_data, cookie).
    const MAY_CHANGE: number[] = [ExtensionType.key_share, ExtensionType.padding, ExtensionType.pre_shared_key, ExtensionType.early_data, ExtensionType.cookie];
    const kept = (list: Extension[]) => list.filter((e) => !MAY_CHANGE.includes(e.type));
    expect(kept(second!.extensions)).toEqual(kept(first!.extensions));
    expect(second!.extensions.filter((e) => !first!.extensions.some((f) => f.type === e.type)).every((e) => e.type === ExtensionType.padding)).toBe(true);
    expect({ ...second!, extensions: [] }).toEqual({ ...first!, extensions: [] });
    const done = server.deliver(server.serverHello(), server.protect(...server.authentication()));
    expect(ours(done)).toBe('continues');
    expect(done.victim.isConnected).toBe(true);
  });

  it('HelloRetryRequest#copiesCookieValue → ClientHello2 carries the cookie as sent (§4.2.2); ours: it does', () => {
    const cookie = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const { server, result } = retried((hrr) => ({ ...hrr, extensions: [...hrr.extensions, ext(ExtensionType.cookie, X.cookie.encode(cookie))] }));
    expect(ours(result)).toBe('continues');
    expect(X.bodyOf(X.cookie, X.findExtension(server.clientHello.extensions, ExtensionType.cookie)!)).toEqual(cookie);
  });
});

describe('client/tls13/rfc8446/SupportedVersions', () => {
  // §4.2.1 says "clients MUST ignore the ServerHello.legacy_version value"; §4.1.3 and RFC 8446bis ("A client
  // which receives a TLS 1.3 Server Hello with a legacy_version value not equal to 0x0303 MUST abort the
  // handshake with an "illegal_parameter" alert") say the opposite. We follow 8446bis (docs/tls-anvil.md).
  replay([
    ...[0x0505, 0x0304].map((version): AnvilCase => ({
      id: `SupportedVersions#invalidLegacyVersion[0x${version.toString(16).padStart(4, '0')}]`,
      expected: CONTINUES,
      ours: 'illegal_parameter',
      divergence: 'RFC 8446bis §4.1.3: a TLS 1.3 ServerHello.legacy_version other than 0x0303 is illegal_parameter',
      run: () => helloFlight((sh) => ({ ...sh, legacyVersion: version })),
    })),
    { id: 'SupportedVersions#selectOlderTlsVersion', expected: alert('illegal_parameter'), ours: 'illegal_parameter', run: () => helloFlight((sh) => replaceExtension(sh, versions(0x0303))) },
    ...[0x0301, 0x0302, 0x0303].map((version): AnvilCase => ({
      id: `SupportedVersions#negotiateUnproposedOldProtocolVersion[0x${version.toString(16).padStart(4, '0')}]`,
      expected: alert('protocol_version'),
      ours: 'protocol_version',
      run: () => helloFlight(tls12Hello(version)),
    })),
    ...[0x0305, 0x0404, 0x0503, 0x9904].map((version): AnvilCase => ({
      id: `SupportedVersions#legacyNegotiateUndefinedProtocolVersion[0x${version.toString(16).padStart(4, '0')}]`,
      expected: FATAL,
      ours: 'protocol_version',
      run: () => helloFlight(tls12Hello(version)),
    })),
  ]);
});

describe('client/tls13/rfc8446/KeyShare', () => {
  const share = (group: number, keyExchange: Uint8Array) => ext(ExtensionType.key_share, X.keyShareServerHello.encode({ group, keyExchange }));
  replay([
    // secp256r1 is in our supported_groups; our ClientHello carries no share for it.
    { id: 'KeyShare#selectInvalidKeyshare', expected: FATAL, ours: 'illegal_parameter', run: () => helloFlight((sh) => replaceExtension(sh, share(NamedGroup.secp256r1, p256Public()))) },
    {
      id: 'KeyShare#rejectsPointsNotOnCurve',
      expected: FATAL,
      ours: 'illegal_parameter',
      run: () => {
        const point = new Uint8Array(65).fill(1);
        point[0] = 4;
        return helloFlight((sh) => replaceExtension(sh, share(NamedGroup.secp256r1, point)), { keyShareGroups: [NamedGroup.secp256r1] });
      },
    },
    ...[new Uint8Array(32), Uint8Array.of(1, ...new Uint8Array(31))].map((point, i): AnvilCase => ({
      id: `KeyShare#abortsWhenSharedSecretIsZero[x25519 small-order point ${i}]`,
      expected: FATAL,
      ours: 'illegal_parameter',
      run: () => helloFlight((sh) => replaceExtension(sh, share(NamedGroup.x25519, point)), { keyShareGroups: [NamedGroup.x25519] }),
    })),
    ...(['zero', 'one', 'p-1', 'p', 'p+1'] as const).map((value): AnvilCase => ({
      id: `KeyShare#ffdheShareOutOfBounds[ffdhe2048, Y = ${value}]`,
      expected: FATAL,
      ours: 'illegal_parameter',
      run: () => helloFlight((sh) => replaceExtension(sh, share(NamedGroup.ffdhe2048, ffdhe2048Value(value))), { groups: [NamedGroup.ffdhe2048], keyShareGroups: [NamedGroup.ffdhe2048] }),
    })),
  ]);
});

/** RFC 7919 ffdhe2048's p, and values around it, as 256-byte key_exchange values (RFC 8446 §4.2.8.1). */
function ffdhe2048Value(value: 'zero' | 'one' | 'p-1' | 'p' | 'p+1'): Uint8Array {
  const p = BigInt(
    '0xFFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939DCE249B3EF97D2FE363630C75D8F681B202AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3B557135E7F57C935984F0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797ABC0AB182B324FB61D108A94BB2C8E3FBB96ADAB760D7F4681D4F42A3DE394DF4AE56EDE76372BB190B07A7C8EE0A6D709E02FCE1CDF7E2ECC03404CD28342F619172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC2EC22005C58EF1837D1683B2C6F34A26C1B2EFFA886B423861285C97FFFFFFFFFFFFFFFF',
  );
  const y = { zero: 0n, one: 1n, 'p-1': p - 1n, p, 'p+1': p + 1n }[value];
  return Uint8Array.from(y.toString(16).padStart(512, '0').match(/../g)!.map((b) => parseInt(b, 16)));
}

describe('client/tls13/rfc8446/Extensions and EncryptedExtensions', () => {
  const inEncryptedExtensions = (extension: Extension, client = {}) => {
    const server = new ScriptedServer(client);
    return server.deliver(server.serverHello(), server.protect(server.encryptedExtensions([extension]), server.certificate(), server.certificateVerify(), server.finished()));
  };
  replay([
    { id: 'Extensions#sendAdditionalExtension[SERVER_NAME_INDICATION]', expected: alert('unsupported_extension'), ours: 'unsupported_extension', run: () => inEncryptedExtensions(ext(ExtensionType.server_name, []), { serverName: undefined }) },
    { id: 'Extensions#sendAdditionalExtension[MAX_FRAGMENT_LENGTH]', expected: alert('unsupported_extension'), ours: 'unsupported_extension', run: () => inEncryptedExtensions(ext(ExtensionType.max_fragment_length, [1])) },
    { id: 'Extensions#sendAdditionalExtension[ALPN]', expected: alert('unsupported_extension'), ours: 'unsupported_extension', run: () => inEncryptedExtensions(ext(ExtensionType.application_layer_protocol_negotiation, X.alpn.encode(['http/1.1']))) },
    // §4.2: a known extension the message may not carry is illegal_parameter; TLS-Anvil also takes unsupported_extension when we never offered it.
    { id: 'Extensions#sendHeartBeatExtensionInSH', expected: alert('illegal_parameter'), ours: 'illegal_parameter', run: () => helloFlight((sh) => ({ ...sh, extensions: [...sh.extensions, ext(ExtensionType.heartbeat, [1])] })) },
    { id: 'EncryptedExtensions#sendSupportedVersionsExtensionInEE', expected: alert('illegal_parameter'), ours: 'illegal_parameter', run: () => inEncryptedExtensions(versions(0x0304)) },
    { id: 'EncryptedExtensions#sendPaddingExtensionInEE', expected: alert('illegal_parameter'), ours: 'illegal_parameter', run: () => inEncryptedExtensions(ext(ExtensionType.padding, [])) },
    {
      id: 'PreSharedKeyExchangeModes#sendPSKModeExtension',
      expected: FATAL,
      ours: 'illegal_parameter',
      run: () => helloFlight((sh) => ({ ...sh, extensions: [...sh.extensions, ext(ExtensionType.psk_key_exchange_modes, [1, 1])] })),
    },
  ]);
});

describe('client/tls13/rfc8701/ServerInitiatedExtensionPoints', () => {
  replay([
    { id: 'ServerInitiatedExtensionPoints#selectGreaseVersion', expected: FATAL, ours: 'illegal_parameter', run: () => helloFlight((sh) => replaceExtension(sh, versions(GREASE))) },
    { id: 'ServerInitiatedExtensionPoints#selectGreaseCipherSuite', expected: FATAL, ours: 'illegal_parameter', run: () => helloFlight((sh) => ({ ...sh, cipherSuite: GREASE })) },
    { id: 'ServerInitiatedExtensionPoints#sendServerHelloGreaseExtension', expected: FATAL, ours: 'unsupported_extension', run: () => helloFlight((sh) => ({ ...sh, extensions: [...sh.extensions, greaseExtension] })) },
    {
      id: 'ServerInitiatedExtensionPoints#sendEncryptedExtensionsGreaseExtension',
      expected: FATAL,
      ours: 'unsupported_extension',
      run: () => {
        const server = new ScriptedServer();
        return server.deliver(server.serverHello(), server.protect(server.encryptedExtensions([greaseExtension]), server.certificate(), server.certificateVerify(), server.finished()));
      },
    },
  ]);
});

describe('both/lengthfield on the ServerHello (TlsLengthfieldTest.validateLengthTest)', () => {
  replay([
    { id: 'lengthfield/Hello#helloSessionIdLengthTLS13 (+1)', expected: FAILS, ours: 'decode_error', run: () => helloFlight(rawHello((b) => (b[SESSION_ID_LENGTH_AT]! += 1))) },
    { id: 'lengthfield/Hello#helloLengthTLS13 (-1)', expected: FAILS, ours: 'decode_error', run: () => helloFlight(rawHello((b) => (b[3]! -= 1))) },
    { id: 'lengthfield/Hello#helloExtensionsLengthTLS13 (-1)', expected: FAILS, ours: 'decode_error', run: () => helloFlight(rawHello((b) => addU16(b, extensionsLengthAt(b), -1))) },
    {
      id: 'lengthfield/extensions/KeyShareExtension#keyShareExtensionLength (-1)',
      expected: FAILS,
      ours: 'decode_error',
      run: () => helloFlight(rawHello((b) => addU16(b, extensionLengthAt(b, ExtensionType.key_share), -1))),
    },
    {
      id: 'lengthfield/extensions/SupportedVersionsExtension#supportedVersionsExtensionLength (-1)',
      expected: FAILS,
      ours: 'decode_error',
      run: () => helloFlight(rawHello((b) => addU16(b, extensionLengthAt(b, ExtensionType.supported_versions), -1))),
    },
  ]);
});
