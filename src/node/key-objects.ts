// node:crypto KeyObjects made from our raw key structures (provider.ts), once per key: private keys from our
// PKCS#8 (or, where this Node imports them faster and identically, from JWK), public values from JWK, and a
// bounded cache of peer public keys. The provider (crypto.ts) signs, verifies and agrees with them.
import { createECDH, createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { encodePkcs8 } from '../auth/keys.js';
import { base64UrlEncode } from '../auth/pem.js';
import type { CurveName, PrivateKey as AnyPrivateKey, PublicKey as AnyPublicKey } from '../crypto/provider.js';
import { constantTimeEqual, equalBytes, fromHex } from '../wire/bytes.js';
import { rsaPrivateExponentProblem } from '../crypto/rsa.js';

/**
 * The keys OpenSSL's KeyObjects hold here. Not ML-DSA: Node 20's OpenSSL 3.0 has none, and the provider
 * signs and verifies ML-DSA with noble's implementation (crypto/mldsa.ts) before reaching this file.
 */
type PrivateKey = Exclude<AnyPrivateKey, { kind: 'ml-dsa' }>;
type PublicKey = Exclude<AnyPublicKey, { kind: 'ml-dsa' }>;

/**
 * A Uint8Array view of a Buffer's first `length` bytes (all by default; no copy), so results look like every
 * other provider's (slice() copies). Giving the Buffer itself Uint8Array's prototype saves this second object
 * (~90 bytes, 3.4 KiB per handshake) but cost about 4% more CPU per handshake (old/new 0.96-0.97, ranges 0.83-1.05, load 1.5) in a build
 * comparison, as V8 slows objects whose prototype changed.
 */
export function plain(buffer: Buffer, length = buffer.byteLength): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, length);
}

/**
 * The first `length` bytes of a digest read as a latin1 ('binary') string, one byte per character, as a
 * Uint8Array of its own: the string and the array are ~250 bytes of garbage, a digest Buffer and our view of
 * it ~320 (Node 20).
 */
export function bytesOfLatin1(text: string, length = text.length): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}


/**
 * Big-endian bytes of a non-negative bigint, without leading zeros. Unpooled: the value may be a private exponent,
 * and Node's Buffer pool is one ArrayBuffer every small Buffer of the process shares (test/security/node-pool-secrets).
 */
export function bigintBytes(value: bigint): Buffer {
  const hex = value.toString(16);
  const bytes = Buffer.allocUnsafeSlow(Math.ceil(hex.length / 2));
  bytes.write(hex.length % 2 ? '0' + hex : hex, 'hex');
  return bytes;
}

/** A Buffer over the same memory (no copy into Node's Buffer pool), for APIs whose types want a Buffer. */
export function sameMemory(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** As JWK's RSA members want them (RFC 7518 §6.3). */
function bigintBase64url(value: bigint): string {
  return bigintBytes(value).toString('base64url');
}

// --- Key objects, built once per key structure ------------------------------------------------------


export const JWK_CURVES: Readonly<Record<CurveName, { jwk: string; openssl: string; length: number }>> = {
  'P-256': { jwk: 'P-256', openssl: 'prime256v1', length: 32 },
  'P-384': { jwk: 'P-384', openssl: 'secp384r1', length: 48 },
  'P-521': { jwk: 'P-521', openssl: 'secp521r1', length: 66 },
};

/** Caches one derived value per key object; keys are immutable once made. */
export function memoize<K extends object, V>(make: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) cache.set(key, (value = make(key)));
    return value;
  };
}

type OkpCurve = 'Ed25519' | 'Ed448' | 'X25519' | 'X448';

/**
 * The PKCS#8 encoding of an OKP private key up to its raw bytes (RFC 8410 §7: version 0, the algorithm OID,
 * then the key as an OCTET STRING inside the privateKey OCTET STRING).
 */
const OKP_PKCS8_PREFIXES: Readonly<Record<OkpCurve, string>> = {
  Ed25519: '302e020100300506032b657004220420',
  Ed448: '3047020100300506032b6571043b0439',
  X25519: '302e020100300506032b656e04220420',
  X448: '3046020100300506032b656f043a0438',
};

const OKP_PRIVATE_LENGTHS: Readonly<Record<OkpCurve, number>> = { Ed25519: 32, Ed448: 57, X25519: 32, X448: 56 };

