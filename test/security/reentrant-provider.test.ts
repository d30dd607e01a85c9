// Attacker's test for the arrays the engine lends to the provider: the HkdfLabel (src/handshake/keyschedule.ts)
// and the CertificateVerify content (src/handshake/signatures.ts):
// a provider that re-enters the engine during hkdfExpand, sign or verify, before it reads its input (a metering or audit wrapper
// that tells an observer, which answers from another connection: an exporter, a key update), reads what the
// nested derivation wrote there, not its own label: connection A's keys come from connection B's label and
// context. The provider keeps to its contract (inputs are read during the call only); the engine must not
// lend the same memory twice at once.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SUITES } from '../../src/handshake/suites.js';
import { hkdfExpandLabel } from '../../src/handshake/keyschedule.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { hex, utf8 } from '../../src/wire/bytes.js';

const identity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('reentrant-provider'));
const sha256Suite = [...SUITES.values()].find((suite) => suite.hash === 'sha256')!;

function connectedPair(provider: CryptoProvider, seed: string): InMemoryPair {
  return new InMemoryPair(
    { trust: { kind: 'pinned-certificate', certificates: [identity.der] }, now: () => TEST_NOW, random: seededRandom(`${seed} c`), provider },
    { certificate: identity, now: () => TEST_NOW, random: seededRandom(`${seed} s`), provider },
  ).run();
}

/** `base`, whose hkdfExpand first runs `observer` (which may use the engine), then computes from what it was given. */
const reentrant = (base: CryptoProvider, observer: () => void): CryptoProvider => ({
  ...base,
  name: `${base.name} (re-entrant)`,
  hkdfExpand(hash, prk, info, length) {
    observer();
    return base.hkdfExpand(hash, prk, info, length);
  },
});

/** `base`, whose sign and verify first run `observer`, then sign or verify what they were given. */
const reentrantSigner = (base: CryptoProvider, observer: () => void): CryptoProvider => ({
  ...base,
  name: `${base.name} (re-entrant signer)`,
  sign(algorithm, key, message, random) {
    observer();
    return base.sign(algorithm, key, message, random);
  },
  verify(algorithm, key, message, signature) {
    observer();
    return base.verify(algorithm, key, message, signature);
  },
});

describe.each([
  ['noble', nobleProvider],
  ['node:crypto', nodeCryptoProvider],
] as const)('a provider that re-enters the engine during hkdfExpand (%s)', (_, base) => {
  it('a nested HKDF-Expand-Label does not change the label the outer one lent', () => {
    const secret = seededRandom('secret')(32);
    const context = seededRandom('context')(32);
    const expected = hex(hkdfExpandLabel(base, sha256Suite, secret, 'c hs traffic', context, 32));
    let nested = 0;
    const provider = reentrant(base, () => {
      if (nested++ === 0) hkdfExpandLabel(base, sha256Suite, secret, 's ap traffic', seededRandom('other')(40), 16);
    });
    expect(hex(hkdfExpandLabel(provider, sha256Suite, secret, 'c hs traffic', context, 32))).toBe(expected);
    expect(nested).toBe(1);
  });

  it("a handshake whose provider asks another connection for an exporter on every step gets its own keys, not the other connection's", () => {
    const other = connectedPair(base, 'other');
    let observed = 0;
    const provider = reentrant(base, () => {
      other.client.exportKeyingMaterial('EXPORTER-observer', utf8.encode('from the provider'), 32);
      observed++;
    });
    const pair = new InMemoryPair(
      { trust: { kind: 'pinned-certificate', certificates: [identity.der] }, now: () => TEST_NOW, random: seededRandom('a c'), provider },
      { certificate: identity, now: () => TEST_NOW, random: seededRandom('a s'), provider: base },
    ).run();
    expect(observed).toBeGreaterThan(0);
    expect(pair.events('client').filter((e) => e.type === 'alert')).toEqual([]);
    expect(pair.events('client').some((e) => e.type === 'connected')).toBe(true);
    const exporter = (side: 'client' | 'server') => hex(pair[side].exportKeyingMaterial('EXPORTER-check', new Uint8Array(0), 32));
    expect(exporter('client')).toBe(exporter('server'));
    pair.client.write(utf8.encode('after the handshake'));
    pair.run();
    expect(pair.events('server').filter((e) => e.type === 'data').map((e) => (e.type === 'data' ? utf8.decode(e.data) : ''))).toEqual(['after the handshake']);
  });

  it('a handshake whose provider runs another whole handshake inside every sign and verify signs and checks its own CertificateVerify content', () => {
    let nested = 0;
    const provider = reentrantSigner(base, () => {
      nested++;
      connectedPair(base, `nested ${nested}`);
    });
    const pair = new InMemoryPair(
      { trust: { kind: 'pinned-certificate', certificates: [identity.der] }, now: () => TEST_NOW, random: seededRandom('v c'), provider },
      { certificate: identity, now: () => TEST_NOW, random: seededRandom('v s'), provider },
    ).run();
    // The server signed and checked its own signature before sending it, the client verified: three nested
    // handshakes, each with a sign and verifies of its own.
    expect(nested).toBe(3);
    expect([...pair.events('client'), ...pair.events('server')].filter((e) => e.type === 'alert')).toEqual([]);
    expect(pair.events('client').some((e) => e.type === 'connected')).toBe(true);
  });
});
