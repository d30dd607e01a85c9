// Attacker's test (bad user input) for TLS-Exporter (RFC 8446 §7.5): a length that is not a whole number of
// bytes in 0..255 * HashLen (RFC 5869 §2.3), a context that is not bytes or a label that is not text is a
// one-line TypeError on every provider. The node provider used to hand back an empty array for a NaN length
// (a key of zero bytes, silently), one byte for 1.5, and hashed a string context as UTF-8, where noble threw.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';

const identity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('exporter-input'));

describe.each([
  ['noble', nobleProvider],
  ['node:crypto', nodeCryptoProvider],
] as const)('exporter inputs (%s)', (_, provider) => {
  const pair = new InMemoryPair(
    { trust: { kind: 'pinned-certificate', certificates: [identity.der] }, now: () => TEST_NOW, random: seededRandom('c'), provider },
    { certificate: identity, now: () => TEST_NOW, random: seededRandom('s'), provider },
  ).run();
  const exportWith = (label: unknown, context: unknown, length: unknown) =>
    pair.client.exportKeyingMaterial(label as string, context as Uint8Array, length as number);
  const noContext = new Uint8Array(0);

  it.each([NaN, -1, 1.5, Infinity, '16', undefined, 255 * 32 + 1])('refuses the length %s with a one-line TypeError', (length) => {
    expect(() => exportWith('EXPORTER-x', noContext, length)).toThrow(TypeError);
    expect(() => exportWith('EXPORTER-x', noContext, length)).toThrow(/^exporter length must be a whole number of bytes from 0 to 8160, got [^\n]+$/);
  });

  it.each([['a string', 'abc'], ['an array of numbers', [1, 2]], ['nothing', undefined]])('refuses %s as the context', (_, context) => {
    expect(() => exportWith('EXPORTER-x', context, 16)).toThrow(TypeError);
    expect(() => exportWith('EXPORTER-x', context, 16)).toThrow(/^exporter context must be a Uint8Array$/);
  });

  it.each([undefined, 7, { toString: () => 'EXPORTER-x' }])('refuses the label %s', (label) => {
    expect(() => exportWith(label, noContext, 16)).toThrow(/^exporter label must be a string$/);
  });

  it('answers at the edges: 0 and 255 * HashLen bytes, the same on both ends', () => {
    expect(exportWith('EXPORTER-x', noContext, 0)).toHaveLength(0);
    const longest = exportWith('EXPORTER-x', noContext, 255 * 32);
    expect(longest).toHaveLength(255 * 32);
    expect(pair.server.exportKeyingMaterial('EXPORTER-x', noContext, 255 * 32)).toStrictEqual(longest);
  });
});
