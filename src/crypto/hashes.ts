// The hash functions behind each HashName, shared by the noble provider and the bigint RSA module.
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import type { CHash } from '@noble/hashes/utils.js';
import type { HashName } from './provider.js';

export const HASH_FUNCTIONS: Readonly<Record<HashName, CHash>> = { sha1, sha256, sha384, sha512 };

export function digest(hash: HashName, data: Uint8Array): Uint8Array {
  return HASH_FUNCTIONS[hash](data);
}

export function digestLength(hash: HashName): number {
  return HASH_FUNCTIONS[hash].outputLen;
}
