// Attacker's test (memory disclosure after the fact, as wipe-at-close.test.ts): a client's key-share private keys.
// Whoever reads one, with the recorded handshake, computes the (EC)DHE or ML-KEM shared secret and from it every
// handshake and application key of the connection. The engine dropped them with WAIT_SH, unzeroed: their bytes stayed
// in memory until reused. Now each group's `discard` zeroes them once the shared secret is derived, a HelloRetryRequest
// replaced them, the server picked another share, or the handshake failed while waiting for the ServerHello.
//
// The check: a provider that keeps a reference to every private key it made (a walk from the Connection cannot see a
// dropped array); each byte-array part must be all zeros at the points above, and is not before (the control).
// A node:crypto KeyObject (the node provider's DH keys) cannot be written: dropped only, and left out of the check.
import { describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { NamedGroup } from '../../src/wire/enums.js';

const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('key share discard'));

/** A provider that keeps every client private key its groups make, with its group's name. */
function keeping(base: CryptoProvider): { provider: CryptoProvider; keys: Array<{ group: string; privateKey: unknown }> } {
  const keys: Array<{ group: string; privateKey: unknown }> = [];
  return {
    keys,
    provider: {
      ...base,
      keyExchange: (group) => {
        const exchange = base.keyExchange(group);
        return {
          ...exchange,
          generate: (random) => {
            const pair = exchange.generate(random);
            keys.push({ group, privateKey: pair.privateKey });
            return pair;
          },
        };
      },
    },
  };
}

/** The byte arrays a private key is made of (a hybrid's two parts); a KeyObject has none. */
function byteParts(privateKey: unknown): Uint8Array[] {
  if (privateKey instanceof Uint8Array) return [privateKey];
  return Array.isArray(privateKey) ? privateKey.flatMap(byteParts) : [];
}

/** The groups of the kept keys with a byte-array part that is not all zeros. */
function notZeroed(keys: Array<{ group: string; privateKey: unknown }>): string[] {
  return keys.filter(({ privateKey }) => byteParts(privateKey).some((part) => part.some((b) => b !== 0))).map(({ group }) => group);
}

function configs(provider: CryptoProvider, seed: string, client: Partial<ClientConfig> = {}, serverGroups?: number[]): [ClientConfig, ServerConfig] {
  return [
    { trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom(`${seed}/c`), provider, ...client },
    { certificate: server, now: () => TEST_NOW, random: seededRandom(`${seed}/s`), provider, ...(serverGroups ? { groups: serverGroups } : {}) },
  ];
}

describe.each([
  ['noble', nobleProvider],
  ['node:crypto', nodeCryptoProvider],
])('key-share private keys (%s)', (_name, base) => {
  it('a hybrid share and an extra classical one: both zeroed once the ServerHello is read, the one the server did not pick too', () => {
    const { provider, keys } = keeping(base);
    const pair = new InMemoryPair(...configs(provider, 'two shares', { keyShareGroups: [NamedGroup.X25519MLKEM768, NamedGroup.x25519] }));
    expect(keys.map((k) => k.group)).toEqual(['X25519MLKEM768', 'x25519']);
    // The control: while the client waits for the ServerHello, its keys are whole (the ML-KEM part, at least).
    expect(notZeroed(keys)).toContain('X25519MLKEM768');
    pair.run();
    expect(pair.client.isConnected).toBe(true);
    expect(pair.client.info.group).toBe('X25519MLKEM768');
    expect(notZeroed(keys)).toEqual([]);
  });

  it('a HelloRetryRequest: ClientHello1\'s share is zeroed at once, ClientHello2\'s once the ServerHello is read', () => {
    const { provider, keys } = keeping(base);
    const pair = new InMemoryPair(...configs(provider, 'retry', { keyShareGroups: [NamedGroup.ffdhe2048], groups: [NamedGroup.ffdhe2048, NamedGroup.MLKEM768] }, [NamedGroup.MLKEM768]));
    pair.step('client');
    pair.step('server'); // the HelloRetryRequest, asking for MLKEM768
    expect(pair.client.state).toBe('WAIT_SH');
    expect(keys.map((k) => k.group)).toEqual(['ffdhe2048', 'MLKEM768']);
    expect(notZeroed(keys)).toEqual(['MLKEM768']);
    pair.run();
    expect(pair.client.info.group).toBe('MLKEM768');
    expect(notZeroed(keys)).toEqual([]);
  });

  it('a handshake that ends while the client waits for the ServerHello: its shares are zeroed', () => {
    const { provider, keys } = keeping(base);
    const pair = new InMemoryPair(...configs(provider, 'abandoned', { keyShareGroups: [NamedGroup.MLKEM768, NamedGroup.ffdhe2048] }));
    expect(notZeroed(keys)).toEqual(['MLKEM768', 'ffdhe2048']);
    pair.client.abandon();
    expect(notZeroed(keys)).toEqual([]);
  });
});
