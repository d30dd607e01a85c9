// NSS's TLS 1.3 HKDF vectors (gtests/ssl_gtest/tls_hkdf_unittest.cc, stored under vectors/published-traces/nss/),
// for SHA-256 and SHA-384, through our key schedule: HKDF-Extract with either input missing (zeros of the hash's
// length, as RFC 8446 §7.1 uses them), and HKDF-Expand-Label with a context the hash's length. The SHA-384 values
// reach the TLS_AES_256_GCM_SHA384 schedule, which mbedTLS's and RFC 8448's vectors do not.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { hkdfExpandLabel, KeySchedule } from '../../src/handshake/keyschedule.js';
import { SUITES } from '../../src/handshake/suites.js';
import { fromHex, hex } from '../../src/wire/bytes.js';
import { CipherSuite } from '../../src/wire/enums.js';

const lines = readFileSync(new URL('../../vectors/published-traces/nss/tls_hkdf_unittest.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line !== '' && !line.startsWith('#'));
const input = (name: string) => lines.find((line) => line.startsWith(`${name} `))!.slice(name.length + 1);
const CASES = lines.filter((line) => line.startsWith('Hkdf')).map((line) => line.split(/\s+/) as [string, 'sha256' | 'sha384', string]);
const SUITE_OF = { sha256: SUITES.get(CipherSuite.TLS_AES_128_GCM_SHA256)!, sha384: SUITES.get(CipherSuite.TLS_AES_256_GCM_SHA384)! };
const provider = nobleProvider;

/** NSS's key, session hash: the first hash-length bytes of its array. */
const take = (name: string, hash: 'sha256' | 'sha384') => fromHex(input(name)).subarray(0, SUITE_OF[hash].hashLength);

describe('NSS tls_hkdf_unittest.cc: HKDF-Extract and HKDF-Expand-Label, SHA-256 and SHA-384', () => {
  it('holds five tests for each of the two hashes', () => {
    expect(CASES.map(([test, hash]) => `${test} ${hash}`)).toEqual(['NullNull', 'Key1Only', 'Key2Only', 'Key1Key2', 'ExpandLabel'].flatMap((t) => [`Hkdf${t} sha256`, `Hkdf${t} sha384`]));
  });

  it.each(CASES)('%s (%s)', (test, hash, expected) => {
    const suite = SUITE_OF[hash];
    const zeros = new Uint8Array(suite.hashLength);
    const [key1, key2] = [take('key1', hash), take('key2', hash)];
    const extract = (salt: Uint8Array, ikm: Uint8Array) => hex(provider.hkdfExtract(suite.hash, salt, ikm));
    switch (test) {
      case 'HkdfNullNull':
        // The Early Secret without a PSK (RFC 8446 §7.1): our KeySchedule's, and the extract itself.
        expect(hex(new KeySchedule(provider, suite).earlySecret)).toBe(expected);
        return expect(extract(zeros, zeros)).toBe(expected);
      case 'HkdfKey2Only':
        // HKDF-Extract(0, PSK): the Early Secret of a PSK (§7.1), our KeySchedule given key2 as the PSK.
        expect(hex(new KeySchedule(provider, suite, key2).earlySecret)).toBe(expected);
        return expect(extract(zeros, key2)).toBe(expected);
      case 'HkdfKey1Only':
        return expect(extract(key1, zeros)).toBe(expected);
      case 'HkdfKey1Key2':
        return expect(extract(key1, key2)).toBe(expected);
      case 'HkdfExpandLabel':
        return expect(hex(hkdfExpandLabel(provider, suite, key1, input('label'), take('session_hash', hash), suite.hashLength))).toBe(expected);
      default:
        throw new Error(`no such NSS test: ${test}`);
    }
  });
});
