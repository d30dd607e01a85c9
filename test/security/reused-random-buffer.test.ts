// Attacker's script (a misuse an attacker profits from): a RandomSource that refills and returns the same
// array for every draw of a length, as a buffer-saving caller may write one. The node provider kept the
// KeyObject of an X25519 or ML-KEM key share in a memo keyed by that array, so the next connection's fresh
// bytes found the old key: every connection sent the same key share, silently (no forward secrecy between
// them, and linkable), while the noble provider drew a new one. Both must take the bytes they are given.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { hex } from '../../src/wire/bytes.js';
import { ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import { reusingRandom } from './reusing-random.js';

const identity = makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['server.example'] }, keyType: 'p256' }, seededRandom('reused random buffer'));

/** The client's key share in each of two handshakes drawing from one reusing RandomSource. */
function twoKeyShares(provider: CryptoProvider, group: number): string[] {
  const random = reusingRandom();
  return [0, 1].map(() => {
    const pair = new InMemoryPair(
      { provider, random, trust: { kind: 'pinned-certificate', certificates: [identity.der] }, now: () => TEST_NOW, serverName: 'server.example', groups: [group], keyShareGroups: [group] },
      { certificate: identity, now: () => TEST_NOW, groups: [group] },
    );
    pair.run();
    expect(pair.client.isConnected).toBe(true);
    const hello = pair.events('client').find((e) => e.type === 'handshake-message' && e.message.kind === 'client_hello');
    const extension = hello?.type === 'handshake-message' && hello.message.kind === 'client_hello' ? X.findExtension(hello.message.extensions, ExtensionType.key_share) : undefined;
    return hex(extension!.data);
  });
}

describe.each([
  ['noble', nobleProvider],
  ['node:crypto', nodeCryptoProvider],
] as const)('%s, with a RandomSource that hands out one array again', (_name, provider: CryptoProvider) => {
  it.each([
    ['x25519', NamedGroup.x25519],
    ['X25519MLKEM768', NamedGroup.X25519MLKEM768],
    ['secp256r1', NamedGroup.secp256r1],
  ])('%s: a new key share for each connection', (_group, group) => {
    const [first, second] = twoKeyShares(provider, group);
    expect(first).not.toBe(second);
    // Both halves of a hybrid are fresh: the ML-KEM-768 encapsulation key (1,184 bytes after the 6 bytes
    // of lengths and group), then X25519's 32 bytes.
    if (group === NamedGroup.X25519MLKEM768) {
      expect(first!.slice(12, 12 + 2 * 1184)).not.toBe(second!.slice(12, 12 + 2 * 1184));
      expect(first!.slice(-64)).not.toBe(second!.slice(-64));
    }
  });
});
