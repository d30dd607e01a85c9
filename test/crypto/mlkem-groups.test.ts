// ML-KEM (draft-ietf-tls-mlkem) and the ECDHE-MLKEM hybrids (draft-ietf-tls-ecdhe-mlkem §3) in the noble
// provider: sizes and order of every share and secret, checked part by part against independent
// implementations (node:crypto's X25519 and ECDH, noble's ML-KEM called directly), and every check the
// drafts ask for on a peer's share.
import { createECDH, createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto';
import { ml_kem1024, ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { describe, expect, it } from 'vitest';
import { isValidEncapsulationKey, ML_KEM_1024, ML_KEM_768 } from '../../src/crypto/mlkem.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { GroupName } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { concat, hex } from '../../src/wire/bytes.js';

// draft-ietf-tls-ecdhe-mlkem §3 ("Client share", "Server share", "Shared secret") and draft-ietf-tls-mlkem §2.
const SIZES: [GroupName, { client: number; server: number; secret: number }][] = [
  ['X25519MLKEM768', { client: 1184 + 32, server: 1088 + 32, secret: 64 }],
  ['SecP256r1MLKEM768', { client: 65 + 1184, server: 65 + 1088, secret: 64 }],
  ['SecP384r1MLKEM1024', { client: 97 + 1568, server: 97 + 1568, secret: 80 }],
  ['MLKEM768', { client: 1184, server: 1088, secret: 32 }],
  ['MLKEM1024', { client: 1568, server: 1568, secret: 32 }],
];

/** A random stream that records what it hands out, so a test can rebuild each part independently. */
function recording(seed: string) {
  const random = seededRandom(seed);
  const draws: Uint8Array[] = [];
  return {
    draws,
    random: (n: number) => {
      const out = random(n);
      draws.push(out.slice());
      return out;
    },
  };
}

// X25519 by node:crypto (OpenSSL), from raw keys through JWK (RFC 8037 §2).
const x25519Public = (d: Uint8Array) => new Uint8Array(Buffer.from(createPublicKey(x25519Private(d)).export({ format: 'jwk' }).x!, 'base64url'));
const x25519Private = (d: Uint8Array) => createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: Buffer.from(d).toString('base64url'), x: '' }, format: 'jwk' });
const x25519Secret = (d: Uint8Array, peer: Uint8Array) =>
  new Uint8Array(diffieHellman({ privateKey: x25519Private(d), publicKey: createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(peer).toString('base64url') }, format: 'jwk' }) }));

describe('sizes', () => {
  it.each(SIZES)('%s: client share, server share and shared secret have the sizes its draft gives', (group, size) => {
    const kx = nobleProvider.keyExchange(group);
    const random = seededRandom(`sizes ${group}`);
    expect(kx.group).toBe(group);
    expect(kx.shareLengths).toEqual({ client: size.client, server: size.server });
    const client = kx.generate(random);
    expect(client.share).toHaveLength(size.client);
    const answer = kx.encapsulate(client.share, random)!;
    expect(answer.share).toHaveLength(size.server);
    expect(answer.sharedSecret).toHaveLength(size.secret);
    expect(kx.decapsulate(client.privateKey, answer.share)).toEqual(answer.sharedSecret);
  });

  it.each(SIZES)('%s: the same randomness gives the same shares and secret (seeded runs reproduce)', (group) => {
    const kx = nobleProvider.keyExchange(group);
    const run = () => {
      const random = seededRandom(`determinism ${group}`);
      const client = kx.generate(random);
      return { client: hex(client.share), answer: kx.encapsulate(client.share, random) };
    };
    expect(run()).toEqual(run());
  });
});

describe('X25519MLKEM768: ML-KEM-768 first, X25519 second', () => {
  const kx = nobleProvider.keyExchange('X25519MLKEM768');

  it('client share = ML-KEM-768 encapsulation key (64-byte seed) || X25519 public key; server share = ciphertext || X25519 public key; secret = ML-KEM ss || X25519 ss', () => {
    const client = recording('x25519mlkem768 client');
    const ours = kx.generate(client.random);
    const [seed, x25519Key] = client.draws;
    expect(seed).toHaveLength(64);
    expect(x25519Key).toHaveLength(32);
    const mlKemKeys = ml_kem768.keygen(seed!);
    expect(hex(ours.share)).toBe(hex(concat(mlKemKeys.publicKey, x25519Public(x25519Key!))));

    const server = recording('x25519mlkem768 server');
    const answer = kx.encapsulate(ours.share, server.random)!;
    const [message, serverX25519Key] = server.draws;
    expect(message).toHaveLength(32);
    const encapsulated = ml_kem768.encapsulate(mlKemKeys.publicKey, message!);
    const serverX25519Public = x25519Public(serverX25519Key!);
    expect(hex(answer.share)).toBe(hex(concat(encapsulated.cipherText, serverX25519Public)));
    const expectedSecret = concat(encapsulated.sharedSecret, x25519Secret(x25519Key!, serverX25519Public));
    expect(hex(answer.sharedSecret)).toBe(hex(expectedSecret));
    expect(hex(kx.decapsulate(ours.privateKey, answer.share)!)).toBe(hex(expectedSecret));
    // The ML-KEM part of the secret is what the client's decapsulation key recovers from the ciphertext.
    expect(hex(ml_kem768.decapsulate(encapsulated.cipherText, mlKemKeys.secretKey))).toBe(hex(encapsulated.sharedSecret));
  });
});

