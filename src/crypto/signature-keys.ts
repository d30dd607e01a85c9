// Which key may make (or check) which signature: one rule for every provider, so that the same key and
// algorithm are refused alike whichever library does the arithmetic.
import { eddsaPublicKeyProblem } from './eddsa-keys.js';
import { digestLength } from './hashes.js';
import { mlDsaKeyProblem } from './mldsa.js';
import type { PrivateKey, PublicKey, SignatureAlgorithm } from './provider.js';

/**
 * Why `key` may not make or check an `alg` signature, or undefined when it may.
 *
 * - An rsaEncryption key signs with PKCS#1 v1.5 and with PSS (RFC 8017 §8; TLS calls the latter
 *   rsa_pss_rsae_*, RFC 8446 §4.2.3).
 * - PSS needs a modulus long enough for the hash and the salt (RFC 8017 §9.1.1: emLen >= hLen + sLen + 2), so
 *   an RSA 1024 key cannot make rsa_pss_*_sha512 signatures and a server must pick another scheme or refuse.
 * - An id-RSASSA-PSS key signs with PSS only (RFC 4055 §1.2: "the public key may only be used for
 *   RSASSA-PSS"), and when its parameters restrict it, only with their hash and a salt at least as long as
 *   theirs (RFC 4055 §3.3; OpenSSL reads the key's saltLength as a minimum too).
 * - ECDSA, Ed25519 and Ed448 need a key of their own kind; the hash of ECDSA is free here (TLS 1.3 ties it
 *   to the curve in its scheme names, handshake/signatures.ts).
 * - An EdDSA public key must be canonical and not of small order (eddsa-keys.ts): the parser refuses such
 *   keys from the wire, and this refuses them to any caller of a provider. With the identity as key, R = the
 *   identity and S = 0 verify every message under OpenSSL's equation (and now noble's, eddsa-verify.ts).
 * - An ML-DSA key signs in its own parameter set only, and has that set's length (mldsa.ts).
 */
export function signatureKeyProblem(alg: SignatureAlgorithm, key: PublicKey | PrivateKey): string | undefined {
  switch (alg.kind) {
    case 'ed25519':
    case 'ed448':
      if (key.kind !== alg.kind) return `a ${key.kind} key cannot make ${alg.kind} signatures`;
      return 'publicKey' in key ? eddsaPublicKeyProblem(key.kind, key.publicKey) : undefined;
    case 'ecdsa':
      return key.kind === alg.kind ? undefined : `a ${key.kind} key cannot make ${alg.kind} signatures`;
    case 'rsa-pkcs1':
      if (key.kind === 'rsa-pss') return 'an RSASSA-PSS key (id-RSASSA-PSS) cannot make PKCS#1 v1.5 signatures (RFC 4055 §1.2)';
      return key.kind === 'rsa' ? undefined : `a ${key.kind} key cannot make RSA signatures`;
    case 'rsa-pss': {
      if (key.kind !== 'rsa' && key.kind !== 'rsa-pss') return `a ${key.kind} key cannot make RSA signatures`;
      // RFC 8017 §9.1.1 step 3: emLen < hLen + sLen + 2 is an encoding error (RSA 1024 cannot sign PSS-SHA512)
      const emLength = Math.ceil((key.n.toString(2).length - 1) / 8);
      if (emLength < digestLength(alg.hash) + alg.saltLength + 2) return `a ${key.n.toString(2).length}-bit RSA key is too small for PSS with ${alg.hash} (RFC 8017 §9.1.1)`;
      if (key.kind === 'rsa') return undefined;
      const params = key.params;
      if (!params) return undefined;
      if (alg.hash !== params.hash) return `the RSASSA-PSS key is restricted to ${params.hash}, not ${alg.hash} (RFC 4055 §3.3)`;
      if (alg.saltLength < params.minSaltLength) {
        return `the RSASSA-PSS key needs a salt of at least ${params.minSaltLength} bytes, not ${alg.saltLength} (RFC 4055 §3.3)`;
      }
      return undefined;
    }
    case 'ml-dsa':
      return mlDsaKeyProblem(alg.parameterSet, key);
  }
}

/** The public half of an RSA private key, of the same kind and with the same restriction. */
export function rsaPublicKeyOf(key: Extract<PrivateKey, { kind: 'rsa' | 'rsa-pss' }>): PublicKey {
  if (key.kind === 'rsa') return { kind: 'rsa', n: key.n, e: key.e };
  return key.params ? { kind: 'rsa-pss', n: key.n, e: key.e, params: key.params } : { kind: 'rsa-pss', n: key.n, e: key.e };
}
