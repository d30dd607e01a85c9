// Attacker's test: Node's Buffer pool is one 8 KiB ArrayBuffer shared by every small Buffer.from() and
// Buffer.allocUnsafe() of the process, the application's too. The node provider copied AEAD keys (every traffic
// key, and the server's ticket key) with Buffer.from(key), made ECDHE private scalars with Buffer.from(hex), and
// sealed into Buffer.allocUnsafe(): so `Buffer.from('anything').buffer`, or the `.buffer` of a sealed ticket, held
// raw keys; so did private signing keys (PKCS#8 through Buffer.from / Buffer.concat) and FFDHE exponents. Code
// that sends or logs a pooled Buffer's `.buffer` (a known Node pitfall) would leak them. Secrets get memory of
// their own, and so does what seal() returns.
import type { KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/auth/builder.js';
import { i2osp } from '../../src/crypto/bigint.js';
import type { AeadName, GroupName, PrivateKey, SignatureAlgorithm } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { nodeCryptoProvider as node } from '../../src/node/crypto.js';
import { rsaTestKey } from '../../src/testing/rsa-keys.js';

const AEADS: AeadName[] = ['AES-128-GCM', 'AES-256-GCM', 'ChaCha20-Poly1305', 'AES-128-CCM', 'AES-128-CCM-8'];
const CURVES: GroupName[] = ['secp256r1', 'secp384r1', 'secp521r1'];
const random = seededRandom('node pool secrets');

/** Whether the ArrayBuffer behind `view` holds `secret` anywhere. */
const holds = (view: Uint8Array, secret: Uint8Array) => Buffer.from(view.buffer).indexOf(Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength)) >= 0;
/** A small Buffer of the application's, from the shared pool. */
const applicationBuffer = () => Buffer.from('the application’s own text');

describe("the node provider keeps secrets out of Node's shared Buffer pool", () => {
  it.each(AEADS)('%s: the key is not in the pool, and sealed output is memory of its own', (aead) => {
    const key = random(node.aeadKeyLength(aead));
    const aeadKey = node.createAead(aead, key);
    expect(holds(applicationBuffer(), key)).toBe(false);
    const sealed = aeadKey.seal(random(12), random(5), random(40));
    expect(holds(sealed, key)).toBe(false);
    expect([sealed.byteOffset, sealed.buffer.byteLength]).toEqual([0, sealed.length]);
    expect(holds(applicationBuffer(), key)).toBe(false);
  });

  it.each(CURVES)('%s: an ephemeral private scalar never passes through the pool', (group) => {
    // The provider holds a key share as its KeyObject (OpenSSL's memory); the scalar read back from it, decoded
    // without a Buffer (which would put it in the pool itself), is nowhere in the pool.
    const { key } = node.keyExchange(group).generate(random).privateKey as { key: KeyObject };
    const scalar = Uint8Array.from(atob(key.export({ format: 'jwk' }).d!.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    expect(scalar.length).toBeGreaterThanOrEqual(32);
    expect(holds(applicationBuffer(), scalar)).toBe(false);
  });

  it.each(['x25519', 'x448'] as GroupName[])('%s: the drawn private key never passes through the pool, on either side', (group) => {
    // Node 20 imports these keys from a JWK, and node:crypto decodes its "d" with Buffer.from(d, 'base64'):
    // into the shared pool, where every ephemeral private key of the process sat until the pool moved on.
    const exchange = node.keyExchange(group);
    const drawn: Uint8Array[] = [];
    const recording = (length: number) => {
      const bytes = random(length);
      drawn.push(bytes.slice());
      return bytes;
    };
    const poolSize = Buffer.poolSize;
    const client = exchange.generate(recording);
    expect(exchange.encapsulate(client.share, recording)).not.toBeNull();
    expect(drawn.length).toBe(2);
    for (const privateKey of drawn) expect(holds(applicationBuffer(), privateKey)).toBe(false);
    // The application's small Buffers still come from the pool, as before.
    expect(Buffer.poolSize).toBe(poolSize);
    expect(applicationBuffer().buffer.byteLength).toBeGreaterThan(applicationBuffer().length);
  });

  it.each(['ffdhe2048', 'ffdhe4096'] as GroupName[])('%s: the private exponent is not in the pool', (group) => {
    const exchange = node.keyExchange(group);
    const { privateKey, share } = exchange.generate(random);
    expect(exchange.encapsulate(share, random)).toBeDefined();
    expect(holds(applicationBuffer(), (privateKey as Uint8Array).subarray(-32))).toBe(false);
  });

  const signers: Array<[string, PrivateKey, SignatureAlgorithm, Uint8Array]> = [
    ['Ed25519', ...((key) => [key, { kind: 'ed25519' }, (key as { seed: Uint8Array }).seed] as const)(generateKeyPair('ed25519', random, node).privateKey)],
    ['ECDSA P-256', ...((key) => [key, { kind: 'ecdsa', hash: 'sha256' }, (key as { d: Uint8Array }).d] as const)(generateKeyPair('p256', random, node).privateKey)],
    ['RSA', ...((key) => [key, { kind: 'rsa-pss', hash: 'sha256', saltLength: 32 }, i2osp(key.p!, 128)] as const)(rsaTestKey())],
  ];
  it.each(signers)('%s: a signing key imported to sign is not in the pool', (_, key, algorithm, secretPart) => {
    node.sign(algorithm, key, random(32), random);
    expect(holds(applicationBuffer(), secretPart)).toBe(false);
  });
});
