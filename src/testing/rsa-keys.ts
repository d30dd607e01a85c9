// RSA keys for tests, from node:crypto (finding primes is no job for our certificate builder), and the same
// key as an id-RSASSA-PSS key. Test-only code: like src/node, it may use node: modules.
import { generateKeyPairSync } from 'node:crypto';
import { loadPrivateKey } from '../auth/keys.js';
import type { PrivateKey, RsaPssKeyParams } from '../crypto/provider.js';

export type RsaPrivateKey = Extract<PrivateKey, { kind: 'rsa' }>;
export type RsaPssPrivateKey = Extract<PrivateKey, { kind: 'rsa-pss' }>;

/** A fresh rsaEncryption key of `bits` bits. */
export function rsaTestKey(bits = 2048): RsaPrivateKey {
  const key = loadPrivateKey(new Uint8Array(generateKeyPairSync('rsa', { modulusLength: bits }).privateKey.export({ type: 'pkcs8', format: 'der' })));
  if (key.kind !== 'rsa') throw new Error('node:crypto made no rsaEncryption key');
  return key;
}

/** The same numbers as an id-RSASSA-PSS key (RFC 4055 §1.2), restricted by `params` when given. */
export function asPssKey(key: RsaPrivateKey | RsaPssPrivateKey, params?: RsaPssKeyParams): RsaPssPrivateKey {
  const { n, e, d, p, q } = key;
  return { kind: 'rsa-pss', n, e, d, ...(p !== undefined && q !== undefined ? { p, q } : {}), ...(params ? { params } : {}) };
}

/** The same numbers as an rsaEncryption key: what an attacker holding a PSS key's private half can sign with. */
export function asRsaEncryptionKey(key: RsaPssPrivateKey): RsaPrivateKey {
  const { n, e, d, p, q } = key;
  return { kind: 'rsa', n, e, d, ...(p !== undefined && q !== undefined ? { p, q } : {}) };
}
