// A private key configured with a certificate (or a raw public key) must be the key the certificate names: the
// halves of two pairs sign what the public half never verifies, and the peer would refuse our CertificateVerify
// (decrypt_error) after our first flight named us. Key files are checked where they are read (keys.ts).
import type { CryptoProvider, PrivateKey, PublicKey } from '../crypto/provider.js';
import { rsaPrivateExponentProblem } from '../crypto/rsa.js';
import { constantTimeEqual, equalBytes } from '../wire/bytes.js';
import { encodeSpki, samePublicKey } from './keys.js';

/** The public key of each private key object and its SPKI, by the provider that derived it from a secret of this SHA-256. */
const derived = new WeakMap<PrivateKey, { provider: CryptoProvider; secretHash: Uint8Array; publicKey: PublicKey; spki: Uint8Array }>();

/**
 * Whether `privateKey` is the private half of the key `spki` encodes (`publicKey`, its parse), as `provider`
 * derives it (the provider that will sign). Config
 * validation runs for every connection, and deriving costs a scalar multiplication (ML-DSA: a key generation),
 * so the derived key is kept per key object, and answers only while the object still holds the secret it was
 * derived from (a caller may refill the seed of a key it keeps); then the SPKIs are compared as bytes. An RSA
 * key's public half is its n and e, and its d must be e's inverse (RFC 8017 §3.2).
 */
export function isPrivateKeyOf(provider: CryptoProvider, privateKey: PrivateKey, spki: Uint8Array, publicKey: PublicKey): boolean {
  if (privateKey.kind === 'rsa' || privateKey.kind === 'rsa-pss') {
    // With its primes, d is checked too (two modular reductions); without them, signing verifies each signature.
    const { p, q } = privateKey;
    const exponentFits = p === undefined || q === undefined || rsaPrivateExponentProblem({ ...privateKey, p, q }) === undefined;
    return 'n' in publicKey && publicKey.n === privateKey.n && publicKey.e === privateKey.e && exponentFits;
  }
  const secret = privateKey.kind === 'ecdsa' ? privateKey.d : privateKey.seed;
  const secretHash = provider.hash('sha256', secret);
  let known = derived.get(privateKey);
  if (!known || known.provider !== provider || !constantTimeEqual(known.secretHash, secretHash)) {
    const made = provider.publicKeyOf(privateKey);
    known = { provider, secretHash, publicKey: made, spki: encodeSpki(made) };
    derived.set(privateKey, known);
  }
  // The same bytes, or the same key spelled otherwise (an ECDSA point compressed in the certificate, say).
  return equalBytes(known.spki, spki) || samePublicKey(known.publicKey, publicKey);
}
