// Attacker: a key file, or a configuration, that joins the halves of two key pairs. A PKCS#8 OneAsymmetricKey
// v2 (RFC 5958 §2) carries `publicKey [1]` beside its private key, and a SEC1 ECPrivateKey (RFC 5915 §3) its
// point: both were read past unchecked, so a file whose public half is not its private half's (corrupt, or
// forged to make a tool that reads the public half, such as a pin or a CSR built from it, name another key)
// loaded as if it were sound. And a certificate configured with a private key of its own kind but another
// pair (the key file of last year's certificate beside this year's) was taken: the server sent its whole
// flight, naming itself with the certificate, and the client refused its CertificateVerify (decrypt_error).
// Each is now refused when the key is read or the config is made, with one line that says which.
import { describe, expect, it } from 'vitest';
import { generateKeyPair, type GeneratedKeyType } from '../../src/auth/builder.js';
import { der } from '../../src/auth/der-writer.js';
import { encodePkcs8, encodeSpki, KeyError, loadPrivateKey } from '../../src/auth/keys.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { PrivateKey, PublicKey } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { DEFAULT_SIGNATURE_SCHEMES, type ClientConfig, type ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { SignatureScheme } from '../../src/wire/enums.js';
import { createServer } from '../../src/node/adapter.js';
import { toPem } from '../../src/auth/pem.js';

const random = seededRandom('key-pair mismatch');
const key = (type: GeneratedKeyType) => generateKeyPair(type, random, nobleProvider).privateKey;
const publicBytes = (k: PublicKey) => (k.kind === 'ecdsa' ? k.point : 'publicKey' in k ? k.publicKey : new Uint8Array());

/** A OneAsymmetricKey v2: `encodePkcs8(key)` (v1) with version 1 and `publicKey [1]` holding `stored`. */
function pkcs8WithPublicKey(privateKey: PrivateKey, stored: Uint8Array): Uint8Array {
  const v1 = encodePkcs8(privateKey);
  // v1 is SEQUENCE { INTEGER 0, AlgorithmIdentifier, OCTET STRING }: rewrite the version and append [1].
  const body = v1.subarray(v1[1]! < 0x80 ? 2 : 2 + (v1[1]! & 0x7f));
  const afterVersion = body.subarray(3);
  return der.sequence(der.integer(1), afterVersion, der.implicit(1, Uint8Array.of(0, ...stored)));
}

const oneLine = (run: () => unknown): Error => {
  try {
    run();
  } catch (e) {
    expect((e as Error).message).not.toContain('\n');
    return e as Error;
  }
  throw new Error('accepted');
};

