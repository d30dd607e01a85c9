// Keys in their standard containers: SubjectPublicKeyInfo (RFC 5280 §4.1.2.7, RFC 3279, RFC 4055, RFC 5480,
// RFC 8410, RFC 9881 in mldsa-keys.ts), PKCS#8 (RFC 5208 / RFC 5958), SEC1 ECPrivateKey (RFC 5915) and PKCS#1 RSAPrivateKey
// (RFC 8017 Appendix A.1.2), in DER or PEM.
import { equalBytes, hex } from '../wire/bytes.js';
import type { SpanSink } from '../wire/bytes.js';
import type { CryptoProvider, CurveName, PrivateKey, PublicKey, RsaPssKeyParams } from '../crypto/provider.js';
import { modInverse } from '../crypto/bigint.js';
import { eddsaPublicKeyProblem } from '../crypto/eddsa-keys.js';
import { RSA_MAX_MODULUS_BITS, rsaPublicKeyProblem } from '../crypto/rsa.js';
import { contextTag, DerError, DerReader, readSingle, Tag } from './der.js';
import { der } from './der-writer.js';
import { nobleProvider } from '../crypto/noble.js';
import { readAlgorithmIdentifier } from './algorithm-identifier.js';
import { encodeMlDsaPrivateKey, encodeMlDsaSpki, mlDsaParameterSetOf, readMlDsaPrivateKey, readMlDsaPublicKey } from './mldsa-keys.js';
import { OID, oidName } from './oids.js';
import { encodePssParams, readPssParams } from './pss-params.js';
import { base64Encode, PemError, readPemOrDer } from './pem.js';

/** A key that cannot be used: malformed, encrypted, or of a kind we do not support. One line, says what. */
export class KeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyError';
  }
}

const CURVES: Readonly<Record<string, { curve: CurveName; size: number }>> = {
  [OID.prime256v1]: { curve: 'P-256', size: 32 },
  [OID.secp384r1]: { curve: 'P-384', size: 48 },
  [OID.secp521r1]: { curve: 'P-521', size: 66 },
};

const CURVE_OID: Readonly<Record<CurveName, string>> = { 'P-256': OID.prime256v1, 'P-384': OID.secp384r1, 'P-521': OID.secp521r1 };

/** Public and private key lengths of EdDSA (RFC 8032 §5.1.5, §5.2.5; RFC 8410 §3, §7). */
const EDDSA = {
  [OID.ed25519]: { kind: 'ed25519', name: 'Ed25519', length: 32 },
  [OID.ed448]: { kind: 'ed448', name: 'Ed448', length: 57 },
} as const;
const EDDSA_OID = { ed25519: OID.ed25519, ed448: OID.ed448 } as const;

function describeOid(oid: string): string {
  const name = oidName(oid);
  return name ? `${name} (${oid})` : oid;
}

function curveOf(oid: string): { curve: CurveName; size: number } {
  const curve = CURVES[oid];
  if (!curve) throw new KeyError(`unsupported elliptic curve ${describeOid(oid)}: only P-256, P-384 and P-521 are supported`);
  return curve;
}

/** The parameters are absent (RFC 8410 §3, RFC 5758 §3.2) or, for RSA, NULL (RFC 3279 §2.3.1). */
function expectNoParams(alg: { oid: string; params?: DerReader }, allowNull: boolean): void {
  if (!alg.params) return;
  if (allowNull && alg.params.peekTag() === Tag.NULL) {
    alg.params.null();
    alg.params.end();
    return;
  }
  throw new KeyError(`${describeOid(alg.oid)} must not carry algorithm parameters`);
}

function readNamedCurve(alg: { oid: string; params?: DerReader }): { curve: CurveName; size: number } {
  // RFC 5480 §2.1.1: namedCurve is the only form allowed; implicit and explicit curves are refused.
  if (!alg.params || alg.params.peekTag() !== Tag.OBJECT_IDENTIFIER) throw new KeyError('EC key without a named curve (explicit curve parameters are not supported)');
  const curve = curveOf(alg.params.oid('namedCurve', oidName));
  alg.params.end();
  return curve;
}

