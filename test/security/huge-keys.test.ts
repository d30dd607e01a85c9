// Attacker: make the victim burn CPU, or accept a weak key, with the RSA keys in its Certificate. The
// attacker is a client of a mutual-TLS server; the server's chain builder checks signatures with the keys
// of the intermediates the client sent before any trust decision. The attacker writes the DER itself: the
// huge keys need no private half, since refusing them must not depend on a signature. Every such key is
// refused where it is parsed (RFC 8017 §3.1 and our bounds: 8192 bits, 3 <= e < 2^33, odd), and a key
// the peer signs with is refused below the floor (2048 bits by default), whatever the trust policy.
import { describe, expect, it } from 'vitest';
import { buildCertificate, type CertificateSpec } from '../../src/auth/builder.js';
import { der } from '../../src/auth/der-writer.js';
import { encodeSpki, KeyError, parseSpki } from '../../src/auth/keys.js';
import { OID } from '../../src/auth/oids.js';
import { parseCertificate } from '../../src/auth/x509.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider, PublicKey } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { DAY, makeIdentity, sendingWhatItSigns, TEST_NOW } from '../../src/testing/certs.js';
import { hex } from '../../src/wire/bytes.js';

const random = seededRandom('huge-keys');

/** An RSA "public key" of exactly `bits` bits (top bit set, odd): nobody knows its factors. */
function fakeRsa(bits: number, e: bigint = 65537n): PublicKey & { kind: 'rsa' } {
  const bytes = random(Math.ceil(bits / 8));
  let n = BigInt(`0x${hex(bytes)}`) >> BigInt(bytes.length * 8 - bits);
  n |= (1n << BigInt(bits - 1)) | 1n;
  return { kind: 'rsa', n, e };
}

/** The attacker's signer for a key it has no private half of: random bytes of the modulus length. */
function garbageSigner(modulusBytes: number): CryptoProvider {
  return { ...nobleProvider, sign: () => Uint8Array.of(0x01, ...random(modulusBytes - 1)) };
}

const root = makeIdentity({ subject: { CN: 'Victim Root CA' }, isCA: true, keyUsage: ['keyCertSign'] }, seededRandom('hk-root'));
const serverIdentity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('hk-server'));
const attackerKey = makeIdentity({ subject: { CN: 'mallory' } }, seededRandom('hk-mallory'));

const validity = { serial: 7n, notBefore: TEST_NOW - DAY, notAfter: TEST_NOW + 30 * DAY };

/** An intermediate "Evil CA" with the given key, properly signed by the victim's root. */
function evilIntermediate(publicKey: PublicKey, serial: bigint): Uint8Array {
  const spec: CertificateSpec = { ...validity, serial, subject: { CN: 'Evil CA' }, issuer: root.certificate, publicKey, signingKey: root.privateKey, isCA: true };
  return buildCertificate(spec, nobleProvider, random);
}

/** A leaf "issued" by Evil CA: an RSA signature of the CA's modulus length, which no one could check cheaply. */
function leafUnder(caKey: PublicKey & { kind: 'rsa' }, leafKey: PublicKey = attackerKey.certificate.publicKey!): Uint8Array {
  const spec: CertificateSpec = {
    ...validity,
    subject: { CN: 'mallory' },
    issuer: { name: { CN: 'Evil CA' }, publicKey: caKey },
    publicKey: leafKey,
    signingKey: attackerKey.privateKey,
    signatureAlgorithm: { kind: 'rsa-pkcs1', hash: 'sha256' },
  };
  return buildCertificate(spec, garbageSigner(Math.ceil(caKey.n.toString(2).length / 8)), random);
}

/** The attacker connects with `chain` to a server that requires a client certificate. */
function attack(chain: Uint8Array[], trust: ServerConfig['trust'], server: Partial<ServerConfig> = {}) {
  const client: ClientConfig = {
    trust: { kind: 'pinned-certificate', certificates: [serverIdentity.der] },
    ...sendingWhatItSigns({ chain, signer: () => random(256) }),
    now: () => TEST_NOW,
    random: seededRandom('hk-client'),
  };
  const pair = new InMemoryPair(client, {
    certificate: serverIdentity,
    clientAuth: 'require',
    ...(trust ? { trust } : {}),
    now: () => TEST_NOW,
    random: seededRandom('hk-srv'),
    ...server,
  }).run();
  const sent = pair.events('server').flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [e] : []));
  return { pair, sent };
}

function expectRefused(result: ReturnType<typeof attack>, alert: string, detail: RegExp): void {
  expect(result.sent.map((e) => e.description)).toEqual([alert]);
  expect(result.sent[0]!.detail).toMatch(detail);
  expect(result.pair.events('server').some((e) => e.type === 'connected')).toBe(false);
  expect(result.pair.server.info.peer).toBeUndefined();
  expect(result.pair.server.state).toBe('CLOSED');
}

const caPolicy: ServerConfig['trust'] = { kind: 'ca', anchors: [root.der] };

