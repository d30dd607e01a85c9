// Attacker's script (a careless caller a passive attacker profits from): a RandomSource that does not hand
// out the bytes it was asked for. The engine keeps a copy of every draw (ownedDraws, src/crypto/random.ts),
// and `new Uint8Array(x)` makes a copy of anything: of a number it makes that many zero bytes, of a Promise
// (an async source) or undefined an empty array, of an ArrayBuffer a view of the caller's memory. A source
// written as `(n) => n`, or one that returns the length it filled, then gave both sides all-zero hello randoms
// and X25519 private keys of zeros, and the handshake completed: anyone reading the hellos knows every secret.
// A draw that is not a Uint8Array of the length asked for is a TypeError naming `random`: thrown before a
// client sends anything, and a server answers the ClientHello with internal_error, never a key share.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RandomSource } from '../../src/crypto/provider.js';
import { ownedDraws, seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { NamedGroup } from '../../src/wire/enums.js';

const identity = makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['server.example'] } }, seededRandom('careless random source'));
const good = seededRandom('careless random source: the good bytes');

/** Sources a careless caller might write; each is a RandomSource only by a cast (plain JavaScript has none). */
const careless: Array<[string, RandomSource]> = [
  ['the length asked for, as a number (zeros)', ((n: number) => n) as unknown as RandomSource],
  ['a Promise (an async source)', (async (n: number) => good(n)) as unknown as RandomSource],
  ['undefined', (() => undefined) as unknown as RandomSource],
  ['an ArrayBuffer', ((n: number) => good(n).slice().buffer) as unknown as RandomSource],
  ['a plain array of numbers', ((n: number) => [...good(n)]) as unknown as RandomSource],
  ['half the bytes asked for', (n: number) => good(n).subarray(0, n >> 1)],
  ['more bytes than asked for', (n: number) => good(n + 8)],
];

const groups = [NamedGroup.x25519, NamedGroup.secp256r1];

function clientConfig(random: RandomSource, group: number): ClientConfig {
  return { trust: { kind: 'pinned-certificate', certificates: [identity.der] }, serverName: 'server.example', now: () => TEST_NOW, random, groups: [group], keyShareGroups: [group] };
}

function serverConfig(random: RandomSource, group: number): ServerConfig {
  return { certificate: identity, now: () => TEST_NOW, random, groups: [group] };
}

describe('a RandomSource that does not hand out a Uint8Array of the length asked for', () => {
  for (const group of groups) {
    describe(`key share ${group === NamedGroup.x25519 ? 'x25519' : 'secp256r1'}`, () => {
      it.each(careless)("a client's source returning %s: a TypeError naming random, before anything is sent", (_what, random) => {
        expect(() => Connection.client(clientConfig(random, group))).toThrow(TypeError);
        expect(() => Connection.client(clientConfig(random, group))).toThrow(/\brandom\b/);
      });

      it.each(careless)("a server's source returning %s: internal_error to the ClientHello, no ServerHello, no connection", (_what, random) => {
        const pair = new InMemoryPair(clientConfig(seededRandom('careless random source: client'), group), serverConfig(random, group));
        pair.run();
        expect(pair.events('server').some((e) => e.type === 'connected')).toBe(false);
        expect(pair.events('client').some((e) => e.type === 'connected')).toBe(false);
        expect(pair.events('server').some((e) => e.type === 'handshake-message' && e.message.kind === 'server_hello')).toBe(false);
        const alert = pair.events('client').find((e) => e.type === 'alert');
        expect(alert?.type === 'alert' && alert.description).toBe('internal_error');
      });
    });
  }

  it('the control: sources that hand out Buffers (node:crypto randomBytes) or fresh arrays still connect', () => {
    for (const random of [(n: number) => randomBytes(n), seededRandom('careless random source: control')]) {
      const pair = new InMemoryPair(clientConfig(random, NamedGroup.x25519), serverConfig(random, NamedGroup.x25519));
      pair.run();
      expect(pair.events('client').some((e) => e.type === 'connected')).toBe(true);
      expect(pair.events('server').some((e) => e.type === 'connected')).toBe(true);
    }
  });

  it('ownedDraws still hands out a copy of its own of each draw', () => {
    const shared = new Uint8Array(16).fill(7);
    const draw = ownedDraws(() => shared)(16);
    shared.fill(0);
    expect([...draw]).toEqual(new Array(16).fill(7));
  });
});