/**
 * The restriction of an id-RSASSA-PSS key (RFC 4055 §3.3): absent parameters leave it unrestricted;
 * present ones name its hash and its smallest salt. Parameters we do not use (SHA-1, another MGF1 hash, a
 * trailer other than 1) make the key unusable, as OpenSSL's would be for a TLS 1.3 scheme.
 */
function readPssKeyParams(alg: { params?: DerReader }): RsaPssKeyParams | undefined {
  if (!alg.params) return undefined;
  const params = readPssParams(alg.params);
  alg.params.end();
  if (typeof params === 'string') throw new KeyError(`RSASSA-PSS key: ${params}`);
  return { hash: params.hash, minSaltLength: params.saltLength };
}

/** The AlgorithmIdentifier of an id-RSASSA-PSS key: parameters only when it is restricted. */
function pssKeyAlgorithm(params: RsaPssKeyParams | undefined): Uint8Array {
  if (!params) return der.sequence(der.oid(OID.rsassaPss));
  return der.sequence(der.oid(OID.rsassaPss), encodePssParams({ hash: params.hash, saltLength: params.minSaltLength }));
}

/**
 * RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017 Appendix A.1.1), within
 * our bounds (rsaPublicKeyProblem): every RSA key from a peer comes through here, so an oversized one is
 * refused at parse, before any signature could be checked with it. Also the key of id-RSASSA-PSS (RFC 4055 §1.2).
 */
function readRsaPublicKey(r: DerReader): { n: bigint; e: bigint } {
  const seq = r.sequence('RSAPublicKey');
  const n = seq.integer('modulus');
  const e = seq.integer('publicExponent');
  seq.end();
  const problem = rsaPublicKeyProblem(n, e);
  if (problem) throw new KeyError(problem);
  return { n, e };
}

/**
 * Smallest RSA modulus we accept in a key the peer authenticates with, leaf or CA, by default (NIST SP
 * 800-131A, CA/Browser Forum BR §6.1.5). Lower it (`minimumRsaKeyBits`) only for old test vectors.
 */
export const DEFAULT_MINIMUM_RSA_KEY_BITS = 2048;

/**
 * Why `key` is too weak to use where `minimumBits` is the floor, or undefined (also for non-RSA keys). An
 * id-RSASSA-PSS key is an RSA key like any other here.
 */
export function checkRsaKeySize(key: PublicKey, minimumBits: number = DEFAULT_MINIMUM_RSA_KEY_BITS): string | undefined {
  // A comparison, not a bit count: path building asks this of the same key at every step.
  if ((key.kind !== 'rsa' && key.kind !== 'rsa-pss') || key.n >= 1n << BigInt(minimumBits - 1)) return undefined;
  return `RSA key of ${key.n.toString(2).length} bits is below our minimum of ${minimumBits}`;
}

/** A `minimumRsaKeyBits` setting: a whole number of bytes from 1024 to RSA_MAX_MODULUS_BITS bits. */
export function validateMinimumRsaKeyBits(bits: number): void {
  if (!Number.isInteger(bits) || bits % 8 !== 0 || bits < 1024 || bits > RSA_MAX_MODULUS_BITS) {
    throw new TypeError(`minimumRsaKeyBits must be a multiple of 8 from 1024 to ${RSA_MAX_MODULUS_BITS}, got ${bits}`);
  }
}

