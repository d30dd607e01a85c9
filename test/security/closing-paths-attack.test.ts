// Attacker: the red team of session 17, against the closing paths moved to handshake/closing.ts and changed by
// s17-close. After our close_notify nothing more goes out (RFC 8446 §6.1), not even an error alert: a peer that then
// sends garbage gets silence and a failed connection, not a record sealed under write keys that are gone (which
// would be an Error escaping, or worse). A second close() is nothing; abandon() after close() puts nothing on the wire.
import { describe, expect, it } from 'vitest';
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
