// Signature schemes in CertificateVerify (RFC 8446 §4.2.3, §4.4.3): which scheme fits which key, what is
// signed, and how it is checked.
import { parseSpki } from '../auth/keys.js';
import { parseConfiguredCertificate } from '../auth/configured-certificates.js';
import type { CryptoProvider, CurveName, HashName, PublicKey, RandomSource, SignatureAlgorithm } from '../crypto/provider.js';
import { digestLength } from '../crypto/hashes.js';
import { signatureKeyProblem } from '../crypto/signature-keys.js';
import { concat, utf8 } from '../wire/bytes.js';
import { callbackBytes } from './caller-input.js';
import { LentArray } from '../wire/lent-array.js';
import { SignatureScheme } from '../wire/enums.js';
import type { CertifiedKey } from './config.js';

interface SchemeInfo {
  algorithm: SignatureAlgorithm;
  /** The key a scheme needs; ECDSA schemes name their curve in TLS 1.3 (RFC 8446 §4.2.3). */
  fits: (key: PublicKey) => boolean;
}

/**
 * A scheme for one kind of key (and curve). The key must also allow the algorithm: an id-RSASSA-PSS key
 * restricted by its parameters signs only with their hash and salt (RFC 4055 §3.3, signatureKeyProblem).
 */
const scheme = (algorithm: SignatureAlgorithm, kind: PublicKey['kind'], curve?: CurveName): SchemeInfo => ({
  algorithm,
  fits: (key) => key.kind === kind && (curve === undefined || (key.kind === 'ecdsa' && key.curve === curve)) && !signatureKeyProblem(algorithm, key),
});

/**
 * RFC 8446 §4.2.3: rsa_pss_rsae_* is for an rsaEncryption key, rsa_pss_pss_* for an id-RSASSA-PSS key; in
 * both "the length of the Salt MUST be equal to the length of the digest algorithm", and MGF1 uses the
 * same hash.
 */
const pss = (hash: HashName, kind: 'rsa' | 'rsa-pss'): SchemeInfo => scheme({ kind: 'rsa-pss', hash, saltLength: digestLength(hash) }, kind);

/**
 * The schemes that may appear in a TLS 1.3 CertificateVerify. RSASSA-PKCS1-v1_5 is absent on purpose:
 * "RSA signatures MUST use an RSASSA-PSS algorithm, regardless of whether RSASSA-PKCS1-v1_5 algorithms
 * appear in signature_algorithms" (RFC 8446 §4.4.3).
 */
const HANDSHAKE_SCHEMES: ReadonlyMap<number, SchemeInfo> = new Map([
  [SignatureScheme.ed25519, scheme({ kind: 'ed25519' }, 'ed25519')],
  [SignatureScheme.ed448, scheme({ kind: 'ed448' }, 'ed448')],
  [SignatureScheme.ecdsa_secp256r1_sha256, scheme({ kind: 'ecdsa', hash: 'sha256' }, 'ecdsa', 'P-256')],
  [SignatureScheme.ecdsa_secp384r1_sha384, scheme({ kind: 'ecdsa', hash: 'sha384' }, 'ecdsa', 'P-384')],
  [SignatureScheme.ecdsa_secp521r1_sha512, scheme({ kind: 'ecdsa', hash: 'sha512' }, 'ecdsa', 'P-521')],
  [SignatureScheme.rsa_pss_rsae_sha256, pss('sha256', 'rsa')],
  [SignatureScheme.rsa_pss_rsae_sha384, pss('sha384', 'rsa')],
  [SignatureScheme.rsa_pss_rsae_sha512, pss('sha512', 'rsa')],
  [SignatureScheme.rsa_pss_pss_sha256, pss('sha256', 'rsa-pss')],
  [SignatureScheme.rsa_pss_pss_sha384, pss('sha384', 'rsa-pss')],
  [SignatureScheme.rsa_pss_pss_sha512, pss('sha512', 'rsa-pss')],
  // draft-ietf-tls-mldsa §3.2: pure ML-DSA over the whole content above, context string empty; the key's
  // parameter set must be the scheme's (signatureKeyProblem).
  [SignatureScheme.mldsa44, scheme({ kind: 'ml-dsa', parameterSet: 'ML-DSA-44' }, 'ml-dsa')],
  [SignatureScheme.mldsa65, scheme({ kind: 'ml-dsa', parameterSet: 'ML-DSA-65' }, 'ml-dsa')],
  [SignatureScheme.mldsa87, scheme({ kind: 'ml-dsa', parameterSet: 'ML-DSA-87' }, 'ml-dsa')],
]);

