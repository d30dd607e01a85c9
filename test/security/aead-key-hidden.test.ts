// Secrets appear only where the user asked for them (a trace, a key log). Since AEAD keys became class
// instances (InPlaceAead, this round's garbage work) their raw key was an ordinary property: util.inspect of a
// record layer, a debugger's or a logger's dump of an object holding the key, or JSON.stringify printed it.
// The key now lives in a private field (#key) of every provider's AEAD key object.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { insecureFuzzingProvider } from '../../src/crypto/fuzzing.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { AeadName, CryptoProvider } from '../../src/crypto/provider.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { hex } from '../../src/wire/bytes.js';

const providers: Array<[string, CryptoProvider]> = [
  ['noble', nobleProvider],
  ['node', nodeCryptoProvider],
  ['fuzzing', insecureFuzzingProvider],
];
const suites: Array<[AeadName, number]> = [
  ['AES-128-GCM', 16],
  ['AES-256-GCM', 32],
  ['ChaCha20-Poly1305', 32],
  ['AES-128-CCM', 16],
  ['AES-128-CCM-8', 16],
];

/** A key whose bytes are easy to spot in any dump: 0xa5 0x5a repeated. */
const markedKey = (length: number) => Uint8Array.from({ length }, (_, i) => (i % 2 === 0 ? 0xa5 : 0x5a));

describe.each(providers)("an AEAD key of the %s provider never shows its key", (_, provider) => {
  it.each(suites)('%s: util.inspect (hidden properties, any depth) and JSON show none of its bytes, and it still seals and opens', (aead, length) => {
    const key = provider.createAead(aead, markedKey(length));
    const dump = inspect(key, { showHidden: true, depth: Infinity, maxArrayLength: Infinity });
    // inspect prints a Uint8Array's bytes in decimal: 165, 90, 165, ... and JSON the same numbers.
    expect(dump).not.toMatch(/165,\s*90,\s*165/);
    expect(JSON.stringify(key) ?? '').not.toMatch(/165,90|"0":165/);
    const nonce = new Uint8Array(12);
    const sealed = key.seal(nonce, new Uint8Array(5), Uint8Array.of(1, 2, 3));
    expect(hex(key.open(nonce, new Uint8Array(5), sealed)!)).toBe('010203');
  });
});