function okpFromPkcs8(crv: OkpCurve, d: Uint8Array): KeyObject {
  const prefix = OKP_PKCS8_PREFIXES[crv];
  const der = new Uint8Array(prefix.length / 2 + d.length);
  der.set(fromHex(prefix));
  der.set(d, prefix.length / 2);
  return createPrivateKey({ key: sameMemory(der), format: 'der', type: 'pkcs8' });
}

/**
 * A JWK with an empty "x": Node 20 derives the public half from "d" itself; later versions refuse it.
 * node:crypto decodes "d" with Buffer.from(d, 'base64'), which takes Node's shared Buffer pool for anything
 * under half of Buffer.poolSize: every ephemeral private key would sit in the ArrayBuffer behind the
 * application's small Buffers (test/security/node-pool-secrets). With Buffer.poolSize at 0 for the call (a
 * documented, writable setting; synchronous, so no other code runs before it is restored) the decoded key
 * gets memory of its own. The pool itself is untouched: a new one is made only from Buffer.poolSize when the
 * current one is full, and no allocation in the call takes from it.
 */
function okpFromJwk(crv: OkpCurve, d: Uint8Array): KeyObject {
  const key = { kty: 'OKP', crv, d: base64UrlEncode(d), x: '' };
  const poolSize = Buffer.poolSize;
  Buffer.poolSize = 0;
  try {
    return createPrivateKey({ key, format: 'jwk' });
  } finally {
    Buffer.poolSize = poolSize;
  }
}

/**
 * How this Node imports a raw OKP private key, found once per curve: from a JWK where that yields the same
 * key as PKCS#8 (Node 20, whose OpenSSL 3.0 DER decoders make PKCS#8 about 12x slower: one per key share,
 * docs/performance.md), from PKCS#8 otherwise (Node 26 refuses the JWK).
 */
function okpImporter(crv: OkpCurve): (crv: OkpCurve, d: Uint8Array) => KeyObject {
  const probe = new Uint8Array(OKP_PRIVATE_LENGTHS[crv]).fill(0x5a);
  try {
    const [viaJwk, viaPkcs8] = [okpFromJwk(crv, probe), okpFromPkcs8(crv, probe)];
    return viaJwk.equals(viaPkcs8) ? okpFromJwk : okpFromPkcs8;
  } catch {
    return okpFromPkcs8;
  }
}

const OKP_IMPORTERS: Readonly<Record<OkpCurve, (crv: OkpCurve, d: Uint8Array) => KeyObject>> = {
  Ed25519: okpImporter('Ed25519'),
  Ed448: okpImporter('Ed448'),
  X25519: okpImporter('X25519'),
  X448: okpImporter('X448'),
};

/** An OKP private key from its raw bytes; node derives the public half itself. */
export function okpPrivateKey(crv: OkpCurve, d: Uint8Array): KeyObject {
  return OKP_IMPORTERS[crv](crv, d);
}

export function okpPublicKey(crv: OkpCurve, x: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv, x: base64UrlEncode(x) }, format: 'jwk' });
}

