import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { insecureFuzzingProvider as fuzzing } from '../../src/crypto/fuzzing.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';

const random = seededRandom('fuzzing-provider');

describe('insecureFuzzingProvider', () => {
  it('opens what it sealed, and refuses a flipped bit, another nonce, other aad or another key', () => {
    const key = random(16);
    const aead = fuzzing.createAead('AES-128-GCM', key);
    const nonce = random(12);
    const sealed = aead.seal(nonce, Uint8Array.of(1), Uint8Array.of(10, 20, 30));
    expect(sealed).toHaveLength(3 + 16);
    expect(aead.open(nonce, Uint8Array.of(1), sealed)).toEqual(Uint8Array.of(10, 20, 30));
    for (let i = 0; i < sealed.length; i++) {
      const flipped = sealed.slice();
      flipped[i]! ^= 0x04;
      expect(aead.open(nonce, Uint8Array.of(1), flipped)).toBeNull();
    }
    expect(aead.open(random(12), Uint8Array.of(1), sealed)).toBeNull();
    expect(aead.open(nonce, Uint8Array.of(2), sealed)).toBeNull();
    expect(fuzzing.createAead('AES-128-GCM', random(16)).open(nonce, Uint8Array.of(1), sealed)).toBeNull();
  });

  it('agrees on a shared secret from both sides of a key exchange, and a third party gets another', () => {
    for (const group of ['x25519', 'secp256r1', 'secp384r1'] as const) {
      const kx = fuzzing.keyExchange(group);
      const client = kx.generate(random);
      const real = nobleProvider.keyExchange(group);
      // Same share lengths as the real group, so messages keep their real shape.
      expect(kx.shareLengths).toEqual(real.shareLengths);
      expect(client.share).toHaveLength(real.generate(random).share.length);
      const answer = kx.encapsulate(client.share, random)!;
      expect(kx.decapsulate(client.privateKey, answer.share)).toEqual(answer.sharedSecret);
      const third = kx.encapsulate(kx.generate(random).share, random)!;
      expect(kx.decapsulate(client.privateKey, third.share)).not.toEqual(answer.sharedSecret);
      expect(kx.decapsulate(client.privateKey, new Uint8Array(5))).toBeNull();
      expect(kx.encapsulate(new Uint8Array(5), random)).toBeNull();
    }
  });

  it('rejects a signature made with another key, over another message, or with another algorithm', () => {
    const key = { kind: 'ed25519' as const, seed: random(32) };
    const other = { kind: 'ed25519' as const, seed: random(32) };
    const message = Uint8Array.of(1, 2, 3);
    const signature = fuzzing.sign({ kind: 'ed25519' }, key, message, random);
    expect(fuzzing.verify({ kind: 'ed25519' }, fuzzing.publicKeyOf(key), message, signature)).toBe(true);
    expect(fuzzing.verify({ kind: 'ed25519' }, fuzzing.publicKeyOf(other), message, signature)).toBe(false);
    expect(fuzzing.verify({ kind: 'ed25519' }, fuzzing.publicKeyOf(key), Uint8Array.of(1, 2, 4), signature)).toBe(false);
    expect(fuzzing.verify({ kind: 'ecdsa', hash: 'sha256' }, fuzzing.publicKeyOf(key), message, signature)).toBe(false);
  });

  it('gives different digests for different inputs and a running hash equal to the one-shot hash', () => {
    const state = fuzzing.createHash('sha256').update(Uint8Array.of(1, 2));
    const snapshot = state.clone();
    expect(state.update(Uint8Array.of(3)).digest()).toEqual(fuzzing.hash('sha256', Uint8Array.of(1, 2, 3)));
    expect(snapshot.digest()).toEqual(fuzzing.hash('sha256', Uint8Array.of(1, 2)));
    expect(fuzzing.hash('sha384', Uint8Array.of(1))).toHaveLength(48);
    const digests = new Set(Array.from({ length: 1000 }, (_, i) => Buffer.from(fuzzing.hash('sha256', Uint8Array.of(i & 0xff, i >> 8))).toString('hex')));
    expect(digests.size).toBe(1000);
  });

  it('runs a whole handshake, and a record tampered in flight still fails its tag (bad_record_mac)', () => {
    const server = makeIdentity({ subject: { CN: 'server' } }, random, fuzzing);
    const configs = (): [ClientConfig, ServerConfig] => [
      { trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, provider: fuzzing, random: seededRandom('c') },
      { certificate: server, provider: fuzzing, random: seededRandom('s') },
    ];
    const clean = new InMemoryPair(...configs()).run();
    expect(clean.client.isConnected && clean.server.isConnected).toBe(true);
    const label = 'EXPORTER-test';
    expect(clean.client.exportKeyingMaterial(label, new Uint8Array(0), 32)).toEqual(clean.server.exportKeyingMaterial(label, new Uint8Array(0), 32));

    let tampered = false;
    const pair = new InMemoryPair(...configs(), {
      tamper: ({ from, bytes }) => {
        if (from !== 'server' || tampered) return bytes;
        tampered = true;
        const raw = bytes.slice();
        raw[raw.length - 1]! ^= 1; // the last byte of the last record's tag
        return raw;
      },
    }).run();
    expect(pair.events('client').filter((e) => e.type === 'alert')).toEqual([expect.objectContaining({ direction: 'out', description: 'bad_record_mac' })]);
  });

  it('cannot be reached from the CLI, the node adapter or the public index', () => {
    const dirs = ['src/cli', 'src/node'];
    const files = [...dirs.flatMap((d) => readdirSync(d).map((f) => join(d, f))), 'src/index.ts', 'src/crypto/index.ts'];
    for (const file of files) expect(readFileSync(file, 'utf8'), file).not.toMatch(/fuzzing/i);
  });
});