describe('attacker sends huge RSA keys in its Certificate', () => {
  const cases = [
    { bits: 16384, e: 65537n, intermediates: 4 },
    { bits: 16384, e: (1n << 16383n) + 1n, intermediates: 4 },
    { bits: 32768, e: (1n << 32767n) + 1n, intermediates: 1 },
  ];
  for (const { bits, e, intermediates } of cases) {
    const label = `${intermediates} intermediate(s) with a ${bits}-bit modulus and a ${e.toString(2).length}-bit exponent`;

    it(`${label}: each key is refused where it is parsed`, () => {
      const key = fakeRsa(bits, e);
      expect(() => parseSpki(encodeSpki(key))).toThrow(KeyError);
      const cert = parseCertificate(evilIntermediate(key, 2n));
      expect(cert.publicKey).toBeNull();
      expect(cert.publicKeyProblem).toMatch(/exceeds our limit/);
    });

    it(`${label}: the server refuses the chain with unsupported_certificate`, () => {
      const keys = Array.from({ length: intermediates }, () => fakeRsa(bits, e));
      const chain = [leafUnder(keys[0]!), ...keys.map((k, i) => evilIntermediate(k, BigInt(10 + i)))];
      expectRefused(attack(chain, caPolicy), 'unsupported_certificate', /exceeds our limit of (8192|33)/);
    });
  }

  it('an 8192-bit key with a 33-bit exponent is within the bounds; one bit more of either is not', () => {
    expect(parseSpki(encodeSpki(fakeRsa(8192, (1n << 33n) - 1n)))).toMatchObject({ kind: 'rsa' });
    expect(() => parseSpki(encodeSpki(fakeRsa(8200)))).toThrow(/8200 bits exceeds our limit of 8192/);
    expect(() => parseSpki(encodeSpki(fakeRsa(2048, (1n << 33n) + 1n)))).toThrow(/exceeds our limit of 33 bits/);
  });
});

describe('attacker sends a malformed or weak RSA key (RFC 8017 §3.1; key-size floor)', () => {
  const malformed: Array<[string, PublicKey & { kind: 'rsa' }, RegExp]> = [
    ['e = 1', fakeRsa(2048, 1n), /exponent 1 is below 3/],
    ['an even e', fakeRsa(2048, 65536n), /exponent 65536 is even/],
    ['a modulus not a multiple of 8 bits', fakeRsa(2049), /2049 bits is not a multiple of 8/],
    ['an even modulus', { ...fakeRsa(2048), n: fakeRsa(2048).n - 1n }, /modulus is even/],
    ['an exponent not below a 16-bit modulus', fakeRsa(16), /exponent is not below the modulus/],
  ];
  for (const [name, key, detail] of malformed) {
    it(`${name}: refused at parse, and as the key of an intermediate`, () => {
      expect(() => parseSpki(encodeSpki(key))).toThrow(detail);
      expectRefused(attack([leafUnder(key), evilIntermediate(key, 3n)], caPolicy), 'unsupported_certificate', detail);
    });
  }

  it('a negative modulus is refused at parse', () => {
    const { n, e } = fakeRsa(2048);
    const rsaPublicKey = der.sequence(der.integer(-n), der.integer(e));
    const spki = der.sequence(der.sequence(der.oid(OID.rsaEncryption), der.null()), der.bitString(rsaPublicKey));
    expect(() => parseSpki(spki)).toThrow(/modulus is not positive/);
  });

  // 528 bits is the smallest modulus that can still make an rsa_pss_rsae_sha256 signature (RFC 8017 §9.1.1:
  // emLen >= hLen + sLen + 2 = 66 bytes), so the attacking client can present it; a 512-bit key makes no TLS 1.3
  // signature at all, and our client sends no certificate with it.
  for (const bits of [528, 1000]) {
    it(`a ${bits}-bit leaf key is refused below the floor, even when the certificate is pinned`, () => {
      const leaf = buildCertificate({ ...validity, subject: { CN: 'mallory' }, publicKey: fakeRsa(bits), signingKey: attackerKey.privateKey }, nobleProvider, random);
      expectRefused(attack([leaf], { kind: 'pinned-certificate', certificates: [leaf] }), 'unsupported_certificate', new RegExp(`${bits} bits is below our minimum of 2048`));
    });
  }

  it('the floor is the caller\'s: with minimumRsaKeyBits 4096 a 2048-bit leaf is refused too', () => {
    const leaf = buildCertificate({ ...validity, subject: { CN: 'mallory' }, publicKey: fakeRsa(2048), signingKey: attackerKey.privateKey }, nobleProvider, random);
    const result = attack([leaf], { kind: 'pinned-certificate', certificates: [leaf] }, { minimumRsaKeyBits: 4096 });
    expectRefused(result, 'unsupported_certificate', /2048 bits is below our minimum of 4096/);
  });

  it('a 2048-bit leaf passes the floor and the policy decides (here: not pinned, bad_certificate)', () => {
    const leaf = buildCertificate({ ...validity, subject: { CN: 'mallory' }, publicKey: fakeRsa(2048), signingKey: attackerKey.privateKey }, nobleProvider, random);
    expectRefused(attack([leaf], { kind: 'pinned-certificate', certificates: [serverIdentity.der] }), 'bad_certificate', /not pinned/);
  });

  it('a floor outside 1024..8192 bits, or not whole bytes, is a configuration error', () => {
    for (const minimumRsaKeyBits of [512, 2047, 16384]) {
      expect(() => Connection.server({ certificate: serverIdentity, minimumRsaKeyBits })).toThrow(
        new TypeError(`minimumRsaKeyBits must be a multiple of 8 from 1024 to 8192, got ${minimumRsaKeyBits}`),
      );
    }
  });
});