/** Reads a SubjectPublicKeyInfo from a reader (for certificates), recording spans when tracing. */
export function readSubjectPublicKeyInfo(r: DerReader, field = 'subjectPublicKeyInfo'): PublicKey {
  const seq = r.sequence(field, 'RFC 5280 §4.1.2.7');
  const alg = readAlgorithmIdentifier(seq, 'algorithm');
  const bits = seq.bitStringBytes('subjectPublicKey');
  seq.end();
  switch (alg.oid) {
    case OID.rsaEncryption:
      expectNoParams(alg, true);
      return { kind: 'rsa', ...readSingle(bits, (k) => readRsaPublicKey(k), undefined, seq.join('subjectPublicKey')) };
    case OID.rsassaPss: {
      const params = readPssKeyParams(alg);
      const rsa = readSingle(bits, (k) => readRsaPublicKey(k), undefined, seq.join('subjectPublicKey'));
      return params ? { kind: 'rsa-pss', ...rsa, params } : { kind: 'rsa-pss', ...rsa };
    }
    case OID.ecPublicKey: {
      const { curve, size } = readNamedCurve(alg);
      // RFC 5480 §2.2: the uncompressed form is mandatory; compressed points are refused.
      if (bits[0] !== 0x04) throw new KeyError(`${curve} public key is not an uncompressed point (first byte 0x${(bits[0] ?? 0).toString(16)})`);
      if (bits.length !== 1 + 2 * size) throw new KeyError(`${curve} public key has ${bits.length} bytes, expected ${1 + 2 * size}`);
      return { kind: 'ecdsa', curve, point: bits };
    }
    case OID.ed25519:
    case OID.ed448: {
      const { kind, name, length } = EDDSA[alg.oid];
      expectNoParams(alg, false);
      if (bits.length !== length) throw new KeyError(`${name} public key has ${bits.length} bytes, expected ${length}`);
      const problem = eddsaPublicKeyProblem(kind, bits);
      if (problem) throw new KeyError(problem);
      return { kind, publicKey: bits };
    }
    default: {
      const mlDsa = mlDsaParameterSetOf(alg.oid);
      if (mlDsa) return readMlDsaPublicKey(mlDsa, alg, bits);
      throw new KeyError(`unsupported public key algorithm ${describeOid(alg.oid)}`);
    }
  }
}

/** A PublicKey from SubjectPublicKeyInfo DER. Throws KeyError (malformed DER included). */
export function parseSpki(spki: Uint8Array, spans?: SpanSink): PublicKey {
  return asKeyError('SubjectPublicKeyInfo', () => readSingle(spki, (r) => readSubjectPublicKeyInfo(r), spans));
}

/** The subjectPublicKey BIT STRING value of a SubjectPublicKeyInfo: what key identifiers and OCSP key hashes hash. */
export function subjectPublicKeyBits(spki: Uint8Array): Uint8Array {
  return readSingle(spki, (r) => {
    const seq = r.sequence();
    seq.any();
    const bits = seq.bitStringBytes();
    seq.end();
    return bits;
  });
}

/** SubjectPublicKeyInfo DER for a public key, as OpenSSL and node:crypto encode it. */
export function encodeSpki(key: PublicKey): Uint8Array {
  const rsaPublicKey = (n: bigint, e: bigint) => der.bitString(der.sequence(der.integer(n), der.integer(e)));
  switch (key.kind) {
    case 'rsa':
      return der.sequence(der.sequence(der.oid(OID.rsaEncryption), der.null()), rsaPublicKey(key.n, key.e));
    case 'rsa-pss':
      return der.sequence(pssKeyAlgorithm(key.params), rsaPublicKey(key.n, key.e));
    case 'ecdsa':
      return der.sequence(der.sequence(der.oid(OID.ecPublicKey), der.oid(CURVE_OID[key.curve])), der.bitString(key.point));
    case 'ed25519':
    case 'ed448':
      return der.sequence(der.sequence(der.oid(EDDSA_OID[key.kind])), der.bitString(key.publicKey));
    case 'ml-dsa':
      return encodeMlDsaSpki(key);
  }
}

/**
 * Whether two keys are the same key, with the same restriction, however their DER was spelled (a hash
 * AlgorithmIdentifier inside RSASSA-PSS-params may carry NULL or nothing, RFC 4055 §2.1).
 */
export function samePublicKey(a: PublicKey, b: PublicKey): boolean {
  return equalBytes(encodeSpki(a), encodeSpki(b));
}

/** PKCS#1 RSAPrivateKey (RFC 8017 Appendix A.1.2); only two-prime keys (version 0). */
function readRsaPrivateKey(r: DerReader): Extract<PrivateKey, { kind: 'rsa' }> {
  const seq = r.sequence('RSAPrivateKey');
  const version = seq.smallInteger('version');
  if (version !== 0) throw new KeyError('multi-prime RSA private keys are not supported');
  const [n, e, d, p, q] = ['modulus', 'publicExponent', 'privateExponent', 'prime1', 'prime2'].map((f) => seq.integer(f)) as [bigint, bigint, bigint, bigint, bigint];
  for (const f of ['exponent1', 'exponent2', 'coefficient']) seq.integer(f);
  seq.end();
  if (n <= 0n || e <= 0n || d <= 0n || p * q !== n) throw new KeyError('RSA private key is inconsistent (p·q ≠ n or a non-positive component)');
  return { kind: 'rsa', n, e, d, p, q };
}

