// Attacker's script: a peer that sends KeyUpdate(update_requested) again and again without reading. RFC 8446
// §4.6.3 asks the receiver for a KeyUpdate of its own "prior to sending its next Application Data record",
// and notes that this "causes an implementation which receives multiple KeyUpdates while it is silent to
// respond with a single update". One answer waits in our output until the caller takes it; requests that
// arrive meanwhile are answered by it (BoringSSL's key_update_pending does the same), so N requests cost us
// one answer and one write-key derivation, not N.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { Connection } from '../../src/handshake/connection.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { MAX_KEY_UPDATES_WITHOUT_DATA } from '../../src/handshake/traffic.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { concat, utf8 } from '../../src/wire/bytes.js';

function connectedPair(seed: string) {
  const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom(`${seed}-cert`));
  return new InMemoryPair(
    { trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom(`${seed}-c`) },
    { certificate: server, random: seededRandom(`${seed}-s`), tickets: { count: 0 } },
  ).run();
}

const keyUpdatesSent = (events: TlsEvent[]) =>
  events.flatMap((e) => (e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'key_update' ? [e.message.requestUpdate] : []));
/** Our write keys moved to the next generation (one HKDF-Expand-Label and one new AEAD key each). */
const ownUpdates = (events: TlsEvent[]) => events.filter((e) => e.type === 'decision' && e.topic === 'key_update' && e.value === 'we updated our keys').length;
const received = (pair: InMemoryPair, side: 'client' | 'server') => pair.events(side).flatMap((e) => (e.type === 'data' ? [utf8.decode(e.data)] : []));

describe('KeyUpdate requests from a peer that does not read our answers', () => {
  const requests = MAX_KEY_UPDATES_WITHOUT_DATA - 2;

  it(`${requests} requests in one flight draw one KeyUpdate (update_not_requested), and both directions still work`, () => {
    const pair = connectedPair('coalesce-flight');
    for (let i = 0; i < requests; i++) pair.client.updateKeys(true);
    pair.step('client');
    pair.run();
    expect(keyUpdatesSent(pair.events('server'))).toEqual([0]);
    expect(ownUpdates(pair.events('server'))).toBe(1);
    pair.client.write(utf8.encode('ping'));
    pair.server.write(utf8.encode('pong'));
    pair.run();
    expect(received(pair, 'server')).toEqual(['ping']);
    expect(received(pair, 'client')).toEqual(['pong']);
  });

  it('requests arriving record by record, our output untaken in between, draw one answer; a request after it was taken draws another', () => {
    const pair = connectedPair('coalesce-records');
    for (let i = 0; i < requests; i++) pair.client.updateKeys(true);
    expect(pair.stepFlight('client')).toBe(requests);
    pair.pull('server');
    expect(keyUpdatesSent(pair.events('server'))).toEqual([0]);
    // The answer has gone out: the next request is one the peer makes after seeing it, and is answered.
    pair.client.updateKeys(true);
    pair.run();
    expect(keyUpdatesSent(pair.events('server'))).toEqual([0, 0]);
    pair.client.write(utf8.encode('ping'));
    pair.server.write(utf8.encode('pong'));
    pair.run();
    expect(received(pair, 'server')).toEqual(['ping']);
    expect(received(pair, 'client')).toEqual(['pong']);
  });
});

// Attacker's script: a peer sends KeyUpdate(update_requested) after our previous answer went out, to a caller
// that takes our output with takeOutputRecords() (the record-by-record API, s6-bulk) instead of takeOutput().
// RFC 8446 §4.6.3: the receiver "MUST send a KeyUpdate of its own ... prior to sending its next Application
// Data record". Coalescing (s6-sec) may fold requests that arrive while our answer is still unsent into that
// answer, but once the answer has been taken, by either API, the next request must get an answer of its own:
// otherwise the peer asks for fresh keys and we keep sealing data under the old ones forever.
function drain(connection: Connection, into: TlsEvent[]): void {
  for (let e = connection.nextEvent(); e !== undefined; e = connection.nextEvent()) into.push(e);
}

describe('KeyUpdate answers when the caller takes output record by record', () => {
  for (const take of ['takeOutput', 'takeOutputRecords'] as const) {
    it(`each request made after our answer was taken (${take}) gets its own answer, and data after it uses the new keys`, () => {
      const pair = connectedPair(`records-api-${take}`);
      const { client, server } = pair;
      const serverEvents: TlsEvent[] = [];
      const clientEvents: TlsEvent[] = [];
      drain(server, []);
      drain(client, []);
      const takeFromServer = () => (take === 'takeOutput' ? server.takeOutput() : concat(...server.takeOutputRecords()));
      for (let round = 1; round <= 3; round++) {
        client.updateKeys(true);
        server.receive(client.takeOutput());
        client.receive(takeFromServer());
        drain(server, serverEvents);
        drain(client, clientEvents);
        // One answer per request: every request here came after the previous answer had been taken.
        expect(keyUpdatesSent(serverEvents)).toEqual(Array(round).fill(0));
      }
      // Data both ways still flows (the client follows each of our updates to read this).
      server.write(utf8.encode('pong'));
      client.receive(takeFromServer());
      drain(client, clientEvents);
      expect(clientEvents.flatMap((e) => (e.type === 'data' ? [utf8.decode(e.data)] : []))).toEqual(['pong']);
    });
  }
});
