// Attacker: the red team of session 17, against the closing paths moved to handshake/closing.ts and changed by
// s17-close. After our close_notify nothing more goes out (RFC 8446 §6.1), not even an error alert: a peer that then
// sends garbage gets silence and a failed connection, not a record sealed under write keys that are gone (which
// would be an Error escaping, or worse). A second close() is nothing; abandon() after close() puts nothing on the wire.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';

const serverId = makeIdentity({ subject: { CN: 'server' } }, seededRandom('closing paths server'));
const connected = (seed: string) =>
  new InMemoryPair(
    { trust: { kind: 'pinned-certificate', certificates: [serverId.der] }, now: () => TEST_NOW, random: seededRandom(`${seed}/c`) },
    { certificate: serverId, now: () => TEST_NOW, random: seededRandom(`${seed}/s`) },
  ).run();
/** A protected-looking record the peer's keys never sealed: bad_record_mac when read. */
const garbage = Uint8Array.of(23, 3, 3, 0, 20, ...new Array<number>(20).fill(0x42));

describe('closing paths', () => {
  it('a second close() sends and reports nothing', () => {
    const pair = connected('double');
    pair.client.close();
    const first = pair.client.takeOutput();
    expect(pair.client.takeEvents().filter((e) => e.type === 'alert' || e.type === 'closed')).toEqual([
      { type: 'alert', direction: 'out', level: 'warning', description: 'close_notify' },
      { type: 'closed', by: 'us' },
    ]);
    expect(first.length).toBeGreaterThan(0);
    pair.client.close();
    expect(pair.client.takeOutput()).toHaveLength(0);
    expect(pair.client.takeEvents()).toEqual([]);
  });

  it('garbage from the peer after our close_notify: no alert out, a clean failure (no Error escapes), everything wiped', () => {
    const pair = connected('garbage');
    pair.client.close();
    pair.client.takeOutput();
    pair.client.takeEvents();
    expect(() => pair.client.receive(garbage)).not.toThrow();
    expect(pair.client.takeOutput()).toHaveLength(0);
    const events = pair.client.takeEvents();
    expect(events.filter((e) => e.type === 'alert' && e.direction === 'out')).toEqual([]);
    expect(events.filter((e) => e.type === 'closed')).toEqual([{ type: 'closed', by: 'us', error: expect.stringMatching(/./) }]);
    expect(pair.client.isClosed).toBe(true);
    expect(() => pair.client.exportKeyingMaterial('EXPERIMENTAL x', new Uint8Array(0), 16)).toThrow(/once connected/);
  });

  it('garbage after our close_notify, under a provider whose AEAD keys cannot be wiped: still no alert out (s18)', () => {
    // The one rule for alerts after our close_notify is the wiped RecordProtection, which refuses to seal: sendAlert has
    // no check of its own any more (it failed no test: two layers where one does). A provider's AeadKey.wipe is
    // optional (a key in a hardware module), so this is the case where our refusal is all there is.
    const createAead: CryptoProvider['createAead'] = (aead, key) => {
      const sealing = nobleProvider.createAead(aead, key);
      return { seal: (nonce, aad, plaintext) => sealing.seal(nonce, aad, plaintext), open: (nonce, aad, ciphertext) => sealing.open(nonce, aad, ciphertext) };
    };
    const unwipeable: CryptoProvider = { ...nobleProvider, createAead };
    const pair = new InMemoryPair(
      { trust: { kind: 'pinned-certificate', certificates: [serverId.der] }, now: () => TEST_NOW, random: seededRandom('unwipeable/c'), provider: unwipeable },
      { certificate: serverId, now: () => TEST_NOW, random: seededRandom('unwipeable/s') },
    ).run();
    pair.client.close();
    expect(pair.client.takeOutput().length).toBeGreaterThan(0);
    pair.client.takeEvents();
    expect(() => pair.client.receive(garbage)).not.toThrow();
    expect(pair.client.takeOutput()).toHaveLength(0);
    expect(pair.client.takeEvents().filter((e) => e.type === 'alert' && e.direction === 'out')).toEqual([]);
    expect(pair.client.isClosed).toBe(true);
  });

  it('abandon() after close(): nothing more on the wire; close() and abandon() after it are nothing', () => {
    const pair = connected('abandon');
    pair.server.close();
    pair.server.takeOutput();
    pair.server.abandon();
    expect(pair.server.takeOutput()).toHaveLength(0);
    expect(pair.server.isClosed).toBe(true);
    pair.server.takeEvents();
    pair.server.close();
    pair.server.abandon();
    expect(pair.server.takeOutput()).toHaveLength(0);
    expect(pair.server.takeEvents()).toEqual([]);
  });

  it('the peer\'s data after its own close_notify, in the same bytes, is not read', () => {
    const pair = connected('after peer close');
    pair.server.write(Uint8Array.of(1));
    const data = pair.server.takeOutput();
    pair.server.close();
    const close = pair.server.takeOutput();
    pair.client.takeEvents();
    // A record sealed after its close_notify cannot come from the server's engine: its second data record is replayed.
    pair.client.receive(Uint8Array.from([...data, ...close, ...garbage]));
    const events = pair.client.takeEvents();
    expect(events.filter((e) => e.type === 'data').map((e) => (e.type === 'data' ? [...e.data] : []))).toEqual([[1]]);
    expect(events.filter((e) => e.type === 'closed')).toEqual([{ type: 'closed', by: 'peer' }]);
    expect(pair.client.isWritable).toBe(true);
  });
});
