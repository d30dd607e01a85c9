// The crypto layer's public surface.
export type {
  AeadKey,
  AeadName,
  CryptoProvider,
  CurveName,
  GroupName,
  HashName,
  HashState,
  KeyExchange,
  KeySharePair,
  PrivateKey,
  PublicKey,
  RandomSource,
  RsaPssKeyParams,
  SignatureAlgorithm,
} from './provider.js';
export { diffieHellmanKeyExchange } from './key-exchange.js';
export type { DiffieHellmanGroup } from './key-exchange.js';
export { nobleProvider } from './noble.js';
export { discardPooledRandom, fixedRandom, seededRandom, systemRandom } from './random.js';
export { recoverPssSalt, rsaPkcs1Sign, rsaPkcs1Verify, rsaPssSign, rsaPssVerify } from './rsa.js';
export type { RsaPrivateKey, RsaPublicKey } from './rsa.js';
export { signatureKeyProblem } from './signature-keys.js';