/** SEC1 ECPrivateKey (RFC 5915 §3). `curveFromAlgorithm` is the curve named by PKCS#8, if wrapped. */
function readEcPrivateKey(r: DerReader, curveFromAlgorithm?: { curve: CurveName; size: number }): PrivateKey {
  const seq = r.sequence('ECPrivateKey');
  if (seq.smallInteger('version') !== 1) throw new KeyError('ECPrivateKey version must be 1');
  const secret = seq.octetString('privateKey');
  const params = seq.optionalExplicit(0, 'parameters');
  let curve = curveFromAlgorithm;
  if (params) {
    if (params.peekTag() !== Tag.OBJECT_IDENTIFIER) throw new KeyError('EC key without a named curve (explicit curve parameters are not supported)');
    const named = curveOf(params.oid('namedCurve', oidName));
    params.end();
    if (curve && curve.curve !== named.curve) throw new KeyError(`EC key names two curves: ${curve.curve} and ${named.curve}`);
    curve = named;
  }
  const publicKey = seq.optionalExplicit(1, 'publicKey')?.bitStringBytes('publicKey');
  seq.end();
  if (!curve) throw new KeyError('EC private key does not name its curve');
  // RFC 5915 §3: the private key is ceiling(log2(n)/8) octets; some encoders drop leading zeros.
  if (secret.length > curve.size || secret.length === 0) throw new KeyError(`${curve.curve} private key has ${secret.length} bytes, expected ${curve.size}`);
  const d = new Uint8Array(curve.size);
  d.set(secret, curve.size - secret.length);
  return checkedPair({ kind: 'ecdsa', curve: curve.curve, d }, publicKey, 'ECPrivateKey (RFC 5915 §3)');
}

/**
 * Whether `encoded`, the public key a key file stores beside `key` (EdDSA and ML-DSA: the key's bytes; ECDSA:
 * the point, uncompressed or compressed, SEC 1 §2.3.3; RSA: RSAPublicKey), is the one `key` makes.
 */
function storedPublicKeyMatches(key: PrivateKey, encoded: Uint8Array): boolean {
  const made = nobleProvider.publicKeyOf(key);
  switch (made.kind) {
    case 'ecdsa': {
      if (encoded[0] === 0x04) return equalBytes(encoded, made.point);
      const x = made.point.subarray(1, 1 + (made.point.length - 1) / 2);
      const compressed = Uint8Array.of(0x02 | (made.point[made.point.length - 1]! & 1), ...x);
      return equalBytes(encoded, compressed);
    }
    case 'rsa':
    case 'rsa-pss':
      return equalBytes(encoded, der.sequence(der.integer(made.n), der.integer(made.e))); // RSAPublicKey (RFC 8017 A.1.1)
    default:
      return equalBytes(encoded, made.publicKey);
  }
}

/** `key`, when the public key its file stores beside it (if any) is the one it makes (auth/key-pair.ts). */
function checkedPair<K extends PrivateKey>(key: K, storedPublicKey: Uint8Array | undefined, container: string): K {
  if (storedPublicKey && !storedPublicKeyMatches(key, storedPublicKey)) {
    throw new KeyError(`the publicKey of this ${container} is not the key its private key makes: the key file is corrupt, or joins the halves of two keys`);
  }
  return key;
}

