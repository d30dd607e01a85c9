// TLS-Anvil's client tests of the server's authentication and of the order of its messages, replayed against
// our client (docs/tls-anvil.md): Certificate, CertificateVerify and ClientAuthentication of
// client/tls13/rfc8446, both/tls13/rfc8446/Finished, the state-machine classes (client/tls13/statemachine,
// stateMachine/Finished, client/both/statemachine/SharedStateMachineTest, both/tls13/statemachine), the
// CertificateVerify GREASE test of rfc8701, and the length-field tests of both/lengthfield that hit the
// server's encrypted flight. The malicious server is anvil-server.ts.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import { rsaTestKey } from '../../src/testing/rsa-keys.js';
import { concat } from '../../src/wire/bytes.js';
import { ExtensionType, SignatureScheme } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import { ext, handshakeMessage, pinned, record, serverLeaf } from '../handshake/abort-harness.js';
import { alert, FAILS, FATAL, ours, replay, type AnvilCase } from './anvil-harness.js';
import { APPLICATION_DATA, CHANGE_CIPHER_SPEC, HANDSHAKE, ScriptedServer } from './anvil-server.js';

/** A server flight whose CertificateVerify went through `edit` (which may sign with any scheme). */
function withCertificateVerify(edit: Parameters<ScriptedServer['certificateVerify']>[1], server = new ScriptedServer(), scheme?: number) {
  return server.deliver(server.serverHello(), server.protect(server.encryptedExtensions(), server.certificate(), server.certificateVerify(scheme, edit), server.finished()));
}

/** A copy of `bytes` with the byte at `at` XORed with `mask` (TLS-Anvil's Modifiable.xor bitmasks). */
const xorAt = (bytes: Uint8Array, at: number, mask = 0x01) => {
  const copy = bytes.slice();
  copy[at < 0 ? copy.length + at : at]! ^= mask;
  return copy;
};

/** An RSA server (rsaEncryption key) the client pins, for RSA signature schemes. */
const rsaIdentity = serverLeaf({ privateKey: rsaTestKey() });
const rsaServer = () => new ScriptedServer({ trust: pinned(rsaIdentity) }, rsaIdentity);

/** A raw CertificateVerify: its 2-byte scheme field (or none) and its signature vector. */
const rawCertificateVerify = (scheme: number[], signature: Uint8Array) =>
  handshakeMessage(15, Uint8Array.from([...scheme, signature.length >> 8, signature.length & 0xff, ...signature]));

