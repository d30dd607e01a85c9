// Attacker: the red team of session 17, against s17-close. Record keys are derived from their traffic secret when
// their first record is sealed (keyschedule.ts TrafficSecretKeys holds the very array the handshake state holds), and
// the half-close code now zeroes secret arrays in place while the connection still writes. Were an array zeroed that
// a live write protection still derives from, our close_notify would go out sealed under keys made from zeros: keys
// anyone can compute, and a peer on the same engine would open it silently. Here every record we send after the
// peer's close_notify is opened with keys computed from the key log's secret: it must open, and be what we sent.
import { describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { nextTrafficSecret, trafficProtection } from '../../src/handshake/keyschedule.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SUITES } from '../../src/handshake/suites.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { ContentType } from '../../src/wire/enums.js';
import { splitRecords as records } from '../vectors/rfc8448-replay.js';
import { clientCancelledAtCertificate } from './cancelled-client.js';

const random = seededRandom('close keys not zeros');
const ca = makeIdentity({ subject: { CN: 'Zeros CA' }, isCA: true, keyUsage: ['keyCertSign'] }, random);
const serverId = makeIdentity({ subject: { CN: 'server' }, issuer: ca, sans: { dns: ['server.example'] }, extKeyUsage: ['serverAuth'] }, random);

/** `records` opened in order under keys computed from the key log's `name` (`updates` KeyUpdates on): [type, content...]. */
function openedWith(events: readonly TlsEvent[], suiteCode: number, name: string, updates: number, sealed: Uint8Array[]): number[][] {
  const logged = events.find((e) => e.type === 'secret' && e.name === name);
  if (logged?.type !== 'secret') throw new Error(`no ${name} in the key log`);
  const suite = [...SUITES.values()].find((s) => s.code === suiteCode)!;
  let secret = logged.secret;
  for (let i = 0; i < updates; i++) secret = nextTrafficSecret(nobleProvider, suite, secret);
  const protection = trafficProtection(nobleProvider, suite, secret);
  return sealed.map((record) => {
    const opened = protection.open(record);
    return [opened.contentType, ...opened.content];
  });
}

const CLOSE_NOTIFY = [ContentType.alert, 1, 0];

describe.each([
  ['noble', nobleProvider],
  ['node:crypto', nodeCryptoProvider],
] as Array<[string, CryptoProvider]>)('what we seal after the peer\'s close_notify opens under the logged keys (%s)', (_name, provider) => {
  const configs = (seed: string): [ClientConfig, ServerConfig] => [
    { trust: { kind: 'ca', anchors: [ca.der] }, serverName: 'server.example', now: () => TEST_NOW, random: seededRandom(`${seed}/c`), provider },
    { certificate: serverId, now: () => TEST_NOW, random: seededRandom(`${seed}/s`), provider },
  ];

  it('the peer closes before its Finished: our close_notify, the first record under our application keys, is sealed under them', () => {
    const [c, s] = configs('before finished');
    const pair = clientCancelledAtCertificate(c, s, ca.der);
    pair.server.close();
    const sent = records(pair.server.takeOutput());
    expect(pair.server.info.cipherSuite).toBe('TLS_AES_128_GCM_SHA256');
    expect(openedWith(pair.events('server'), 0x1301, 'server_application_traffic_secret_0', 0, sent)).toEqual([CLOSE_NOTIFY]);
  });

  it('with 0-RTT: the client cancels in its first flight, after its early data; the server, past its Finished, closes under its application keys', () => {
    const [c, s] = configs('early');
    const tickets = { count: 1, key: seededRandom('early ticket key')(32), maxEarlyDataSize: 64, antiReplay: new SingleUseTickets() };
    const first = new InMemoryPair(c, { ...s, tickets }).run();
    const ticket = first.events('client').flatMap((e) => (e.type === 'session-ticket' ? [e.ticket] : []))[0]!;
    const pair = new InMemoryPair({ ...c, resumption: { ticket, earlyData: Uint8Array.of(1, 2, 3) } }, { ...s, tickets });
    pair.client.close();
    pair.step('client');
    pair.step('server');
    expect(pair.server.info.earlyData).toBe('accepted');
    expect(pair.events('server').filter((e) => e.type === 'closed')).toEqual([{ type: 'closed', by: 'peer' }]);
    expect(pair.server.isConnected).toBe(false);
    pair.server.takeOutput();
    pair.server.close();
    expect(openedWith(pair.events('server'), 0x1301, 'server_application_traffic_secret_0', 0, records(pair.server.takeOutput()))).toEqual([CLOSE_NOTIFY]);
  });

  it.each([0, 1])('connected, the peer closes first (after %i KeyUpdates of ours): our data and close_notify are sealed under our current keys', (updates) => {
    const pair = new InMemoryPair(...configs(`connected ${updates}`)).run();
    for (let i = 0; i < updates; i++) pair.server.updateKeys(false);
    pair.run();
    pair.client.close();
    pair.run();
    expect(pair.server.isWritable).toBe(true);
    pair.server.write(Uint8Array.of(7, 8));
    pair.server.close();
    const sent = records(pair.server.takeOutput());
    expect(openedWith(pair.events('server'), 0x1301, 'server_application_traffic_secret_0', updates, sent.slice(-2))).toEqual([[ContentType.application_data, 7, 8], CLOSE_NOTIFY]);
  });
});
