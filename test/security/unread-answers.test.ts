// Attacker's script against the node adapter: a peer that asks for answers and never reads them. Each
// KeyUpdate with update_requested (RFC 8446 §4.6.3) makes us send a KeyUpdate of our own; one byte of
// application data between two of them keeps the flood limit (MAX_KEY_UPDATES_WITHOUT_DATA) from firing.
// If we go on reading while those answers wait unsent, every 50 bytes the peer sends leave 27 bytes in our
// memory, with no bound. Past MAX_UNSENT_ANSWER_BYTES of unread answers we stop reading the peer until it
// reads; a few answers never stop us (a peer may upload everything before it reads, and must not deadlock).
import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import { Connection } from '../../src/handshake/connection.js';
import { Tls13Socket } from '../../src/node/adapter.js';
import { MAX_UNSENT_ANSWER_BYTES } from '../../src/node/stream-driver.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';

const identity = makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['server.example'] }, keyType: 'p256' }, seededRandom('unread answers'));
/** The transport's own buffer (a Duplex's default highWaterMark). */
const TRANSPORT_MARK = 16 * 1024;

/**
 * Our server over an in-memory transport whose far end is the attacker: what the server writes reaches the
 * attacker only while it reads; otherwise the server's writes wait unacknowledged (no kernel buffer hides them).
 */
function serverAndAttacker() {
  const attacker = Connection.client({ trust: { kind: 'pinned-certificate', certificates: [identity.der] }, serverName: 'server.example', now: () => TEST_NOW });
  const state = { reading: true };
  const unread: Array<{ chunk: Buffer; callback: () => void }> = [];
  const send = () => {
    const bytes = attacker.takeOutput();
    if (bytes.length > 0) transport.push(Buffer.from(bytes));
  };
  const deliver = (chunk: Buffer, callback: () => void) => {
    attacker.receive(new Uint8Array(chunk));
    send();
    callback();
  };
  const transport: Duplex = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      if (state.reading) deliver(chunk, callback);
      else unread.push({ chunk, callback });
    },
  });
  const server = new Tls13Socket(transport, Connection.server({ certificate: identity, now: () => TEST_NOW, tickets: { count: 0 } }));
  let received = 0;
  server.on('data', (chunk: Buffer) => (received += chunk.length)); // the application reads all it is given
  server.on('error', () => {});
  send();
  return {
    attacker,
    transport,
    state,
    send,
    received: () => received,
    /** The attacker starts reading: what waited reaches it, and the server's writes are acknowledged again. */
    readAgain() {
      state.reading = true;
      for (const { chunk, callback } of unread.splice(0)) deliver(chunk, callback);
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

async function connected(attacker: Connection) {
  for (let i = 0; i < 100 && !attacker.isConnected; i++) await tick();
  expect(attacker.isConnected).toBe(true);
}

describe('a peer that does not read what we send', () => {
  it('asking for KeyUpdates without end: what we buffer stops growing, and everything flows once it reads', async () => {
    const peer = serverAndAttacker();
    await connected(peer.attacker);
    peer.state.reading = false;
    const requests = 8000;
    for (let i = 0; i < requests; i++) {
      peer.attacker.updateKeys(true);
      peer.attacker.write(Uint8Array.of(0x61));
      peer.send();
      if (i % 100 === 99) await tick();
    }
    await tick();
    // 8,000 answers are 216,000 bytes; what waits is the transport's own buffer, the cap and one answer past it.
    expect(peer.transport.writableLength).toBeLessThanOrEqual(TRANSPORT_MARK + MAX_UNSENT_ANSWER_BYTES + 64);

    peer.readAgain();
    for (let i = 0; i < 1000 && peer.received() < requests; i++) await tick();
    expect(peer.received()).toBe(requests);
    expect(peer.transport.writableLength).toBe(0);
  });

  it('uploading before it reads, with a few KeyUpdate requests on the way: we read all of it', async () => {
    const peer = serverAndAttacker();
    await connected(peer.attacker);
    peer.state.reading = false;
    // Something of ours waits unread past the transport's mark (a response sent early)...
    peer.transport.write(Buffer.alloc(TRANSPORT_MARK));
    expect(peer.transport.writableNeedDrain).toBe(true);
    // ...while the peer uploads 1 MiB and asks for a KeyUpdate every 256 KiB.
    const chunk = new Uint8Array(16 * 1024).fill(0x62);
    for (let i = 0; i < 64; i++) {
      if (i % 16 === 0) peer.attacker.updateKeys(true);
      peer.attacker.write(chunk);
      peer.send();
      await tick();
    }
    for (let i = 0; i < 100 && peer.received() < 64 * chunk.length; i++) await tick();
    expect(peer.received()).toBe(64 * chunk.length);
  });
});