describe('client/tls13/rfc8446/Certificate and CertificateVerify, both/tls13/rfc8446/Finished', () => {
  replay([
    {
      id: 'Certificate#emptyCertificate',
      expected: alert('decode_error'),
      ours: 'decode_error',
      run: () => {
        const server = new ScriptedServer();
        return server.deliver(server.serverHello(), server.protect(server.encryptedExtensions(), server.certificate((m) => ({ ...m, entries: [] })), server.certificateVerify(), server.finished()));
      },
    },
    {
      id: 'CertificateVerify#selectLegacyRSASignatureAlgorithm[rsa_pkcs1_sha256]',
      expected: FATAL,
      ours: 'illegal_parameter',
      // A true RSASSA-PKCS1-v1_5 signature over the content (§4.4.3: "RSA signatures MUST use an RSASSA-PSS algorithm").
      run: () => {
        const server = rsaServer();
        return withCertificateVerify(
          (m) => ({ ...m, scheme: SignatureScheme.rsa_pkcs1_sha256, signature: nobleProvider.sign({ kind: 'rsa-pkcs1', hash: 'sha256' }, rsaIdentity.privateKey, server.certificateVerifyContent(), seededRandom('pkcs1')) }),
          server,
          SignatureScheme.rsa_pss_rsae_sha256,
        );
      },
    },
    // TLS-Anvil runs this only for a client offering ecdsa_sha1; we do not, and refuse it as a scheme we did not offer.
    { id: 'CertificateVerify#selectLegacyECDSASignatureAlgorithm[ecdsa_sha1]', expected: FATAL, ours: 'illegal_parameter', run: () => withCertificateVerify((m) => ({ ...m, scheme: 0x0203 })) },
    ...[0, 31, -1].map((at): AnvilCase => ({
      id: `CertificateVerify#invalidSignature[byte ${at} XOR 0x01]`,
      expected: alert('decrypt_error'),
      ours: 'decrypt_error',
      run: () => withCertificateVerify((m) => ({ ...m, signature: xorAt(m.signature, at) })),
    })),
    {
      id: 'CertificateVerify#acceptsUnproposedSignatureAndHash[ed25519, not offered]',
      expected: FATAL,
      ours: 'illegal_parameter',
      // A valid Ed25519 signature, to a client whose signature_algorithms lacks ed25519 (its certificate check is a pin).
      run: () => withCertificateVerify(undefined, new ScriptedServer({ signatureSchemes: [SignatureScheme.ecdsa_secp256r1_sha256, SignatureScheme.rsa_pss_rsae_sha256] })),
    },
    { id: 'CertificateVerify#emptySignature', expected: alert('decrypt_error'), ours: 'decrypt_error', run: () => withCertificateVerify((m) => ({ ...m, signature: new Uint8Array(0) })) },
    { id: 'CertificateVerify#emptySigAlgorithm', expected: FATAL, ours: 'decode_error', run: () => withCertificateVerify((m) => rawCertificateVerify([], m.signature)) },
    { id: 'CertificateVerify#emptyBoth', expected: FATAL, ours: 'decode_error', run: () => withCertificateVerify(() => rawCertificateVerify([], new Uint8Array(0))) },
    { id: 'ServerInitiatedExtensionPoints#sendCertificateVerifyGreaseSignatureAlgorithm', expected: FATAL, ours: 'illegal_parameter', run: () => withCertificateVerify((m) => ({ ...m, scheme: 0x0a0a })) },
    ...[0, 16, -1].map((at): AnvilCase => ({
      id: `both/Finished#verifyFinishedMessageCorrect[byte ${at} XOR 0x01]`,
      expected: alert('decrypt_error'),
      ours: 'decrypt_error',
      run: () => {
        const server = new ScriptedServer();
        return server.deliver(server.serverHello(), server.protect(server.encryptedExtensions(), server.certificate(), server.certificateVerify(), server.finished((m) => ({ ...m, verifyData: xorAt(m.verifyData, at) }))));
      },
    })),
  ]);

  it('the control: an RSA server signing with rsa_pss_rsae_sha256 is accepted', () => {
    expect(ours(withCertificateVerify(undefined, rsaServer(), SignatureScheme.rsa_pss_rsae_sha256))).toBe('continues');
  });

  it('ClientAuthentication#clientSendsCertificateMessage → the handshake completes; ours: an empty Certificate, then Finished', () => {
    const server = new ScriptedServer();
    const request = encodeHandshake({ kind: 'certificate_request', context: new Uint8Array(0), extensions: [ext(ExtensionType.signature_algorithms, X.signatureAlgorithms.encode([SignatureScheme.ed25519]))] });
    const result = server.deliver(server.serverHello(), server.protect(server.encryptedExtensions(), server.add(request), server.certificate(), server.certificateVerify(), server.finished()));
    expect(ours(result)).toBe('continues');
    expect(result.victim.isConnected).toBe(true);
    expect(server.clientMessages.map((m) => m.kind)).toEqual(['certificate', 'finished']);
    expect(server.clientMessages[0]).toMatchObject({ kind: 'certificate', entries: [] });
  });
});

