// ML-KEM (FIPS 203) as a TLS key exchange (draft-ietf-tls-mlkem): the client's share is an encapsulation
// key, the server's share a ciphertext. The checks TLS asks for live here, in front of whichever ML-KEM
// implementation a provider brings (noble's by default).
import { ml_kem1024, ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import type { GroupName, KeyExchange } from './provider.js';

/** The three ML-KEM algorithms (FIPS 203 §6, §7), with all randomness passed in, so runs are reproducible. */
export interface MlKemPrimitive {
  /** ML-KEM.KeyGen_internal(d, z) with seed = d || z (64 bytes, FIPS 203 Algorithm 16). */
  keygen(seed: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array };
  /** ML-KEM.Encaps_internal(ek, m) with the 32-byte message m (FIPS 203 Algorithm 17). */
  encapsulate(publicKey: Uint8Array, message: Uint8Array): { cipherText: Uint8Array; sharedSecret: Uint8Array };
  /** ML-KEM.Decaps (FIPS 203 Algorithm 18): implicit rejection, so any well-sized ciphertext gives a secret. */
  decapsulate(cipherText: Uint8Array, secretKey: Uint8Array): Uint8Array;
}

/** A parameter set: k, the module rank, fixes every size (FIPS 203 §8, Table 3). */
export interface MlKemParameters {
  readonly name: 'ML-KEM-768' | 'ML-KEM-1024';
  readonly k: number;
  /** Ciphertext length, 32 (du k + dv). */
  readonly cipherTextLength: number;
}

export const ML_KEM_768: MlKemParameters = { name: 'ML-KEM-768', k: 3, cipherTextLength: 1088 };
export const ML_KEM_1024: MlKemParameters = { name: 'ML-KEM-1024', k: 4, cipherTextLength: 1568 };

const Q = 3329;
const SEED_LENGTH = 64;
const MESSAGE_LENGTH = 32;

/** ek = ByteEncode12(t̂) || ρ: 384 k bytes of coefficients, then the 32-byte seed ρ (FIPS 203 Algorithm 13). */
export function encapsulationKeyLength(params: MlKemParameters): number {
  return 384 * params.k + 32;
}

/**
 * The encapsulation key check of FIPS 203 §7.2: the type check (its length) and the modulus check
 * (ByteEncode12(ByteDecode12(ek)) = ek, that is, every 12-bit coefficient is below q = 3329).
 */
export function isValidEncapsulationKey(params: MlKemParameters, key: Uint8Array): boolean {
  if (key.length !== encapsulationKeyLength(params)) return false;
  // Two 12-bit little-endian coefficients in every three bytes (FIPS 203 Algorithm 5, d = 12).
  for (let i = 0; i < 384 * params.k; i += 3) {
    const first = key[i]! | ((key[i + 1]! & 0x0f) << 8);
    const second = (key[i + 1]! >> 4) | (key[i + 2]! << 4);
    if (first >= Q || second >= Q) return false;
  }
  return true;
}

/**
 * ML-KEM as a TLS group (draft-ietf-tls-mlkem §4). "the server MUST perform the encapsulation key check
 * described in Section 7.2 of [FIPS203] on the client's encapsulation key, and abort with an
 * illegal_parameter alert if it fails"; "the client MUST check if the ciphertext length matches the
 * selected parameter set, and abort with an illegal_parameter alert if it fails": both are null here. "If
 * ML-KEM decapsulation fails for any other reason, the connection MUST be aborted with an internal_error
 * alert": the primitive's own exceptions are left to the engine, which turns them into internal_error.
 * The client's private key is the decapsulation key; the keygen seed and the encapsulation message come
 * from the RandomSource.
 */
export function mlKemKeyExchange(group: GroupName, params: MlKemParameters, kem: MlKemPrimitive): KeyExchange<Uint8Array> {
  return {
    group,
    shareLengths: { client: encapsulationKeyLength(params), server: params.cipherTextLength },
    generate(random) {
      const { publicKey, secretKey } = kem.keygen(random(SEED_LENGTH));
      return { privateKey: secretKey, share: publicKey };
    },
    encapsulate(clientShare, random) {
      if (!isValidEncapsulationKey(params, clientShare)) return null;
      const { cipherText, sharedSecret } = kem.encapsulate(clientShare, random(MESSAGE_LENGTH));
      return { share: cipherText, sharedSecret };
    },
    decapsulate(secretKey, serverShare) {
      if (serverShare.length !== params.cipherTextLength) return null;
      return kem.decapsulate(serverShare, secretKey);
    },
    /** The decapsulation key keygen made for us. */
    discard: (secretKey) => secretKey.fill(0),
  };
}

/** noble's FIPS 203 implementation, which takes the seed and the message as arguments. */
export const NOBLE_ML_KEM: Readonly<Record<MlKemParameters['name'], MlKemPrimitive>> = {
  'ML-KEM-768': ml_kem768,
  'ML-KEM-1024': ml_kem1024,
};
