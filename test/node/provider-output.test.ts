// The providers' `output` parameter of hmac, hkdfExpand and HashState.digest (src/crypto/provider.ts): the same bytes as a
// result of its own, written into the caller's array and returned as it, and an array of the wrong length
// refused before anything is written (the key schedule lends one array for every connection's passing secrets).
import { describe, expect, it } from 'vitest';
import { insecureFuzzingProvider } from '../../src/crypto/fuzzing.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider, HashName } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { hex } from '../../src/wire/bytes.js';

const random = seededRandom('provider output');
const key = random(48);
const data = random(70);

describe.each([
  ['noble', nobleProvider],
  ['node:crypto', nodeCryptoProvider],
  ['INSECURE-fuzzing', insecureFuzzingProvider],
] as const)('%s: results into the caller\'s memory', (_name, provider: CryptoProvider) => {
  it.each(['sha256', 'sha384'] as const)('%s: hmac into output is hmac, in that very array', (hash: HashName) => {
    const output = new Uint8Array(provider.hashLength(hash));
    expect(provider.hmac(hash, key, data, output)).toBe(output);
    expect(hex(output)).toBe(hex(provider.hmac(hash, key, data)));
  });

  it.each([
    ['sha256', 12],
    ['sha256', 32],
    ['sha384', 48],
    ['sha256', 80],
  ] as const)('%s: hkdfExpand of %i bytes into output is hkdfExpand, in that very array', (hash: HashName, length) => {
    const output = new Uint8Array(length);
    expect(provider.hkdfExpand(hash, key, data, length, output)).toBe(output);
    expect(hex(output)).toBe(hex(provider.hkdfExpand(hash, key, data, length)));
  });

  it.each(['sha256', 'sha384'] as const)('%s: a hash state\'s digest into output is its digest, in that very array, and the state goes on', (hash: HashName) => {
    const state = provider.createHash(hash).update(data);
    const output = new Uint8Array(provider.hashLength(hash));
    expect(state.digest(output)).toBe(output);
    expect(hex(output)).toBe(hex(provider.hash(hash, data)));
    state.update(key);
    expect(hex(state.digest(output))).toBe(hex(provider.hash(hash, Uint8Array.from([...data, ...key]))));
  });

  it('an output of the wrong length is refused and left as it was', () => {
    const short = new Uint8Array(31);
    expect(() => provider.hmac('sha256', key, data, short)).toThrow(/32 bytes, got 31/);
    expect(() => provider.hkdfExpand('sha256', key, data, 16, short)).toThrow(/16 bytes, got 31/);
    expect(() => provider.hkdfExpand('sha256', key, data, 80, short)).toThrow(/80 bytes, got 31/);
    expect(() => provider.createHash('sha256').update(data).digest(short)).toThrow(/32 bytes, got 31/);
    expect(short.every((b) => b === 0)).toBe(true);
  });
});