describe('PKCS#8 publicKey [1] (RFC 5958 §2) must be the public key of the private key beside it', () => {
  for (const type of ['ed25519', 'ed448', 'ml-dsa-44', 'ml-dsa-65', 'p256'] as const) {
    it(`${type}: its own public key loads (the control); another key's is a one-line KeyError`, () => {
      const mine = key(type);
      const other = key(type);
      const loaded = loadPrivateKey(pkcs8WithPublicKey(mine, publicBytes(nobleProvider.publicKeyOf(mine))));
      expect(encodeSpki(nobleProvider.publicKeyOf(loaded))).toEqual(encodeSpki(nobleProvider.publicKeyOf(mine)));
      const refused = oneLine(() => loadPrivateKey(pkcs8WithPublicKey(mine, publicBytes(nobleProvider.publicKeyOf(other)))));
      expect(refused).toBeInstanceOf(KeyError);
      expect(refused.message).toMatch(/publicKey of this PKCS#8 key \(RFC 5958 §2\) is not the key its private key makes/);
    });
  }

  it('through the node adapter: a TypeError naming `key` at createServer, before any connection', () => {
    const mine = makeIdentity({ subject: { CN: 'server' }, keyType: 'ed25519' }, random);
    const forged = pkcs8WithPublicKey(mine.privateKey, publicBytes(nobleProvider.publicKeyOf(key('ed25519'))));
    const refused = oneLine(() => createServer({ key: toPem('PRIVATE KEY', forged), cert: toPem('CERTIFICATE', mine.der) }));
    expect(refused).toBeInstanceOf(TypeError);
    expect(refused.message).toMatch(/^key: the publicKey of this PKCS#8 key/);
  });
});

describe('SEC1 ECPrivateKey publicKey [1] (RFC 5915 §3) must be the point of its private key', () => {
  /** A PKCS#8 P-256 key whose ECPrivateKey stores `point`. */
  const withPoint = (privateKey: PrivateKey, point: PublicKey) => encodePkcs8(privateKey, point);

  it('its own point loads, uncompressed (the control); another key’s point is refused', () => {
    const mine = key('p256');
    expect(() => loadPrivateKey(withPoint(mine, nobleProvider.publicKeyOf(mine)))).not.toThrow();
    const refused = oneLine(() => loadPrivateKey(withPoint(mine, nobleProvider.publicKeyOf(key('p256')))));
    expect(refused.message).toMatch(/publicKey of this ECPrivateKey \(RFC 5915 §3\) is not the key its private key makes/);
  });

  it('a compressed point (SEC 1 §2.3.3): its own loads, the other parity of the same x is refused', () => {
    const mine = key('p256');
    const { point } = nobleProvider.publicKeyOf(mine) as { point: Uint8Array };
    const compressed = (prefix: number) => ({ kind: 'ecdsa', curve: 'P-256', point: Uint8Array.of(prefix, ...point.subarray(1, 33)) }) as const;
    const own = 0x02 | (point[64]! & 1);
    expect(() => loadPrivateKey(withPoint(mine, compressed(own)))).not.toThrow();
    expect(oneLine(() => loadPrivateKey(withPoint(mine, compressed(own ^ 1)))).message).toMatch(/is not the key its private key makes/);
  });
});

describe("a certificate's private key must be the certificate's key, not just a key of its kind", () => {
  const ML_DSA = [SignatureScheme.mldsa44, SignatureScheme.mldsa65, SignatureScheme.mldsa87];
  const server = (certificate: ServerConfig['certificate'], extra: Partial<ServerConfig> = {}) => () =>
    Connection.server({ certificate, now: () => TEST_NOW, random: seededRandom('s'), signatureSchemes: [...ML_DSA, ...DEFAULT_SIGNATURE_SCHEMES], ...extra });

  for (const type of ['ed25519', 'ed448', 'p256', 'p384', 'ml-dsa-44', 'ml-dsa-87'] as const) {
    it(`${type}: the certificate's own key is taken (the control); another ${type} key is a one-line TypeError`, () => {
      const identity = makeIdentity({ subject: { CN: 'server' }, keyType: type }, random);
      expect(server(identity)).not.toThrow();
      const refused = oneLine(server({ chain: identity.chain, privateKey: key(type) }));
      expect(refused).toBeInstanceOf(TypeError);
      expect(refused.message).toMatch(/^certificate\.privateKey is not the key of the certificate chain\[0\]/);
    });
  }

  it("an ML-DSA-65 key beside an ML-DSA-44 certificate is refused (the kind alone is 'ml-dsa' for both)", () => {
    const identity = makeIdentity({ subject: { CN: 'server' }, keyType: 'ml-dsa-44' }, random);
    expect(oneLine(server({ chain: identity.chain, privateKey: key('ml-dsa-65') }))).toBeInstanceOf(TypeError);
  });

  it("the client's certificate too", () => {
    const identity = makeIdentity({ subject: { CN: 'client' }, keyType: 'ed25519' }, random);
    const client = (certificate: ClientConfig['certificate']) => () =>
      Connection.client({ trust: { kind: 'pinned-certificate', certificates: [identity.der] }, now: () => TEST_NOW, certificate });
    expect(client(identity)).not.toThrow();
    expect(oneLine(client({ chain: identity.chain, privateKey: key('ed25519') })).message).toMatch(/^certificate\.privateKey is not the key/);
  });

  it('a raw public key: the spki given must be the private key’s', () => {
    const mine = key('ed25519');
    const rawPublicKey = (spki: Uint8Array) => server(undefined, { rawPublicKey: { privateKey: mine, spki } });
    expect(rawPublicKey(encodeSpki(nobleProvider.publicKeyOf(mine)))).not.toThrow();
    expect(oneLine(rawPublicKey(encodeSpki(nobleProvider.publicKeyOf(key('ed25519'))))).message).toMatch(/^rawPublicKey\.privateKey is not the key of rawPublicKey\.spki/);
  });

  it('a key object whose seed is refilled with another key’s after a connection is refused at the next (the memo answers for its bytes only)', () => {
    const identity = makeIdentity({ subject: { CN: 'server' }, keyType: 'ed25519' }, random);
    const privateKey = { kind: 'ed25519' as const, seed: (identity.privateKey as { seed: Uint8Array }).seed.slice() };
    expect(server({ chain: identity.chain, privateKey })).not.toThrow();
    privateKey.seed.set((key('ed25519') as { seed: Uint8Array }).seed);
    expect(oneLine(server({ chain: identity.chain, privateKey }))).toBeInstanceOf(TypeError);
  });
});
