// Attacks on the key schedule's passing memory (src/handshake/keyschedule.ts): finished keys, AEAD keys and the
// Master Secret's "derived" salt are derived into reused memory (the providers' hkdfExpand `output`) and wiped.
// What an adversary tries, with a provider that breaks or abuses the contract (crypto/provider.ts):
// - an AEAD that keeps the key array it was given instead of copying it (the natural way to wrap a cipher
//   library that takes the key at every call): after the wipe its key is all zeros, a key anyone knows;
// - a provider that re-enters another connection in the middle of a derivation (interleaved handshakes);
// - a provider that throws between the derivation and the wipe;
// - a provider holding on to the `output` it was lent, to read later derivations (another connection's keys).
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { AeadKey, AeadName, CryptoProvider, HashName } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { announcedSecret, editProtectedRecords, suiteNamed } from '../../src/testing/tamper.js';
import { hex, utf8 } from '../../src/wire/bytes.js';
import { ContentType } from '../../src/wire/enums.js';

const identity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('passing secrets attacks'));

function pair(clientProvider: CryptoProvider, serverProvider: CryptoProvider = clientProvider, seed = ''): InMemoryPair {
  return new InMemoryPair(
    { provider: clientProvider, trust: { kind: 'pinned-certificate', certificates: [identity.der] }, now: () => TEST_NOW, random: seededRandom(`c${seed}`) },
    { provider: serverProvider, certificate: identity, now: () => TEST_NOW, random: seededRandom(`s${seed}`) },
  );
}

/** The text of the client's application records written from `from` on, opened with the keys of the secret the client announced. */
function openedUnderAnnouncedKeys(p: InMemoryPair, from: number): string {
  const keys = { suite: suiteNamed(p.client.info.cipherSuite), secret: announcedSecret(p.events('client'), 'client_application_traffic_secret_0') };
  let opened = '';
  for (const record of p.wire.slice(from).filter((r) => r.from === 'client')) {
    editProtectedRecords(record.bytes, keys, (records) => {
      opened += records.map((r) => (r.contentType === ContentType.application_data ? utf8.decode(r.content) : '')).join('');
      return records;
    });
  }
  return opened;
}

/** An AEAD that reads its key at every call from the array it was given: it keeps the array, not a copy. */
class KeyKeepingAead implements AeadKey {
  constructor(
    private readonly inner: CryptoProvider,
    private readonly aead: AeadName,
    private readonly key: Uint8Array,
  ) {}
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    return this.inner.createAead(this.aead, this.key).seal(nonce, aad, plaintext);
  }
  open(nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array | null {
    return this.inner.createAead(this.aead, this.key).open(nonce, aad, ciphertext);
  }
}

describe.each([
  ['noble', nobleProvider],
  ['node:crypto', nodeCryptoProvider],
] as const)('%s: attacks on the passing memory for secrets', (_name, inner: CryptoProvider) => {
  it('an AEAD that keeps its key array still protects records with the announced secret\'s key, never an all-zero one', () => {
    const keeping: CryptoProvider = { ...inner, createAead: (aead, key) => new KeyKeepingAead(inner, aead, key) };
    const p = pair(keeping).run();
    expect(p.client.isConnected && p.server.isConnected).toBe(true);
    const before = p.wire.length;
    p.client.write(utf8.encode('under the real key'));
    p.run();
    expect(openedUnderAnnouncedKeys(p, before)).toBe('under the real key');
  });

  it('a provider re-entering another connection mid-derivation: each connection\'s records stay under its own keys', () => {
    const second = { pair: undefined as InMemoryPair | undefined };
    let reentered = 0;
    const reentering: CryptoProvider = {
      ...inner,
      hkdfExpand(hash: HashName, prk, info, length, output) {
        const result = inner.hkdfExpand(hash, prk, info, length, output);
        // Between writing a key into the lent memory and the AEAD taking it, drive the other connection a step.
        if (output !== undefined && second.pair && !second.pair.client.isConnected && reentered < 50) {
          reentered++;
          second.pair.step('client') || second.pair.step('server');
        }
        return result;
      },
    };
    second.pair = pair(reentering, reentering, '2');
    const first = pair(reentering, reentering, '1').run();
    expect(reentered).toBeGreaterThan(0);
    second.pair.run();
    for (const p of [first, second.pair]) {
      expect(p.client.isConnected && p.server.isConnected).toBe(true);
      const before = p.wire.length;
      p.client.write(utf8.encode('own keys'));
      p.run();
      expect(openedUnderAnnouncedKeys(p, before)).toBe('own keys');
    }
  });

  it('a provider that throws after writing a key into the lent memory: the memory is wiped anyway, the next connection is unharmed', () => {
    const lent: Uint8Array[] = [];
    let armed = true;
    const throwing: CryptoProvider = {
      ...inner,
      hkdfExpand(hash, prk, info, length, output) {
        const result = inner.hkdfExpand(hash, prk, info, length, output);
        if (output !== undefined) lent.push(output);
        if (output !== undefined && armed) {
          armed = false;
          throw new Error('provider failure after the write');
        }
        return result;
      },
    };
    const failed = pair(throwing).run();
    expect(failed.client.isConnected).toBe(false);
    expect(lent.length).toBeGreaterThan(0);
    expect(lent.filter((a) => a.some((b) => b !== 0)).map(hex)).toEqual([]);
    const next = pair(throwing, throwing, 'next').run();
    expect(next.client.isConnected && next.server.isConnected).toBe(true);
    expect(lent.filter((a) => a.some((b) => b !== 0)).map(hex)).toEqual([]);
    const before = next.wire.length;
    next.client.write(utf8.encode('after a failure'));
    next.run();
    expect(openedUnderAnnouncedKeys(next, before)).toBe('after a failure');
  });

  it('a provider keeping the output it was lent by one connection finds nothing of another connection in it afterwards', () => {
    const kept: Uint8Array[] = [];
    const snooping: CryptoProvider = {
      ...inner,
      hkdfExpand(hash, prk, info, length, output) {
        if (output !== undefined) kept.push(output);
        return inner.hkdfExpand(hash, prk, info, length, output);
      },
    };
    pair(snooping, snooping, 'snooper').run();
    expect(kept.length).toBeGreaterThan(0);
    // The victim runs on an honest provider: the snooper's code runs only when called, so all it can do is
    // read what it kept once the victim's derivations are over (the core is synchronous).
    const victim = pair(inner, inner, 'victim').run();
    victim.client.updateKeys(true);
    victim.run();
    expect(victim.client.isConnected).toBe(true);
    expect(kept.filter((a) => a.some((b) => b !== 0)).map(hex)).toEqual([]);
  });
});
