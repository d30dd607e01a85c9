// Attacker's view of the key schedule's passing memory (PASSING_SECRETS, src/handshake/keyschedule.ts): finished
// keys and the Master Secret's "derived" salt are derived into one reused array (the providers' hkdfExpand
// `output`), shared by every connection of the process (AEAD keys no longer: an AEAD keeping its key array was
// keyed with zeros after the wipe, passing-secrets-attacks.test.ts). What an attacker wants from it:
// - a secret of one connection left behind in that array, where the next connection's provider (or anything
//   else holding the array) reads it: the array must hold only zeros whenever no key schedule call is running;
// - a connection whose AEAD kept the array instead of a copy: its record key would become whatever the array
//   holds next (zeros after the wipe, or another connection's key), and both ends would agree on it silently.
//   The records on the wire must be the ones the announced traffic secrets' keys (RFC 8446 §7.3) protect.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { AeadName, CryptoProvider } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { announcedSecret, editProtectedRecords, suiteNamed } from '../../src/testing/tamper.js';
import { hex, utf8 } from '../../src/wire/bytes.js';
import { CipherSuite, ContentType } from '../../src/wire/enums.js';

const identity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('reused secret memory'));

/** The provider, and every `output` array the engine lent it for hkdfExpand or hmac. */
function lending(inner: CryptoProvider): { provider: CryptoProvider; lent: Uint8Array[] } {
  const lent: Uint8Array[] = [];
  const provider: CryptoProvider = {
    ...inner,
    hmac(hash, key, data, output) {
      if (output) lent.push(output);
      return inner.hmac(hash, key, data, output);
    },
    hkdfExpand(hash, prk, info, length, output) {
      if (output) lent.push(output);
      return inner.hkdfExpand(hash, prk, info, length, output);
    },
  };
  return { provider, lent };
}

function connectedPair(provider: CryptoProvider, suite?: keyof typeof CipherSuite): InMemoryPair {
  const suites = suite ? { cipherSuites: [CipherSuite[suite]] } : {};
  const pair = new InMemoryPair(
    { provider, trust: { kind: 'pinned-certificate', certificates: [identity.der] }, now: () => TEST_NOW, random: seededRandom('c'), ...suites },
    { provider, certificate: identity, now: () => TEST_NOW, random: seededRandom('s'), ...suites },
  ).run();
  expect(pair.client.isConnected && pair.server.isConnected).toBe(true);
  return pair;
}

const allZero = (bytes: Uint8Array) => bytes.every((b) => b === 0);

describe.each([
  ['noble', nobleProvider],
  ['node:crypto', nodeCryptoProvider],
] as const)('%s: the key schedule\'s reused memory for secrets', (_name, inner: CryptoProvider) => {
  it('holds only zeros after every handshake, key update and exporter: no connection leaves a secret in it', () => {
    const { provider, lent } = lending(inner);
    const pair = connectedPair(provider);
    // Both sides: 2 finished keys (ours and the peer's), the Master Secret's salt.
    expect(lent.length).toBeGreaterThanOrEqual(6);
    expect(lent.filter((array) => !allZero(array)).map(hex)).toEqual([]);
    pair.client.updateKeys(true);
    pair.run();
    pair.client.exportKeyingMaterial('EXPORTER-test', utf8.encode('ctx'), 32);
    expect(lent.filter((array) => !allZero(array)).map(hex)).toEqual([]);
  });

  it.each(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_CCM_SHA256', 'TLS_AES_128_CCM_8_SHA256'] as const)(
    '%s: application records are protected with the keys of the announced traffic secret, after two more connections used the memory',
    (suiteName) => {
      const first = connectedPair(inner, suiteName);
      connectedPair(inner, suiteName);
      connectedPair(inner, suiteName);
      const before = first.wire.length;
      first.client.write(utf8.encode('still the keys of this connection'));
      first.run();
      expect(first.events('server').filter((e) => e.type === 'data')).toHaveLength(1);
      const record = first.wire[before]!;
      expect(record.from).toBe('client');
      // Opened with keys derived by the noble provider from the secret this connection announced (tamper.ts);
      // an AEAD keyed from the reused memory would fail authentication here.
      const keys = { suite: suiteNamed(first.client.info.cipherSuite), secret: announcedSecret(first.events('client'), 'client_application_traffic_secret_0') };
      let opened = '';
      editProtectedRecords(record.bytes, keys, (records) => {
        opened = records.map((r) => (r.contentType === ContentType.application_data ? utf8.decode(r.content) : '')).join('');
        return records;
      });
      expect(opened).toBe('still the keys of this connection');
    },
  );

  it.each(['AES-128-GCM', 'AES-256-GCM', 'ChaCha20-Poly1305', 'AES-128-CCM', 'AES-128-CCM-8'] as const)(
    '%s: createAead keeps a copy of its key: wiping the array it was given changes nothing',
    (aead: AeadName) => {
      const key = seededRandom(`aead key ${aead}`)(inner.aeadKeyLength(aead));
      const nonce = new Uint8Array(12).fill(7);
      const aad = utf8.encode('aad');
      const reference = inner.createAead(aead, key.slice()).seal(nonce, aad, utf8.encode('plaintext'));
      const lentKey = key.slice();
      const sealer = inner.createAead(aead, lentKey);
      lentKey.fill(0);
      expect(hex(sealer.seal(nonce, aad, utf8.encode('plaintext')))).toBe(hex(reference));
    },
  );
});
