// Attacker's test (memory disclosure after the fact, as key-share-discard.test.ts): the secrets of one key exchange
// that live for a single call. The server's ephemeral DH private key (made inside `encapsulate`), each part's shared
// secret in a hybrid group, and the whole (EC)DHE or KEM shared secret handed to HKDF-Extract were dropped, not
// zeroed: whoever read one from the heap later, with the recorded handshake, computed the Handshake Secret and every
// key after it. Now the DH adapter zeroes the server's key before `encapsulate` returns, the hybrid combiner zeroes
// both parts once joined, the engine zeroes the whole once extracted (both roles), and the noble P-curves zero the
// compressed point their x-coordinate is cut from.
//
// The check: the provider's groups are rebuilt from its own Diffie-Hellman arithmetic and ML-KEM (the parts
// key-exchange.ts composes), each wrapped to keep a reference to every private key and shared secret it hands out;
// HKDF-Extract's input is kept too. After the handshake, every kept byte array is zeros; each was not when made (the
// control). A node:crypto KeyObject (the node provider's X25519/X448/ECDHE keys) cannot be written: not kept.
import { describe, expect, it } from 'vitest';
import type { DiffieHellmanGroup } from '../../src/crypto/key-exchange.js';
import { keyExchangeGroups, type DiffieHellmanGroups, type MlKemPrimitives } from '../../src/crypto/groups.js';
import type { MlKemPrimitive } from '../../src/crypto/mlkem.js';
import { NOBLE_ML_KEM } from '../../src/crypto/mlkem.js';
import { NOBLE_DIFFIE_HELLMAN_GROUPS, nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider, GroupName } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { NODE_DIFFIE_HELLMAN_GROUPS, NODE_ML_KEM, nodeCryptoProvider } from '../../src/node/crypto.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { NamedGroup } from '../../src/wire/enums.js';

const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('ephemeral secrets'));

type Kept = { what: string; bytes: Uint8Array };

/** A provider whose groups keep every private key and shared secret in bytes they make, and HKDF-Extract's input. */
function watched(base: CryptoProvider, dh: DiffieHellmanGroups, mlKem: MlKemPrimitives): { provider: CryptoProvider; kept: Kept[] } {
  const kept: Kept[] = [];
  function keep<T>(what: string, value: T): T {
    if (value instanceof Uint8Array) {
      // The control: a secret is not zeros when it is made.
      expect(value.some((b) => b !== 0), `${what} made as zeros`).toBe(true);
      kept.push({ what, bytes: value });
    }
    return value;
  }
  const groups = Object.fromEntries(
    Object.entries(dh).map(([name, group]): [string, DiffieHellmanGroup<unknown>] => [
      name,
      {
        ...group,
        generatePrivateKey: (random) => keep(`${name} private key`, group.generatePrivateKey(random)),
        sharedSecret: (privateKey, peerPublic) => keep(`${name} shared secret`, group.sharedSecret(privateKey, peerPublic)),
      },
    ]),
  ) as DiffieHellmanGroups;
  const kems = Object.fromEntries(
    Object.entries(mlKem).map(([name, kem]): [string, MlKemPrimitive] => [
      name,
      {
        keygen: (seed) => {
          const result = kem.keygen(seed);
          return { ...result, secretKey: keep(`${name} decapsulation key`, result.secretKey) };
        },
        encapsulate: (publicKey, message) => {
          const result = kem.encapsulate(publicKey, message);
          return { ...result, sharedSecret: keep(`${name} shared secret`, result.sharedSecret) };
        },
        decapsulate: (cipherText, secretKey) => keep(`${name} shared secret`, kem.decapsulate(cipherText, secretKey)),
      },
    ]),
  ) as MlKemPrimitives;
  const table = keyExchangeGroups(groups, kems);
  return {
    kept,
    provider: {
      ...base,
      keyExchange: (group: GroupName) => table[group],
      hkdfExtract: (hash, salt, ikm) => {
        // The Early and Master Secrets extract from zeros (no PSK here); the Handshake Secret from the shared secret.
        if (ikm.some((b) => b !== 0)) keep('HKDF-Extract input', ikm);
        return base.hkdfExtract(hash, salt, ikm);
      },
    },
  };
}

const GROUPS: Array<[GroupName, string[]]> = [
  ['x25519', ['x25519']],
  ['x448', ['x448']],
  ['secp256r1', ['secp256r1']],
  ['secp384r1', ['secp384r1']],
  ['secp521r1', ['secp521r1']],
  ['ffdhe2048', ['ffdhe2048']],
  ['MLKEM768', ['ML-KEM-768']],
  ['MLKEM1024', ['ML-KEM-1024']],
  ['X25519MLKEM768', ['ML-KEM-768', 'x25519']],
  ['SecP256r1MLKEM768', ['secp256r1', 'ML-KEM-768']],
  ['SecP384r1MLKEM1024', ['secp384r1', 'ML-KEM-1024']],
];

describe.each([
  ['noble', nobleProvider, NOBLE_DIFFIE_HELLMAN_GROUPS, NOBLE_ML_KEM],
  ['node:crypto', nodeCryptoProvider, NODE_DIFFIE_HELLMAN_GROUPS, NODE_ML_KEM],
])('one key exchange\'s secrets after the handshake (%s)', (providerName, base, dh, mlKem) => {
  it.each(GROUPS)('%s: both private keys, every shared secret (each part and the whole) are zeros', (group, parts) => {
    const { provider, kept } = watched(base, dh, mlKem);
    const code = NamedGroup[group as keyof typeof NamedGroup];
    const pair = new InMemoryPair(
      { trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom(`${group}/c`), provider, groups: [code], keyShareGroups: [code] },
      { certificate: server, now: () => TEST_NOW, random: seededRandom(`${group}/s`), provider, groups: [code] },
    );
    pair.run();
    expect(pair.client.isConnected && pair.server.isConnected).toBe(true);
    expect(pair.client.info.group).toBe(group);
    // What was kept: each part's secret on both sides, the whole once per side; both private keys where they are bytes.
    const count = (what: string) => kept.filter((k) => k.what === what).length;
    for (const part of parts) expect(count(`${part} shared secret`), part).toBe(2);
    expect(count('HKDF-Extract input')).toBe(2);
    for (const part of parts.filter((p) => !p.startsWith('ML-KEM'))) {
      const bytesKeys = providerName === 'noble' || part.startsWith('ffdhe');
      expect(count(`${part} private key`), part).toBe(bytesKeys ? 2 : 0);
    }
    expect(kept.filter((k) => k.bytes.some((b) => b !== 0)).map((k) => k.what)).toEqual([]);
  });
});
