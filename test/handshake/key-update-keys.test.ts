// Which AEAD keys protect which records around a KeyUpdate (RFC 8446 §4.6.3, §7.2), and how many AEADs a
// handshake sets up (src/record/protection.ts sets each up on its first record).
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { nextTrafficSecret, trafficKeys } from '../../src/handshake/keyschedule.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { RecordProtection } from '../../src/record/protection.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { announcedSecret, suiteNamed } from '../../src/testing/tamper.js';
import { ContentType } from '../../src/wire/enums.js';
import { utf8 } from '../../src/wire/bytes.js';

function connectedPair(seed: string, provider?: CryptoProvider) {
  const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom(`${seed}-cert`));
  return new InMemoryPair(
    { trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom(`${seed}-c`), provider },
    { certificate: server, random: seededRandom(`${seed}-s`), provider },
  ).run();
}

const received = (pair: InMemoryPair) => pair.events('server').flatMap((e) => (e.type === 'data' ? [utf8.decode(e.data)] : []));

/** The client's application keys of epoch 0 and, after one KeyUpdate, epoch 1 (RFC 8446 §7.2, §7.3). */
function clientApplicationKeys(pair: InMemoryPair) {
  const suite = suiteNamed(pair.client.info.cipherSuite);
  const secret0 = announcedSecret(pair.events('client'), 'client_application_traffic_secret_0');
  const epoch0 = trafficKeys(nobleProvider, suite, secret0);
  const epoch1 = trafficKeys(nobleProvider, suite, nextTrafficSecret(nobleProvider, suite, secret0));
  return { aead: suite.aead, epoch0, epoch1 };
}

describe('traffic keys across a KeyUpdate (RFC 8446 §4.6.3, §7.2)', () => {
  it('seals with the new key after an update, and the peer opens nothing under the old one', () => {
    const pair = connectedPair('kuk1');
    pair.client.write(utf8.encode('epoch 0'));
    const [oldRecord] = pair.pull('client').map((r) => r.bytes.slice());
    pair.run();
    pair.client.updateKeys(false);
    pair.client.write(utf8.encode('epoch 1'));
    const [keyUpdate, newRecord] = pair.pull('client').map((r) => r.bytes.slice());
    pair.run();
    expect(received(pair)).toEqual(['epoch 0', 'epoch 1']);
    const { aead, epoch0, epoch1 } = clientApplicationKeys(pair);
    // The KeyUpdate itself is the last record of epoch 0 (sequence 1); the data after it is the first of epoch 1.
    const oldOpener = new RecordProtection(nobleProvider, aead, epoch0.key, epoch0.iv);
    expect(oldOpener.open(oldRecord!).contentType).toBe(ContentType.application_data);
    expect(oldOpener.open(keyUpdate!).contentType).toBe(ContentType.handshake);
    const opened = new RecordProtection(nobleProvider, aead, epoch1.key, epoch1.iv).open(newRecord!);
    expect(utf8.decode(opened.content)).toBe('epoch 1');
    // The old key with the new nonces does not open it: the new key is really the one in use.
    expect(() => new RecordProtection(nobleProvider, aead, epoch0.key, epoch1.iv).open(newRecord!)).toThrow(/authentication/);

    // An attacker holding the old key forges the server's next record of epoch 1 (sequence 1) with it, and
    // replays the old epoch's record: neither opens.
    const forger = new RecordProtection(nobleProvider, aead, epoch0.key, epoch1.iv);
    forger.seal(ContentType.application_data, utf8.encode('x')); // moves the forger to sequence 1
    const forged = forger.seal(ContentType.application_data, utf8.encode('forged under the old key'));
    for (const attack of [forged, oldRecord!]) {
      const victim = connectedPair('kuk1');
      victim.client.updateKeys(false);
      victim.client.write(utf8.encode('epoch 1'));
      victim.run();
      victim.server.receive(attack);
      victim.pull('server'); // collects the server's events
      const alert = victim.events('server').find((e) => e.type === 'alert' && e.direction === 'out');
      expect(alert?.type === 'alert' && alert.description).toBe('bad_record_mac');
      expect(received(victim)).toEqual(['epoch 1']);
    }
  });
});

describe('AEAD setups per handshake', () => {
  for (const [name, provider] of [
    ['noble', nobleProvider],
    ['node:crypto', nodeCryptoProvider],
  ] as const) {
    it(`sets up the 4 AEADs a handshake uses, each once, and the application ones with the first data (${name})`, () => {
      const setups: string[] = [];
      const counting: CryptoProvider = {
        ...provider,
        createAead(aead, key) {
          setups.push(aead);
          return provider.createAead(aead, key);
        },
      };
      const pair = connectedPair('kuk2', counting);
      expect(pair.client.state).toBe('CONNECTED');
      // Client and server: handshake write and read keys each; the application keys wait for a record.
      expect(setups).toHaveLength(4);
      pair.client.write(utf8.encode('ping'));
      pair.server.write(utf8.encode('pong'));
      pair.run();
      expect(setups).toHaveLength(8);
      pair.client.write(utf8.encode('again'));
      pair.run();
      expect(setups).toHaveLength(8);
    });
  }
});
