// The rule of own-key-tables.ts that matters: a key beyond MAX_OWN_KEY_TABLES is verified without a table and
// evicts none, so a server with more certificates than tables (its clients picking one by SNI) never rebuilds a
// table (15-80 ms and 0.5-0.7 MiB each) per handshake. Counting the tables held cannot see it: an LRU cache
// also holds exactly MAX_OWN_KEY_TABLES. This counts the builds, as calls of noble's Point.precompute (what a
// table is; noble's Point class is frozen, so own-key-tables.ts counts them), while keys are verified in turn,
// round after round. Its own file: the tables live for the process.
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/auth/builder.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { MAX_OWN_KEY_TABLES, ownKeyTablesBuilt, ownKeyTablesHeld } from '../../src/crypto/own-key-tables.js';
import { seededRandom } from '../../src/crypto/random.js';
import { utf8 } from '../../src/wire/bytes.js';

const random = seededRandom('own key table builds');
const message = utf8.encode('64 spaces, a context string, a zero byte and a transcript hash');
const keys = Array.from({ length: MAX_OWN_KEY_TABLES + 1 }, () => {
  const { privateKey } = generateKeyPair('ed25519', random, nobleProvider);
  return { publicKey: nobleProvider.publicKeyOf(privateKey), signature: nobleProvider.sign({ kind: 'ed25519' }, privateKey, message, random) };
});

describe(`${MAX_OWN_KEY_TABLES + 1} own keys verified in turn`, () => {
  it('build one table for each of the first eight, once; the ninth gets none, and no later round builds any', () => {
    const round = () => {
      const before = ownKeyTablesBuilt();
      for (const { publicKey, signature } of keys) expect(nobleProvider.verify({ kind: 'ed25519' }, publicKey, message, signature, { ownKey: true })).toBe(true);
      return ownKeyTablesBuilt() - before;
    };
    expect(round()).toBe(MAX_OWN_KEY_TABLES);
    expect(ownKeyTablesHeld()).toBe(MAX_OWN_KEY_TABLES);
    // A cache that made room for the ninth would rebuild a table at every verification from here on.
    for (let i = 0; i < 3; i++) expect(round()).toBe(0);
  });
});
