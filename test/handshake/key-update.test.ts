import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { MAX_KEY_UPDATES_WITHOUT_DATA } from '../../src/handshake/traffic.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { utf8 } from '../../src/wire/bytes.js';

function connectedPair(seed: string) {
  const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom(`${seed}-cert`));
  return new InMemoryPair(
    { trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom(`${seed}-c`) },
    { certificate: server, random: seededRandom(`${seed}-s`) },
  ).run();
}

const received = (pair: InMemoryPair, side: 'client' | 'server') =>
  pair.events(side).flatMap((e) => (e.type === 'data' ? [utf8.decode(e.data)] : []));

describe('KeyUpdate (RFC 8446 §4.6.3)', () => {
  it('keeps data flowing both ways after the client updates its keys without asking the server to', () => {
    const pair = connectedPair('ku1');
    pair.client.updateKeys(false);
    pair.client.write(utf8.encode('after client update'));
    pair.server.write(utf8.encode('server still on old keys'));
    pair.run();
    expect(received(pair, 'server')).toEqual(['after client update']);
    expect(received(pair, 'client')).toEqual(['server still on old keys']);
    expect(pair.events('server').filter((e) => e.type === 'handshake-message' && e.message.kind === 'key_update')).toHaveLength(1);
  });

  it('answers update_requested with its own KeyUpdate, and both directions move to new keys', () => {
    const pair = connectedPair('ku2');
    pair.server.updateKeys(true);
    pair.run();
    const clientSent = pair.events('client').filter((e) => e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'key_update');
    expect(clientSent.map((e) => e.type === 'handshake-message' && e.message.kind === 'key_update' && e.message.requestUpdate)).toEqual([0]);
    pair.client.write(utf8.encode('ping'));
    pair.server.write(utf8.encode('pong'));
    pair.run();
    expect(received(pair, 'server')).toEqual(['ping']);
    expect(received(pair, 'client')).toEqual(['pong']);
  });

  it(`stops a peer that sends more than ${MAX_KEY_UPDATES_WITHOUT_DATA} KeyUpdates without data with unexpected_message`, () => {
    const pair = connectedPair('ku3');
    for (let i = 0; i <= MAX_KEY_UPDATES_WITHOUT_DATA; i++) pair.client.updateKeys(false);
    pair.run();
    const alert = pair.events('server').find((e) => e.type === 'alert' && e.direction === 'out');
    expect(alert?.type === 'alert' && alert.description).toBe('unexpected_message');
    expect(pair.server.state).toBe('CLOSED');
  });

  it('derives equal exporter values on both sides, different per label and context (RFC 8446 §7.5)', () => {
    const pair = connectedPair('exp');
    const context = utf8.encode('ctx');
    const a = pair.client.exportKeyingMaterial('EXPORTER-test', context, 32);
    expect(pair.server.exportKeyingMaterial('EXPORTER-test', context, 32)).toEqual(a);
    expect(pair.server.exportKeyingMaterial('EXPORTER-other', context, 32)).not.toEqual(a);
    expect(pair.server.exportKeyingMaterial('EXPORTER-test', new Uint8Array(0), 32)).not.toEqual(a);
  });
});
