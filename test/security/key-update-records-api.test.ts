// Attacker's script: a peer sends KeyUpdate(update_requested) after our previous answer went out, to a caller
// that takes our output with takeOutputRecords() (the record-by-record API, s6-bulk) instead of takeOutput().
// RFC 8446 §4.6.3: the receiver "MUST send a KeyUpdate of its own ... prior to sending its next Application
// Data record". Coalescing (s6-sec) may fold requests that arrive while our answer is still unsent into that
// answer, but once the answer has been taken, by either API, the next request must get an answer of its own:
// otherwise the peer asks for fresh keys and we keep sealing data under the old ones forever.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { Connection } from '../../src/handshake/connection.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
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