/** PKCS#8 PrivateKeyInfo / OneAsymmetricKey (RFC 5208 §5, RFC 5958 §2). */
function readPkcs8(r: DerReader): PrivateKey {
  const seq = r.sequence('PrivateKeyInfo');
  const version = seq.smallInteger('version');
  if (version > 1) throw new KeyError(`PKCS#8 version ${version} is not supported`);
  const alg = readAlgorithmIdentifier(seq, 'privateKeyAlgorithm');
  const inner = seq.octetStringReader('privateKey');
  seq.optionalExplicit(0, 'attributes');
  // RFC 5958 §2: [1] publicKey, IMPLICIT BIT STRING (OneAsymmetricKey v2); checked against the private key below.
  const publicKey = seq.peekTag() === contextTag(1, false) ? seq.bitString('publicKey', undefined, contextTag(1, false)) : undefined;
  if (publicKey && publicKey.unusedBits !== 0) throw new KeyError(`PKCS#8 publicKey has ${publicKey.unusedBits} unused bits: no key we read is one`);
  seq.end();
  let key: PrivateKey;
  switch (alg.oid) {
    case OID.rsaEncryption:
      expectNoParams(alg, true);
      key = readRsaPrivateKey(inner);
      break;
    case OID.ecPublicKey:
      key = readEcPrivateKey(inner, readNamedCurve(alg));
      break;
    case OID.rsassaPss: {
      // RFC 4055 §1.2: the same RSAPrivateKey, under the id-RSASSA-PSS algorithm and its restriction.
      const params = readPssKeyParams(alg);
      const rsa = readRsaPrivateKey(inner);
      key = params ? { ...rsa, kind: 'rsa-pss', params } : { ...rsa, kind: 'rsa-pss' };
      break;
    }
    case OID.ed25519:
    case OID.ed448: {
      const { kind, name, length } = EDDSA[alg.oid];
      expectNoParams(alg, false);
      // RFC 8410 §7: CurvePrivateKey ::= OCTET STRING, itself inside the privateKey OCTET STRING.
      const seed = inner.octetString('CurvePrivateKey');
      if (seed.length !== length) throw new KeyError(`${name} private key has ${seed.length} bytes, expected ${length}`);
      key = { kind, seed };
      break;
    }
    default: {
      const mlDsa = mlDsaParameterSetOf(alg.oid);
      if (!mlDsa) throw new KeyError(`unsupported private key algorithm ${describeOid(alg.oid)}`);
      key = readMlDsaPrivateKey(mlDsa, alg, inner);
    }
  }
  inner.end();
  return checkedPair(key, publicKey?.bytes, 'PKCS#8 key (RFC 5958 §2)');
}

function asKeyError<T>(what: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof DerError) throw new KeyError(`malformed ${what}: ${e.message}`);
    if (e instanceof PemError) throw new KeyError(e.message);
    throw e;
  }
}

/** A PrivateKey from PKCS#8 DER. */
export function parsePkcs8(pkcs8: Uint8Array): PrivateKey {
  return asKeyError('PKCS#8 private key', () => readSingle(pkcs8, readPkcs8));
}

/** True when DER is a PKCS#8 EncryptedPrivateKeyInfo (RFC 5958 §3), which we refuse with a clear message. */
function looksEncryptedPkcs8(bytes: Uint8Array): boolean {
  try {
    return readSingle(bytes, (r) => {
      const seq = r.sequence();
      const alg = readAlgorithmIdentifier(seq, 'encryptionAlgorithm');
      seq.octetString();
      seq.end();
      return alg.oid === OID.pbes2 || alg.oid.startsWith('1.2.840.113549.1.12.1.') || alg.oid.startsWith('1.2.840.113549.1.5.');
    });
  } catch {
    return false;
  }
}

/**
 * Raw DER carries no label, so the structure tells: after the version INTEGER, PKCS#8 has an
 * AlgorithmIdentifier SEQUENCE, SEC1 an OCTET STRING, PKCS#1 the modulus INTEGER.
 */
function readUnlabelledDer(bytes: Uint8Array): PrivateKey {
  if (looksEncryptedPkcs8(bytes)) throw new KeyError('encrypted private keys are not supported: decrypt it first');
  const second = asKeyError('private key DER', () => {
    const seq = new DerReader(bytes).sequence();
    seq.integer();
    return seq.peekTag();
  });
  if (second === Tag.SEQUENCE) return parsePkcs8(bytes);
  if (second === Tag.OCTET_STRING) return asKeyError('SEC1 EC private key', () => readSingle(bytes, (r) => readEcPrivateKey(r)));
  if (second === Tag.INTEGER) return asKeyError('PKCS#1 RSA private key', () => readSingle(bytes, readRsaPrivateKey));
  throw new KeyError('DER is not a PKCS#8, SEC1 or PKCS#1 private key');
}