/** The first scheme in our preference that the peer offered and our key can make (RFC 8446 §4.4.2.2). */
export function chooseScheme(ourPreference: readonly number[], peerOffered: readonly number[], key: PublicKey): number | undefined {
  return ourPreference.find((s) => peerOffered.includes(s) && HANDSHAKE_SCHEMES.get(s)?.fits(key));
}

/** The signature algorithm a TLS 1.3 CertificateVerify scheme signs with, or undefined for a scheme it cannot use. */
export const handshakeSignatureAlgorithm = (scheme: number) => HANDSHAKE_SCHEMES.get(scheme)?.algorithm;

/**
 * The content covered by a CertificateVerify signature (RFC 8446 §4.4.3): 64 spaces, a context string
 * naming the signer's role, a zero byte, and the transcript hash up to (not including) this message.
 * The role in the context string is what stops a server's signature being replayed as a client's.
 */
export function certificateVerifyContent(signer: 'client' | 'server', transcriptHash: Uint8Array): Uint8Array {
  return concat(CERTIFICATE_VERIFY_PREFIXES[signer], transcriptHash);
}

/** Everything before the transcript hash, per role: the same bytes in every handshake, so made once. */
const CERTIFICATE_VERIFY_PREFIXES = {
  client: concat(new Uint8Array(64).fill(0x20), utf8.encode('TLS 1.3, client CertificateVerify'), new Uint8Array([0])),
  server: concat(new Uint8Array(64).fill(0x20), utf8.encode('TLS 1.3, server CertificateVerify'), new Uint8Array([0])),
} as const;

/** CertificateVerify content lent to the provider's sign and verify: room for the prefix (98 bytes) and a SHA-512 hash. */
const LENT_CONTENT = new LentArray(CERTIFICATE_VERIFY_PREFIXES.server.length + 64);

/**
 * `use` (one sign or verify call of the provider) given the content written whole into the lent array (prefix
 * and hash, every time); nothing in it is secret. A caller's own signer gets an array of its own
 * (certificateVerifyContent): it may keep it.
 */
function withLentCertificateVerifyContent<T>(signer: 'client' | 'server', transcriptHash: Uint8Array, use: (content: Uint8Array) => T): T {
  const prefix = CERTIFICATE_VERIFY_PREFIXES[signer];
  const content = LENT_CONTENT.borrow(prefix.length + transcriptHash.length);
  try {
    content.set(prefix);
    content.set(transcriptHash, prefix.length);
    return use(content);
  } finally {
    LENT_CONTENT.giveBack(content);
  }
}

/**
 * The public key of our own certificate or raw key, from the leaf (or the SPKI). A server consults it on every
 * ClientHello, so the leaf comes from the parse-once memo, which answers only while the array still holds
 * the same bytes: a certificate replaced in place is read afresh.
 */
export function certifiedPublicKey(provider: CryptoProvider, certified: CertifiedKey): PublicKey {
  const der = certified.chain[0]!;
  if (certified.rawPublicKey) return parseSpki(der);
  const leaf = parseConfiguredCertificate(der);
  const key = leaf.publicKey ?? (certified.privateKey && provider.publicKeyOf(certified.privateKey));
  if (!key) throw new Error(`our certificate's key is not usable: ${leaf.publicKeyProblem}`);
  return key;
}

