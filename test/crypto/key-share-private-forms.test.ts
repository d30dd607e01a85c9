// Each provider keeps a key share's private key in its own form (src/crypto/key-exchange.ts `Private`): noble
// the bytes, node:crypto a KeyObject. A caller who hands one provider's private key to the other's
// decapsulate (a provider assembled from both, or key pairs kept from before the change, when both took
// bytes) made a programming mistake: it must hear so, as a TypeError, and not get null, which the engine
// takes for the peer's fault (an invalid server share: illegal_parameter). A provider written against the
// old interface, bytes as private keys through diffieHellmanKeyExchange, still connects.
import { x25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { diffieHellmanKeyExchange, type DiffieHellmanGroup } from '../../src/crypto/key-exchange.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider, GroupName } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { NamedGroup } from '../../src/wire/enums.js';

const GROUPS: GroupName[] = ['x25519', 'x448', 'secp256r1', 'secp384r1', 'secp521r1'];

describe("the node provider's decapsulate, given a private key it did not make", () => {
  it.each(GROUPS)('%s: noble\'s private key, or bytes, or nothing: a TypeError naming the group', (group) => {
    const random = seededRandom(`private forms ${group}`);
    const ours = nodeCryptoProvider.keyExchange(group);
    const server = ours.encapsulate(ours.generate(random).share, random)!;
    for (const foreign of [nobleProvider.keyExchange(group).generate(random).privateKey, new Uint8Array(32), undefined]) {
      expect(() => ours.decapsulate(foreign, server.share)).toThrow(TypeError);
      expect(() => ours.decapsulate(foreign, server.share)).toThrow(group);
    }
  });
});

describe('a provider written against the old interface: DiffieHellmanGroup with bytes as private keys', () => {
  // X25519 over noble, as a user would have written it before private keys could be KeyObjects.
  const bytesX25519: DiffieHellmanGroup = {
    group: 'x25519',
    publicLength: 32,
    generatePrivateKey: (random) => random(32).slice(),
    publicKey: (privateKey) => x25519.getPublicKey(privateKey),
    sharedSecret(privateKey, peerPublic) {
      try {
        return peerPublic.length === 32 ? x25519.getSharedSecret(privateKey, peerPublic) : null;
      } catch {
        return null;
      }
    },
  };
  const custom = (base: CryptoProvider): CryptoProvider => ({ ...base, name: `${base.name} with custom x25519`, keyExchange: (group) => (group === 'x25519' ? diffieHellmanKeyExchange(bytesX25519) : base.keyExchange(group)) });
  const identity = makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['server.example'] }, keyType: 'p256' }, seededRandom('old interface'));

  it.each([
    ['noble', nobleProvider],
    ['node:crypto', nodeCryptoProvider],
  ] as const)('on %s, as client and as server against the provider itself: connects', (_name, base) => {
    for (const [client, server] of [
      [custom(base), base],
      [base, custom(base)],
    ]) {
      const pair = new InMemoryPair(
        { provider: client, trust: { kind: 'pinned-certificate', certificates: [identity.der] }, now: () => TEST_NOW, serverName: 'server.example', groups: [NamedGroup.x25519], keyShareGroups: [NamedGroup.x25519] },
        { provider: server, certificate: identity, now: () => TEST_NOW, groups: [NamedGroup.x25519] },
      );
      pair.run();
      expect(pair.client.isConnected).toBe(true);
    }
  });
});
