// The server's certificate key against the schemes a scripted client offers, as tlsfuzzer's
// test-tls13-ecdsa-support, test-tls13-eddsa and test-tls13-minerva (its functional part) offer them.
// RFC 8446 §4.2.3 binds each TLS 1.3 ECDSA scheme to one curve ("ecdsa_secp256r1_sha256" signs with P-256
// only), and the CertificateVerify must use a scheme the client offered (§4.4.3): with none that our key can
// sign, there are no acceptable parameters and we abort with handshake_failure (§4.1.1), as the eddsa
// script expects for the ECDSA pairs. ecdsa-support and eddsa also expect every curve's scheme alone to
// succeed against one server; a server holds one certificate, so a run excludes the other curves' probes
// with -x (docs/robustness.md).
import { describe, expect, it } from 'vitest';
import type { GeneratedKeyType } from '../../src/auth/builder.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { certifiedPublicKey, checkCertificateVerify } from '../../src/handshake/signatures.js';
import { makeIdentity } from '../../src/testing/certs.js';
import { ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import type { Extension } from '../../src/wire/types.js';
import { rnd } from '../handshake/abort-harness.js';
import { codePointList, ECDSA_SIG_ALL, RSA_SIG_ALL, ScriptedClient, SIG_ALL, SUPPORTED_VERSIONS } from './scripted-client.js';

const CIPHERS = [0x1301, 0x00ff];
const ECDSA = { p256: 0x0403, p384: 0x0503, p521: 0x0603 } as const;
const ED25519 = 0x0807;
const ED448 = 0x0808;
/** ECDSA_SIG_TLS1_3_ALL, as ecdsa-support and minerva list it. */
const ECDSA_TLS13 = [ECDSA.p521, ECDSA.p384, ECDSA.p256];
const FULL_HANDSHAKE = ['server_hello', 'encrypted_extensions', 'certificate', 'certificate_verify', 'finished'];

const identities = new Map<GeneratedKeyType, ReturnType<typeof makeIdentity>>();
const identity = (keyType: GeneratedKeyType) => identities.get(keyType) ?? identities.set(keyType, makeIdentity({ subject: { CN: 'example.test' }, keyType }, rnd)).get(keyType)!;

/** The scripts' ClientHello: key shares for `groups`, `schemes` in signature_algorithms, `certSchemes` in _cert. */
function offer(client: ScriptedClient, schemes: number[], certSchemes: number[], groups: number[] = [NamedGroup.secp256r1]): Extension[] {
  return [
    client.keyShare(...groups),
    SUPPORTED_VERSIONS,
    codePointList(ExtensionType.supported_groups, groups),
    codePointList(ExtensionType.signature_algorithms, schemes),
    codePointList(ExtensionType.signature_algorithms_cert, certSchemes),
  ];
}

/** A server with a `keyType` certificate, fed the ClientHello; what it answered. */
function handshake(keyType: GeneratedKeyType, schemes: number[], certSchemes: number[], groups?: number[], seed?: string) {
  const client = new ScriptedClient({ certificate: identity(keyType) }, seed);
  const answer = client.hello(CIPHERS, offer(client, schemes, certSchemes, groups));
  return { client, answer };
}

/** The server signed with `scheme`, its CertificateVerify verifies, and the handshake completes. */
function expectSignedWith(keyType: GeneratedKeyType, result: ReturnType<typeof handshake>, scheme: number): Uint8Array {
  const { client, answer } = result;
  expect(answer.alerts).toEqual([]);
  expect(answer.messages.map((m) => m.kind)).toEqual(FULL_HANDSHAKE);
  const verify = answer.messages[3]!;
  if (verify.kind !== 'certificate_verify') throw new Error('no CertificateVerify');
  expect(verify.scheme).toBe(scheme);
  const key = certifiedPublicKey(nobleProvider, identity(keyType));
  expect(checkCertificateVerify(nobleProvider, verify.scheme, key, 'server', client.signedTranscriptHash!, verify.signature)).toBe('ok');
  expect(client.finish().alerts).toEqual([]);
  expect(client.server.isConnected).toBe(true);
  return verify.signature;
}

function expectHandshakeFailure({ client, answer }: ReturnType<typeof handshake>): void {
  expect(answer.alerts).toEqual(['handshake_failure']);
  expect(answer.messages).toEqual([]);
  expect(client.server.isClosed).toBe(true);
}

describe('test-tls13-ecdsa-support', () => {
  const curves = [
    ['p256', ECDSA.p256],
    ['p384', ECDSA.p384],
    ['p521', ECDSA.p521],
  ] as const;

  it.each(curves)('"sanity" against a %s server: its own curve\'s scheme from the three', (keyType, scheme) => {
    expectSignedWith(keyType, handshake(keyType, ECDSA_TLS13, [...ECDSA_TLS13, ...RSA_SIG_ALL]), scheme);
  });

  for (const [keyType, own] of curves) {
    for (const [, scheme] of curves) {
      const name = `"Test with 0x${scheme.toString(16).padStart(4, '0')}" against a ${keyType} server`;
      if (scheme === own) it(`${name}: answered`, () => expectSignedWith(keyType, handshake(keyType, [scheme], [...ECDSA_TLS13, ...RSA_SIG_ALL]), scheme));
      else it(`${name}: handshake_failure (§4.2.3: the scheme names another curve; run with -x)`, () => expectHandshakeFailure(handshake(keyType, [scheme], [...ECDSA_TLS13, ...RSA_SIG_ALL])));
    }
  }
});

describe('test-tls13-eddsa', () => {
  const servers = [
    ['ed25519', ED25519, ED448],
    ['ed448', ED448, ED25519],
  ] as const;

  describe.each(servers)('against an %s server', (keyType, own, other) => {
    it('"sanity" (SIG_ALL): signed with its own EdDSA scheme', () => {
      expectSignedWith(keyType, handshake(keyType, SIG_ALL, SIG_ALL), own);
    });

    it('its own scheme only: answered', () => {
      expectSignedWith(keyType, handshake(keyType, [own], SIG_ALL), own);
    });

    it('the other EdDSA scheme only: handshake_failure (one certificate per server; run with -x)', () => {
      expectHandshakeFailure(handshake(keyType, [other], SIG_ALL));
    });

    it.each(ECDSA_SIG_ALL.map((scheme) => [`0x${scheme.toString(16).padStart(4, '0')}`, scheme]))('"(%s) only" (ECDSA with a TLS 1.2 hash pair): handshake_failure, as the script expects', (_, scheme) => {
      expectHandshakeFailure(handshake(keyType, [scheme], SIG_ALL));
    });
  });
});

/** The r of a DER ECDSA-Sig-Value (RFC 3279 §2.2.3): SEQUENCE { r INTEGER, s INTEGER }, short lengths or 0x81. */
function ecdsaR(signature: Uint8Array): string {
  const at = signature[1] === 0x81 ? 3 : 2;
  expect(signature[at]).toBe(0x02);
  return Buffer.from(signature.subarray(at + 2, at + 2 + signature[at + 1]!)).toString('hex');
}

describe('test-tls13-minerva (the functional part: many signatures; the timing analysis is not ours to assert)', () => {
  // The script offers key shares for all three NIST curves and one curve's scheme per run (--curve).
  const groups = [NamedGroup.secp256r1, NamedGroup.secp384r1, NamedGroup.secp521r1];

  it.each([
    ['p256', ECDSA.p256, 48],
    ['p384', ECDSA.p384, 16],
    ['p521', ECDSA.p521, 8],
  ] as const)('"generic" against a %s server: each of many handshakes verifies, and no nonce repeats (r differs)', (keyType, scheme, count) => {
    expectSignedWith(keyType, handshake(keyType, ECDSA_TLS13, SIG_ALL, groups), scheme); // "sanity"
    const rs = new Set<string>();
    for (let i = 0; i < count; i++) rs.add(ecdsaR(expectSignedWith(keyType, handshake(keyType, [scheme], SIG_ALL, groups, `minerva ${i}`), scheme)));
    expect(rs.size).toBe(count);
  });
});