/** The raw public value of an OKP key object; a private key's JWK carries it as "x" (no public KeyObject made). */
export function okpPublicBytes(key: KeyObject): Uint8Array {
  return plain(Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url'));
}

/** JWK x and y of an uncompressed SEC1 point (0x04 || X || Y); import checks that it lies on the curve. */
export function ecPointJwk(curve: CurveName, point: Uint8Array): JsonWebKey {
  const { jwk, length } = JWK_CURVES[curve];
  if (point.length !== 1 + 2 * length || point[0] !== 0x04) throw new Error(`not an uncompressed ${curve} point`);
  return { kty: 'EC', crv: jwk, x: base64UrlEncode(point.subarray(1, 1 + length)), y: base64UrlEncode(point.subarray(1 + length)) };
}

/** The uncompressed public point d·G; JWK import of an EC private key needs it beside d. */
export function ecPublicPoint(curve: CurveName, d: Uint8Array): Uint8Array {
  const ecdh = createECDH(JWK_CURVES[curve].openssl);
  ecdh.setPrivateKey(d);
  return plain(ecdh.getPublicKey());
}

export function ecPrivateKey(curve: CurveName, d: Uint8Array, point: Uint8Array): KeyObject {
  return createPrivateKey({ key: { ...ecPointJwk(curve, point), d: base64UrlEncode(d) }, format: 'jwk' });
}

/**
 * A private copy of `key`: the bytes copied (new Uint8Array: a Buffer's slice() is a view, and a memo compared with a
 * view of the caller's own memory always found the key unchanged, test/security/provider-refilled-arrays), the RSA
 * integers (immutable) and PSS parameters kept.
 */
function copyOfPrivateKey(key: PrivateKey): PrivateKey {
  switch (key.kind) {
    case 'ed25519':
    case 'ed448':
      return { kind: key.kind, seed: new Uint8Array(key.seed) };
    case 'ecdsa':
      return { kind: 'ecdsa', curve: key.curve, d: new Uint8Array(key.d) };
    case 'rsa':
    case 'rsa-pss':
      return { ...key, ...(key.kind === 'rsa-pss' && key.params ? { params: { ...key.params } } : {}) };
  }
}

/** Whether `key` holds now what `held` was copied from: every field its KeyObject was made of. */
function isSamePrivateKey(held: PrivateKey, key: PrivateKey): boolean {
  switch (held.kind) {
    case 'ed25519':
    case 'ed448':
      return key.kind === held.kind && constantTimeEqual(key.seed, held.seed);
    case 'ecdsa':
      return key.kind === 'ecdsa' && key.curve === held.curve && constantTimeEqual(key.d, held.d);
    case 'rsa':
    case 'rsa-pss': {
      if (key.kind !== held.kind || key.n !== held.n || key.e !== held.e || key.d !== held.d || key.p !== held.p || key.q !== held.q) return false;
      const [a, b] = [held.kind === 'rsa-pss' ? held.params : undefined, key.kind === 'rsa-pss' ? key.params : undefined];
      return a?.hash === b?.hash && a?.minSaltLength === b?.minSaltLength;
    }
  }
}

/**
 * A private KeyObject from our own PKCS#8 encoding (src/auth/keys.ts computes RSA's CRT values, RFC 8017
 * §3.2; OpenSSL derives the public half of EdDSA and EC keys; an id-RSASSA-PSS key keeps its parameters,
 * which OpenSSL enforces again). Null for an RSA key without its primes, which PKCS#8 cannot carry.
 */
function importPrivateKey(key: PrivateKey): KeyObject | null {
  if (key.kind === 'rsa' || key.kind === 'rsa-pss') {
    if (key.p === undefined || key.q === undefined) return null;
    // OpenSSL signs with the CRT values PKCS#8 carries, computed from d: a wrong d must not reach it.
    const problem = rsaPrivateExponentProblem({ ...key, p: key.p, q: key.q });
    if (problem) throw new Error(problem);
  }
  return createPrivateKey({ key: sameMemory(encodePkcs8(key)), format: 'der', type: 'pkcs8' });
}

const importedPrivateKeys = new WeakMap<PrivateKey, { held: PrivateKey; object: KeyObject | null }>();

/**
 * The KeyObject for `key` as its content is now, made once per key object while it holds the same content.
 * The memo keeps a copy of what it imported and compares it on every use (a 32-byte compare, or five bigint
 * ones): a caller that writes another key into the same object gets that key's KeyObject, as the noble
 * provider, which reads the fields every time, signs with it.
 */
export function privateKeyObject(key: PrivateKey): KeyObject | null {
  const found = importedPrivateKeys.get(key);
  if (found && isSamePrivateKey(found.held, key)) return found.object;
  const held = copyOfPrivateKey(key);
  const object = importPrivateKey(held);
  importedPrivateKeys.set(key, { held, object });
  return object;
}

function importPublicKey(key: PublicKey): KeyObject {
  switch (key.kind) {
    case 'ed25519':
      return okpPublicKey('Ed25519', key.publicKey);
    case 'ed448':
      return okpPublicKey('Ed448', key.publicKey);
    case 'ecdsa':
      return createPublicKey({ key: ecPointJwk(key.curve, key.point), format: 'jwk' });
    case 'rsa':
    case 'rsa-pss':
      // The arithmetic of both is RSA's; what an id-RSASSA-PSS key may sign was checked before (signatureKeyProblem).
      return createPublicKey({ key: { kty: 'RSA', n: bigintBase64url(key.n), e: bigintBase64url(key.e) }, format: 'jwk' });
  }
}

/**
 * What a public key is, as the cache compares it: its family (the algorithm, and the curve of an ECDSA key)
 * and its whole value, with the bytes copied (the caller's may be a view into a buffer it reuses; new Uint8Array,
 * as a Buffer's slice() is a view too). RSA and
 * RSASSA-PSS keys share a family: their KeyObjects are the same RSA arithmetic, and what an id-RSASSA-PSS
 * key may sign is checked before any verification (signatureKeyProblem).
 */
type KeyValue = { family: string; bytes: Uint8Array } | { family: 'rsa'; n: bigint; e: bigint };

function keyValue(key: PublicKey): KeyValue {
  switch (key.kind) {
    case 'ed25519':
    case 'ed448':
      return { family: key.kind, bytes: new Uint8Array(key.publicKey) };
    case 'ecdsa':
      return { family: key.curve, bytes: new Uint8Array(key.point) };
    case 'rsa':
    case 'rsa-pss':
      return { family: 'rsa', n: key.n, e: key.e };
  }
}

/** Whether `key` is the key `value` holds: same family, every byte (or both RSA integers) equal. */
function isKey(value: KeyValue, key: PublicKey): boolean {
  switch (key.kind) {
    case 'ed25519':
    case 'ed448':
      return value.family === key.kind && 'bytes' in value && equalBytes(value.bytes, key.publicKey);
    case 'ecdsa':
      return value.family === key.curve && 'bytes' in value && equalBytes(value.bytes, key.point);
    case 'rsa':
    case 'rsa-pss':
      return 'n' in value && value.n === key.n && value.e === key.e;
  }
}

/**
 * Where the cache files a key: its last four bytes (the low 32 bits of an RSA modulus). Only a shortcut to
 * a few candidates, each compared in full (isKey); keys that share it (as an attacker can make them) share
 * a list, no longer than the cache.
 */
function bucketOf(key: PublicKey): number {
  if (key.kind === 'rsa' || key.kind === 'rsa-pss') return Number(BigInt.asUintN(32, key.n));
  const bytes = key.kind === 'ecdsa' ? key.point : key.publicKey;
  const end = bytes.length;
  return ((bytes[end - 4]! << 24) | (bytes[end - 3]! << 16) | (bytes[end - 2]! << 8) | bytes[end - 1]!) >>> 0;
}

interface ImportedKey {
  value: KeyValue;
  bucket: number;
  object: KeyObject;
}

/**
 * Imported peer keys by their content, at most PEER_KEYS_CACHED of them (the oldest import leaves first):
 * a pinned or recurring peer's key arrives freshly parsed in every handshake, and importing it costs more
 * than the verification it serves. KeyObjects are immutable, so sharing one changes nothing but the time.
 * Found without encoding the key as text (an RSA modulus in base 36 took 8.5 µs a handshake).
 */
const PEER_KEYS_CACHED = 256;
const importedPublicKeys = new Map<number, ImportedKey[]>();
const importOrder: ImportedKey[] = [];

function forget(oldest: ImportedKey): void {
  const rest = importedPublicKeys.get(oldest.bucket)!.filter((entry) => entry !== oldest);
  if (rest.length === 0) importedPublicKeys.delete(oldest.bucket);
  else importedPublicKeys.set(oldest.bucket, rest);
}

function cachedPublicKeyObject(key: PublicKey): KeyObject {
  const bucket = bucketOf(key);
  const candidates = importedPublicKeys.get(bucket);
  const found = candidates?.find((entry) => isKey(entry.value, key));
  if (found) return found.object;
  const entry: ImportedKey = { value: keyValue(key), bucket, object: importPublicKey(key) };
  if (importOrder.length >= PEER_KEYS_CACHED) forget(importOrder.shift()!);
  importOrder.push(entry);
  importedPublicKeys.set(bucket, [...(importedPublicKeys.get(bucket) ?? []), entry]);
  return entry.object;
}

/**
 * The KeyObject for `key` as its bytes are now. No memo by the PublicKey object in front of the cache: its
 * bytes can change in place (a view into a reused buffer), and the cache's content comparison is the check.
 */
export const publicKeyObject = cachedPublicKeyObject;
