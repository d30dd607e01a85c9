// The TLS 1.3 cipher suites we implement (RFC 8446 §B.4): an AEAD and a hash each.
import type { AeadName, HashName } from '../crypto/provider.js';
import { CipherSuite } from '../wire/enums.js';

export interface SuiteInfo {
  code: number;
  name: string;
  aead: AeadName;
  hash: HashName;
  /** Length of the hash output: the size of every secret in the key schedule. */
  hashLength: number;
  keyLength: number;
}

export const SUITES: ReadonlyMap<number, SuiteInfo> = new Map(
  (
    [
      [CipherSuite.TLS_AES_128_GCM_SHA256, 'TLS_AES_128_GCM_SHA256', 'AES-128-GCM', 'sha256', 32, 16],
      [CipherSuite.TLS_AES_256_GCM_SHA384, 'TLS_AES_256_GCM_SHA384', 'AES-256-GCM', 'sha384', 48, 32],
      [CipherSuite.TLS_CHACHA20_POLY1305_SHA256, 'TLS_CHACHA20_POLY1305_SHA256', 'ChaCha20-Poly1305', 'sha256', 32, 32],
      // AES-CCM with a 16-byte or an 8-byte tag (RFC 8446 §B.4, RFC 6655 §3). Off by default, as in OpenSSL.
      [CipherSuite.TLS_AES_128_CCM_SHA256, 'TLS_AES_128_CCM_SHA256', 'AES-128-CCM', 'sha256', 32, 16],
      [CipherSuite.TLS_AES_128_CCM_8_SHA256, 'TLS_AES_128_CCM_8_SHA256', 'AES-128-CCM-8', 'sha256', 32, 16],
    ] as const
  ).map(([code, name, aead, hash, hashLength, keyLength]) => [code, { code, name, aead, hash, hashLength, keyLength }]),
);

/** Our default preference, as in most stacks: AES-128-GCM first. The CCM suites are offered only when asked for. */
export const DEFAULT_CIPHER_SUITES: readonly number[] = [
  CipherSuite.TLS_AES_128_GCM_SHA256,
  CipherSuite.TLS_AES_256_GCM_SHA384,
  CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
];