describe('SecP256r1MLKEM768 and SecP384r1MLKEM1024: ECDH first, ML-KEM second', () => {
  const cases = [
    { group: 'SecP256r1MLKEM768', curve: 'prime256v1', point: 65, kem: ml_kem768, coordinate: 32 },
    { group: 'SecP384r1MLKEM1024', curve: 'secp384r1', point: 97, kem: ml_kem1024, coordinate: 48 },
  ] as const;

  it.each(cases)('$group: shares are point || ML-KEM value, the secret is the ECDH x-coordinate || ML-KEM ss', ({ group, curve, point, kem, coordinate }) => {
    const kx = nobleProvider.keyExchange(group);
    const client = recording(`${group} client`);
    const ours = kx.generate(client.random);
    const seed = client.draws.find((d) => d.length === 64)!;
    const mlKemKeys = kem.keygen(seed);
    expect(hex(ours.share.subarray(point))).toBe(hex(mlKemKeys.publicKey));
    const clientPoint = ours.share.subarray(0, point);
    expect(clientPoint[0]).toBe(0x04);

    // The server side played by node:crypto's ECDH and noble's ML-KEM, put together by hand.
    const ecdh = createECDH(curve);
    const serverPoint = new Uint8Array(ecdh.generateKeys());
    const encapsulated = kem.encapsulate(mlKemKeys.publicKey, new Uint8Array(32).fill(7));
    const secret = kx.decapsulate(ours.privateKey, concat(serverPoint, encapsulated.cipherText))!;
    const ecdhSecret = new Uint8Array(ecdh.computeSecret(clientPoint));
    expect(ecdhSecret).toHaveLength(coordinate);
    expect(hex(secret)).toBe(hex(concat(ecdhSecret, encapsulated.sharedSecret)));

    // And our server against node's ECDH as the client's ECDH half.
    const answer = kx.encapsulate(concat(serverPoint, mlKemKeys.publicKey), seededRandom(`${group} server`))!;
    const serverShare = answer.share;
    expect(hex(answer.sharedSecret.subarray(0, coordinate))).toBe(hex(new Uint8Array(ecdh.computeSecret(serverShare.subarray(0, point)))));
    expect(hex(answer.sharedSecret.subarray(coordinate))).toBe(hex(kem.decapsulate(serverShare.subarray(point), mlKemKeys.secretKey)));
  });
});

describe('the encapsulation key check (FIPS 203 §7.2)', () => {
  const key = ml_kem768.keygen(new Uint8Array(64).fill(1)).publicKey;

  /** Sets the first 12-bit coefficient of an encapsulation key (little-endian, FIPS 203 Algorithm 5). */
  const withFirstCoefficient = (ek: Uint8Array, value: number) => {
    const out = ek.slice();
    out[0] = value & 0xff;
    out[1] = (out[1]! & 0xf0) | (value >> 8);
    return out;
  };
  const withSecondCoefficient = (ek: Uint8Array, value: number) => {
    const out = ek.slice();
    out[1] = (out[1]! & 0x0f) | ((value & 0x0f) << 4);
    out[2] = value >> 4;
    return out;
  };

  it('accepts a key ML-KEM made, and coefficients up to q - 1 = 3328', () => {
    expect(isValidEncapsulationKey(ML_KEM_768, key)).toBe(true);
    expect(isValidEncapsulationKey(ML_KEM_768, withFirstCoefficient(key, 3328))).toBe(true);
    expect(isValidEncapsulationKey(ML_KEM_768, withSecondCoefficient(key, 3328))).toBe(true);
  });

  it('refuses a coefficient of q = 3329 or more, in either position of a byte triple, and in the last one', () => {
    for (const value of [3329, 4095]) {
      expect(isValidEncapsulationKey(ML_KEM_768, withFirstCoefficient(key, value))).toBe(false);
      expect(isValidEncapsulationKey(ML_KEM_768, withSecondCoefficient(key, value))).toBe(false);
    }
    const last = key.slice();
    last[384 * 3 - 1] = 0xff; // the high byte of the last coefficient: 0xff0 | low nibble >= 4080
    expect(isValidEncapsulationKey(ML_KEM_768, last)).toBe(false);
    // The 32-byte seed rho after the coefficients is not checked: any bytes are fine there.
    const rho = key.slice();
    rho.fill(0xff, 384 * 3);
    expect(isValidEncapsulationKey(ML_KEM_768, rho)).toBe(true);
  });

  it('refuses a key of the wrong length (the type check)', () => {
    expect(isValidEncapsulationKey(ML_KEM_768, key.subarray(1))).toBe(false);
    expect(isValidEncapsulationKey(ML_KEM_1024, key)).toBe(false);
    expect(isValidEncapsulationKey(ML_KEM_768, new Uint8Array(0))).toBe(false);
  });
});

