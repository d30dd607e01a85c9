// Attacker's test for the wipe at close (connection.ts wipeSecrets) when the last records arrive after our own
// close_notify: the peer's KeyUpdate(update_requested), data, another request and its close_notify, all in one read.
// The requests must draw nothing from us (our close_notify said we send no more, RFC 8446 §6.1), nothing may be
// sealed after the keys are wiped (an Error there would end the connection with a second, failed `closed`), the
// data still arrives, and the exporter still answers as before the close (wipe.ts keeps it after a clean close).
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { hex } from '../../src/wire/bytes.js';

const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('half close cert'));

describe('records after our close_notify, the last one the peer\'s close_notify', () => {
  it('draw no KeyUpdate from us, seal nothing after the wipe, deliver the data; the exporter answers', () => {
    const pair = new InMemoryPair(
      { trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom('half close c'), keyUpdateAfterRecords: 2 },
      { certificate: server, random: seededRandom('half close s'), tickets: { count: 1 } },
    ).run();
    const { client, server: peer } = pair;
    const exported = hex(client.exportKeyingMaterial('EXPERIMENTAL half close', new Uint8Array(0), 32));
    client.takeEvents();
    client.close();
    const ourClose = client.takeOutput();
    expect(ourClose.length).toBeGreaterThan(0);
    peer.updateKeys(true);
    peer.write(Uint8Array.of(1, 2, 3));
    peer.updateKeys(true);
    peer.close();
    client.receive(peer.takeOutput());
    expect(client.takeOutput()).toHaveLength(0);
    const events = client.takeEvents();
    expect(events.filter((e) => e.type === 'closed')).toEqual([
      { type: 'closed', by: 'us' },
      { type: 'closed', by: 'peer' },
    ]);
    expect(events.flatMap((e) => (e.type === 'data' ? [...e.data] : []))).toEqual([1, 2, 3]);
    expect(events.filter((e) => e.type === 'handshake-message' && e.direction === 'out')).toEqual([]);
    expect(hex(client.exportKeyingMaterial('EXPERIMENTAL half close', new Uint8Array(0), 32))).toBe(exported);
  });
});
