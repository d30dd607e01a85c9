// Attacker's script against record framing that reads headers in place (s6-decode: ByteQueue.byteAt instead of
// a copied 5-byte header, and the 4-byte handshake header the same way): the peer's bytes arrive cut at every
// offset, including inside the 5-byte record header and the 4-byte handshake header, in chunks of 1 to 6 bytes
// and with empty chunks in between. The handshake and the data must come out exactly as with whole records.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import { Connection } from '../../src/handshake/connection.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { utf8 } from '../../src/wire/bytes.js';

const identity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('split headers cert'));

/** Chunk sizes 0 (an empty chunk), 1, 2, ... 6, then again: every cut lands on every offset of some header. */
function* chunks(bytes: Uint8Array, start: number): Generator<Uint8Array> {
  let size = start;
  for (let at = 0; at < bytes.length; ) {
    const n = size % 7;
    yield bytes.subarray(at, at + n);
    at += n;
    size++;
  }
}

function run(start: number | undefined) {
  const client = Connection.client({ trust: { kind: 'pinned-certificate', certificates: [identity.der] }, now: () => TEST_NOW, random: seededRandom('split c') });
  const server = Connection.server({ certificate: identity, random: seededRandom('split s'), tickets: { count: 2 } });
  const deliver = (to: Connection, bytes: Uint8Array) => {
    if (start === undefined) to.receive(bytes);
    else for (const chunk of chunks(bytes, start)) to.receive(chunk);
  };
  for (let i = 0; i < 6; i++) {
    deliver(server, client.takeOutput());
    deliver(client, server.takeOutput());
    if (i === 2) {
      client.write(utf8.encode('ping '.repeat(4000)));
      server.write(utf8.encode('pong '.repeat(4000)));
      client.updateKeys(true);
    }
  }
  const summary = (events: TlsEvent[]) =>
    events.map((e) => (e.type === 'data' ? `data ${utf8.decode(e.data)}` : e.type === 'handshake-message' ? `${e.direction} ${e.message.kind}` : e.type === 'alert' ? `alert ${e.description}` : e.type));
  const clientEvents = client.takeEvents();
  const serverEvents = server.takeEvents();
  const data = (events: TlsEvent[]) => events.map((e) => (e.type === 'data' ? utf8.decode(e.data) : '')).join('');
  return {
    client: summary(clientEvents),
    server: summary(serverEvents),
    clientReceived: data(clientEvents),
    serverReceived: data(serverEvents),
    connected: client.isConnected && server.isConnected,
  };
}

describe('records and handshake messages cut inside their headers', () => {
  const whole = run(undefined);
  it('whole records: the reference run connects, moves data both ways and updates keys', () => {
    expect(whole.connected).toBe(true);
    expect(whole.serverReceived).toBe('ping '.repeat(4000));
    expect(whole.clientReceived).toBe('pong '.repeat(4000));
    expect(whole.server).toContain('in key_update');
  });
  for (const start of [0, 1, 2, 3, 4, 5, 6]) {
    it(`chunks of 0..6 bytes starting at ${start}: the same events on both sides`, () => {
      expect(run(start)).toEqual(whole);
    });
  }
});