export function signCertificateVerify(
  provider: CryptoProvider,
  scheme: number,
  certified: CertifiedKey,
  signer: 'client' | 'server',
  transcriptHash: Uint8Array,
  random: RandomSource,
): Uint8Array {
  const info = HANDSHAKE_SCHEMES.get(scheme);
  if (!info) throw new Error(`cannot sign CertificateVerify with scheme 0x${scheme.toString(16)}`);
  // CertificateVerify.signature<0..2^16-1> (an attacker's signer may answer an empty one: test/security/ml-dsa-attacks).
  if (certified.signer) {
    const answer = callbackBytes(certified.signer(scheme, certificateVerifyContent(signer, transcriptHash)), 'signer', 0, 0xffff);
    return verifiedBeforeSending(provider, info.algorithm, certified, signer, transcriptHash, answer, 'signer: its signature');
  }
  if (!certified.privateKey) throw new Error('our certificate has neither a private key nor a signer');
  const privateKey = certified.privateKey;
  // Ours, as the signer's answer is (callbackBytes): a provider's answer may be a view of memory its verify writes
  // over, as a WebAssembly heap is (test/security/own-signature-provider-memory).
  const signature = new Uint8Array(withLentCertificateVerifyContent(signer, transcriptHash, (content) => provider.sign(info.algorithm, privateKey, content, random)));
  return verifiedBeforeSending(provider, info.algorithm, certified, signer, transcriptHash, signature, 'our signature');
}

/**
 * A signature, ours or a signer's, verified with our certificate's key before it is sent: one computed under a
 * fault gives the key away (RSA-CRT right modulo one prime only: that prime, Boneh, DeMillo, Lipton 1997; ECDSA or
 * EdDSA with one bit of the secret scalar flipped: that bit, as the peer tests both guesses against R, and a hedged
 * nonce does not help, since the nonce is right). A signer's key is held elsewhere (an HSM, another process); our
 * own is in this process, where Rowhammer or a glitch can flip it. One that does not verify fails the step:
 * internal_error, never the signature (test/security/signer-faults, own-signature-faults). Cost: one verify per
 * CertificateVerify we send (docs/security.md, red team session 14).
 */
function verifiedBeforeSending(
  provider: CryptoProvider,
  algorithm: SignatureAlgorithm,
  certified: CertifiedKey,
  signer: 'client' | 'server',
  transcriptHash: Uint8Array,
  signature: Uint8Array,
  whose: 'our signature' | 'signer: its signature',
): Uint8Array {
  // `signature` is our own array, and what is sent. The check gets a copy: a provider may wipe what it verified
  // (test/security/shared-certificate-writes). Only true counts (a Promise, truthy, is no verification).
  const key = certifiedPublicKey(provider, certified);
  if (withLentCertificateVerifyContent(signer, transcriptHash, (content) => provider.verify(algorithm, key, content, signature.slice(), OWN_KEY)) !== true) {
    throw new Error(`${whose} does not verify with our certificate's key (a fault, or another key), so it is not sent`);
  }
  return signature;
}

/** Our certificate's key, never a peer's: a provider may keep a table per such key (crypto/own-key-tables.ts). */
const OWN_KEY = { ownKey: true } as const;

/** 'ok', or why the signature does not count. */
export function checkCertificateVerify(
  provider: CryptoProvider,
  scheme: number,
  key: PublicKey,
  signer: 'client' | 'server',
  transcriptHash: Uint8Array,
  signature: Uint8Array,
): 'ok' | 'scheme-does-not-fit-key' | 'bad-signature' {
  const info = HANDSHAKE_SCHEMES.get(scheme);
  if (!info || !info.fits(key)) return 'scheme-does-not-fit-key';
  const verified = withLentCertificateVerifyContent(signer, transcriptHash, (content) => provider.verify(info.algorithm, key, content, signature));
  // Only true counts: anything else a provider answers (a Promise of an async port is truthy) is no verification.
  return verified === true ? 'ok' : 'bad-signature';
}