describe('invalid shares are refused (null: illegal_parameter in the handshake)', () => {
  const random = seededRandom('invalid hybrid shares');
  const groups = SIZES.map(([group]) => group);

  it.each(groups)('%s: a client share one byte short or long, or empty', (group) => {
    const kx = nobleProvider.keyExchange(group);
    const { share } = kx.generate(random);
    expect(kx.encapsulate(share.subarray(1), random)).toBeNull();
    expect(kx.encapsulate(concat(share, Uint8Array.of(0)), random)).toBeNull();
    expect(kx.encapsulate(new Uint8Array(0), random)).toBeNull();
  });

  it.each(groups)('%s: a server share one byte short or long, or empty', (group) => {
    const kx = nobleProvider.keyExchange(group);
    const client = kx.generate(random);
    const { share } = kx.encapsulate(client.share, random)!;
    expect(kx.decapsulate(client.privateKey, share.subarray(1))).toBeNull();
    expect(kx.decapsulate(client.privateKey, concat(share, Uint8Array.of(0)))).toBeNull();
    expect(kx.decapsulate(client.privateKey, new Uint8Array(0))).toBeNull();
  });

  it.each([
    ['X25519MLKEM768', 0],
    ['SecP256r1MLKEM768', 65],
    ['SecP384r1MLKEM1024', 97],
    ['MLKEM768', 0],
    ['MLKEM1024', 0],
  ] as const)('%s: an encapsulation key with a coefficient >= q', (group, offset) => {
    const kx = nobleProvider.keyExchange(group);
    const { share } = kx.generate(random);
    share[offset] = 0xff;
    share[offset + 1]! |= 0x0f; // first coefficient 4095
    expect(kx.encapsulate(share, random)).toBeNull();
  });

  it('X25519MLKEM768: a low-order X25519 part, in the client share or the server share (all-zero secret)', () => {
    const kx = nobleProvider.keyExchange('X25519MLKEM768');
    const client = kx.generate(random);
    const lowOrder = concat(client.share.subarray(0, 1184), new Uint8Array(32));
    expect(kx.encapsulate(lowOrder, random)).toBeNull();
    const { share } = kx.encapsulate(client.share, random)!;
    expect(kx.decapsulate(client.privateKey, concat(share.subarray(0, 1088), Uint8Array.of(1, ...new Uint8Array(31))))).toBeNull();
  });

  it.each(['SecP256r1MLKEM768', 'SecP384r1MLKEM1024'] as const)('%s: an ECDH part that is not a point on the curve, or compressed', (group) => {
    const kx = nobleProvider.keyExchange(group);
    const pointLength = group === 'SecP256r1MLKEM768' ? 65 : 97;
    const client = kx.generate(random);
    const offCurve = client.share.slice();
    offCurve[pointLength - 1]! ^= 1;
    const compressed = client.share.slice();
    compressed[0] = 0x02;
    for (const bad of [offCurve, compressed]) expect(kx.encapsulate(bad, random)).toBeNull();
    const { share } = kx.encapsulate(client.share, random)!;
    const badServer = share.slice();
    badServer[pointLength - 1]! ^= 1;
    expect(kx.decapsulate(client.privateKey, badServer)).toBeNull();
  });

  it('a tampered ciphertext of the right length is not refused: ML-KEM rejects implicitly with another secret', () => {
    const kx = nobleProvider.keyExchange('X25519MLKEM768');
    const client = kx.generate(random);
    const answer = kx.encapsulate(client.share, random)!;
    const tampered = answer.share.slice();
    tampered[0]! ^= 1;
    const secret = kx.decapsulate(client.privateKey, tampered);
    expect(secret).toHaveLength(64);
    expect(hex(secret!)).not.toBe(hex(answer.sharedSecret));
  });
});