/**
 * A private key from PEM ("PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY") or DER (PKCS#8, SEC1 or
 * PKCS#1, told apart by their structure). The first key block in a PEM file is used; others (certificates,
 * "EC PARAMETERS") are skipped.
 */
export function loadPrivateKey(pemOrDer: string | Uint8Array): PrivateKey {
  const blocks = asKeyError('PEM', () => readPemOrDer(pemOrDer, 'DER'));
  const block = blocks.find((b) => /PRIVATE KEY$/.test(b.label) || b.label === 'DER');
  if (!block) throw new KeyError(`no private key found (PEM blocks: ${blocks.map((b) => b.label).join(', ')})`);
  if (block.label === 'ENCRYPTED PRIVATE KEY' || block.headers['Proc-Type']?.includes('ENCRYPTED')) {
    throw new KeyError('encrypted private keys are not supported: decrypt it first (openssl pkey -in key.pem -out plain.pem)');
  }
  switch (block.label) {
    case 'PRIVATE KEY':
      return parsePkcs8(block.der);
    case 'EC PRIVATE KEY':
      return asKeyError('SEC1 EC private key', () => readSingle(block.der, (r) => readEcPrivateKey(r)));
    case 'RSA PRIVATE KEY':
      return asKeyError('PKCS#1 RSA private key', () => readSingle(block.der, readRsaPrivateKey));
    case 'DER':
      return readUnlabelledDer(block.der);
    default:
      throw new KeyError(`unsupported PEM label "${block.label}"`);
  }
}

/** PKCS#8 DER for a private key (RSA keys need their primes). */
/**
 * PKCS#8 (RFC 5958) for a private key. For ECDSA give the public key too: RFC 5915 makes ECPrivateKey's
 * publicKey [1] optional, but some readers (GnuTLS 3.7) refuse a key without it.
 */
export function encodePkcs8(key: PrivateKey, publicKey?: PublicKey): Uint8Array {
  const wrap = (algorithm: Uint8Array, privateKey: Uint8Array) => der.sequence(der.integer(0), algorithm, der.octetString(privateKey));
  switch (key.kind) {
    case 'ed25519':
    case 'ed448':
      return wrap(der.sequence(der.oid(EDDSA_OID[key.kind])), der.octetString(key.seed));
    case 'ecdsa': {
      const point = publicKey?.kind === 'ecdsa' ? [der.explicit(1, der.bitString(publicKey.point))] : [];
      return wrap(der.sequence(der.oid(OID.ecPublicKey), der.oid(CURVE_OID[key.curve])), der.sequence(der.integer(1), der.octetString(key.d), ...point));
    }
    case 'rsa':
    case 'rsa-pss': {
      const { n, e, d, p, q } = key;
      if (p === undefined || q === undefined) throw new KeyError('an RSA private key without its primes cannot be encoded as PKCS#8');
      const qInverse = modInverse(q, p);
      if (qInverse === undefined) throw new KeyError('RSA primes are not coprime');
      const rsa = der.sequence(...[0n, n, e, d, p, q, d % (p - 1n), d % (q - 1n), qInverse].map((v) => der.integer(v)));
      const algorithm = key.kind === 'rsa' ? der.sequence(der.oid(OID.rsaEncryption), der.null()) : pssKeyAlgorithm(key.params);
      return wrap(algorithm, rsa);
    }
    case 'ml-dsa': {
      const { algorithm, privateKey } = encodeMlDsaPrivateKey(key);
      return wrap(algorithm, privateKey);
    }
  }
}

/** A SHA-256 fingerprint in the forms pins are written in. */
export interface Fingerprint {
  bytes: Uint8Array;
  hex: string;
  base64: string;
}

export function sha256Fingerprint(data: Uint8Array, provider: CryptoProvider): Fingerprint {
  const bytes = provider.hash('sha256', data);
  return { bytes, hex: hex(bytes), base64: base64Encode(bytes) };
}

/** SHA-256 of SubjectPublicKeyInfo DER: the value of an SPKI pin (as in RFC 7469 pin-sha256). */
export function spkiSha256(spkiDer: Uint8Array, provider: CryptoProvider): Fingerprint {
  return sha256Fingerprint(spkiDer, provider);
}