describe('state machine: client/tls13/statemachine/StateMachine, stateMachine/Finished, SharedStateMachineTest, both/tls13/statemachine', () => {
  /** The ServerHello, then `then` (given the server with its handshake keys). */
  const afterHello = (then: (server: ScriptedServer) => Uint8Array[]) => {
    const server = new ScriptedServer();
    const hello = server.serverHello();
    return server.deliver(hello, ...then(server));
  };
  /** After the whole handshake, `then` under the server's application keys. */
  const afterHandshake = (then: (server: ScriptedServer) => Uint8Array[]) => {
    const server = new ScriptedServer();
    server.handshake();
    return server.deliver(...then(server));
  };
  /** A TLS 1.2 ServerKeyExchange (type 12) of an ECDHE or DHE shape; its body does not matter to TLS 1.3. */
  const serverKeyExchange = handshakeMessage(12, Uint8Array.of(3, 0, 0x17, 65, ...new Uint8Array(65)));

  replay([
    // Newer versions of statemachine/StateMachine add omitCertificateVerify: a Certificate, then Finished.
    { id: 'StateMachine#omitCertificateVerify', expected: FATAL, ours: 'unexpected_message', run: () => afterHello((s) => [s.protect(s.encryptedExtensions(), s.certificate(), s.finished())]) },
    ...['statemachine/StateMachine', 'stateMachine/StateMachine', 'stateMachine/Finished'].map((cls): AnvilCase => ({
      id: `${cls}#sendFinishedWithoutCert`,
      expected: FATAL,
      ours: 'unexpected_message',
      run: () => afterHello((s) => [s.protect(s.encryptedExtensions(), s.finished())]),
    })),
    {
      id: 'StateMachine#sendHandshakeTrafficSecretEncryptedChangeCipherSpec',
      expected: FATAL,
      ours: 'unexpected_message',
      run: () => afterHello((s) => [record(CHANGE_CIPHER_SPEC, Uint8Array.of(1)), s.seal(CHANGE_CIPHER_SPEC, Uint8Array.of(1))]),
    },
    { id: 'StateMachine#sendAppTrafficSecretEncryptedChangeCipherSpec', expected: FATAL, ours: 'unexpected_message', run: () => afterHandshake((s) => [s.seal(CHANGE_CIPHER_SPEC, Uint8Array.of(1))]) },
    { id: 'StateMachine#sendLegacyChangeCipherSpecAfterFinished', expected: FATAL, ours: 'unexpected_message', run: () => afterHandshake(() => [record(CHANGE_CIPHER_SPEC, Uint8Array.of(1))]) },
    { id: 'StateMachine#sendLegacyFlowCertificate', expected: FATAL, ours: 'unexpected_message', run: () => afterHello((s) => [record(HANDSHAKE, s.certificate())]) },
    ...['ECDHE', 'DHE'].map((kind): AnvilCase => ({
      id: `StateMachine#sendLegacyFlow${kind}KeyExchange`,
      expected: FATAL,
      ours: 'unexpected_message',
      run: () => afterHello((s) => [record(HANDSHAKE, concat(s.certificate(), serverKeyExchange))]),
    })),
    {
      id: 'StateMachine#beginWithApplicationData (SharedStateMachineTest)',
      expected: FATAL,
      ours: 'unexpected_message',
      run: () => new ScriptedServer().deliver(record(APPLICATION_DATA, new TextEncoder().encode('Test'))),
    },
    { id: 'StateMachine#beginWithFinished (SharedStateMachineTest)', expected: FATAL, ours: 'unexpected_message', run: () => new ScriptedServer().deliver(record(HANDSHAKE, handshakeMessage(20, new Uint8Array(32)))) },
    {
      id: 'StateMachine#sendServerHelloTwice (SharedStateMachineTest)',
      expected: FATAL,
      ours: 'unexpected_message',
      run: () => {
        const server = new ScriptedServer();
        const hello = server.serverHello();
        return server.deliver(concat(hello, hello));
      },
    },
    {
      id: 'StateMachine#sendEndOfEarlyDataAsServer',
      expected: alert('unexpected_message'),
      ours: 'unexpected_message',
      run: () => afterHello((s) => [s.protect(s.encryptedExtensions(), s.certificate(), s.certificateVerify(), handshakeMessage(5, new Uint8Array(0)))]),
    },
    {
      id: 'both/ClientServerStateMachine#sendEmptyRecordFinished',
      expected: FATAL,
      ours: 'unexpected_message',
      run: () => afterHello((s) => [s.protect(s.encryptedExtensions(), s.certificate(), s.certificateVerify()), s.seal(APPLICATION_DATA, new Uint8Array(0))]),
    },
  ]);
});

