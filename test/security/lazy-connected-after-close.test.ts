// Attacker's test for the lazy `connected` event (handed-out.ts InfoCopies.connectedEvent) against what a connection
// does between the event and its first read, beyond lazy-connected-event.test.ts: the caller reuses the one buffer
// it gives receive() (zeroed after every call), data flows, both sides update their keys, the connection closes
// both ways (its secrets and record keys wiped, wipe.ts), or fails on a fatal alert. Read only then, the event
// must still give the peer's certificate as it came, in arrays of the reader's own, equal to what the `info`
// getter gave at the moment of the event; with both providers.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { Connection } from '../../src/handshake/connection.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { makeCast, SERVER_NAME } from '../../src/scenarios/mutual-tls.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { hex } from '../../src/wire/bytes.js';
import { described } from './plain-data.js';

const cast = makeCast('lazy connected after close');
const erin = makeIdentity({ subject: { CN: 'erin' }, serial: 310n, issuer: cast.privateCa, keyUsage: ['digitalSignature'], extKeyUsage: ['clientAuth'] }, seededRandom('lazy after close/erin'));

/** Passes output both ways through one buffer the caller reuses: zeroed after each receive(). */
function exchangeThroughOneBuffer(a: Connection, b: Connection): void {
  const scratch = new Uint8Array(1 << 16);
  for (let i = 0; i < 20; i++) {
    let moved = false;
    for (const [from, to] of [[a, b], [b, a]] as const) {
      const out = from.takeOutput();
      if (out.length === 0) continue;
      moved = true;
      scratch.set(out);
      to.receive(scratch.subarray(0, out.length));
      scratch.fill(0);
    }
    if (!moved) return;
  }
}

type Connected = Extract<TlsEvent, { type: 'connected' }>;
const connectedIn = (events: TlsEvent[]): Connected => events.find((e): e is Connected => e.type === 'connected')!;

function connectedPair(provider: CryptoProvider) {
  const client = Connection.client({ now: () => TEST_NOW, random: seededRandom('lazy after close/c'), serverName: SERVER_NAME, trust: { kind: 'ca', anchors: [cast.webCa.der] }, certificate: erin, provider });
  const server = Connection.server({ now: () => TEST_NOW, random: seededRandom('lazy after close/s'), certificate: cast.server, trust: { kind: 'ca', anchors: [cast.privateCa.der] }, clientAuth: 'require', tickets: { count: 2 }, provider });
  exchangeThroughOneBuffer(client, server);
  expect(client.isConnected && server.isConnected).toBe(true);
  // What the eager event held: the getter at the moment of the event.
  const eager = { client: described(client.info), server: described(server.info) };
  const events = { client: client.takeEvents(), server: server.takeEvents() };
  return { client, server, eager, events };
}

describe.each([
  ['node', nodeCryptoProvider],
  ['noble', nobleProvider],
] as const)('the connected event read last (%s provider)', (_name, provider) => {
  it('after data, KeyUpdates both ways and a close both ways (secrets wiped): the peer as it was, in arrays of its own', () => {
    const { client, server, eager, events } = connectedPair(provider);
    client.write(new TextEncoder().encode('hello'));
    server.updateKeys(true);
    exchangeThroughOneBuffer(client, server);
    server.write(new TextEncoder().encode('bye'));
    client.close();
    server.close();
    exchangeThroughOneBuffer(client, server);
    expect(client.isConnected || server.isConnected).toBe(false);
    const serverSees = connectedIn(events.server).info;
    const clientSees = connectedIn(events.client).info;
    expect(described(serverSees)).toEqual(eager.server);
    expect(described(clientSees)).toEqual(eager.client);
    expect(serverSees.peer?.kind !== 'psk' && hex(serverSees.peer!.chain[0]!)).toBe(hex(erin.der));
    expect(clientSees.peer?.kind !== 'psk' && hex(clientSees.peer!.chain[0]!)).toBe(hex(cast.server.der));
    // The reader's own: writing over it changes neither a second read nor the engine's record.
    if (serverSees.peer?.kind !== 'psk') serverSees.peer!.chain[0]!.fill(0);
    expect(hex(server.info.peer?.kind !== 'psk' ? server.info.peer!.chain[0]! : new Uint8Array())).toBe(hex(erin.der));
  });

  it('after a fatal alert (the peer sent garbage): the same', () => {
    const { client, server, eager, events } = connectedPair(provider);
    server.receive(Uint8Array.of(23, 3, 3, 0, 20, ...new Uint8Array(20)));
    expect(server.isConnected).toBe(false);
    exchangeThroughOneBuffer(client, server);
    expect(described(connectedIn(events.server).info)).toEqual(eager.server);
    expect(described(connectedIn(events.client).info)).toEqual(eager.client);
  });
});