describe('both/lengthfield on the encrypted flight (TlsLengthfieldTest.validateLengthTest)', () => {
  /** Adds `delta` to the big-endian number of `width` bytes at `at`. */
  const addAt = (bytes: Uint8Array, at: number, width: number, delta: number) => {
    const copy = bytes.slice();
    let value = 0;
    for (let i = 0; i < width; i++) value = value * 256 + copy[at + i]!;
    value += delta;
    for (let i = width - 1; i >= 0; i--, value = Math.floor(value / 256)) copy[at + i] = value % 256;
    return copy;
  };
  /** The honest flight with one message's bytes edited; `which` names it. EncryptedExtensions answers ALPN h2. */
  const flightWith = (which: 'ee' | 'certificate' | 'cv' | 'finished', edit: (bytes: Uint8Array) => Uint8Array) => {
    const server = new ScriptedServer({ alpnProtocols: ['h2'] });
    const hello = server.serverHello();
    const alpn = ext(ExtensionType.application_layer_protocol_negotiation, X.alpn.encode(['h2']));
    const messages = { ee: server.encryptedExtensions([alpn]), certificate: server.certificate(), cv: server.certificateVerify(), finished: server.finished() };
    return server.deliver(hello, server.protect(...Object.entries(messages).map(([name, bytes]) => (name === which ? edit(bytes) : bytes))));
  };
  const MESSAGE_LENGTH = 1;
  replay([
    { id: 'lengthfield/EncryptedExtensions#encryptedExtensionsLength (-1)', expected: FAILS, ours: 'decode_error', run: () => flightWith('ee', (b) => addAt(b, MESSAGE_LENGTH, 3, -1)) },
    { id: 'lengthfield/EncryptedExtensions#encryptedExtensionsExtensionsLength (+1)', expected: FAILS, ours: 'decode_error', run: () => flightWith('ee', (b) => addAt(b, 4, 2, 1)) },
    // ALPNExtension's TLS 1.3 tests run only against servers (their condition reads a server's feature extraction); played here on our client.
    { id: 'lengthfield/extensions/ALPNExtension#alpnExtensionLengthTLS13 (-1, in EncryptedExtensions)', expected: FAILS, ours: 'decode_error', run: () => flightWith('ee', (b) => addAt(b, 8, 2, -1)) },
    { id: 'lengthfield/extensions/ALPNExtension#alpnProposedAlpnProtocolsLengthTLS13 (-1)', expected: FAILS, ours: 'decode_error', run: () => flightWith('ee', (b) => addAt(b, 10, 2, -1)) },
    { id: 'lengthfield/Certificate#certificateMessageLengthTLS13 (-1)', expected: FAILS, ours: 'decode_error', run: () => flightWith('certificate', (b) => addAt(b, MESSAGE_LENGTH, 3, -1)) },
    { id: 'lengthfield/Certificate#certificateListLengthTLS13 (-1)', expected: FAILS, ours: 'decode_error', run: () => flightWith('certificate', (b) => addAt(b, 5, 3, -1)) },
    { id: 'lengthfield/Certificate#certificateRequestContextLength (+1)', expected: FAILS, ours: 'decode_error', run: () => flightWith('certificate', (b) => addAt(b, 4, 1, 1)) },
    { id: 'lengthfield/CertificateVerify#certificateVerifyLength (-1)', expected: FAILS, ours: 'decode_error', run: () => flightWith('cv', (b) => addAt(b, MESSAGE_LENGTH, 3, -1)) },
    { id: 'lengthfield/CertificateVerify#certificateVerifySignatureLength (-1)', expected: FAILS, ours: 'decode_error', run: () => flightWith('cv', (b) => addAt(b, 6, 2, -1)) },
    { id: 'lengthfield/Finished#finishedLengthTLS13 (-1)', expected: FAILS, ours: 'decode_error', run: () => flightWith('finished', (b) => addAt(b, MESSAGE_LENGTH, 3, -1)) },
  ]);
});
