// Attacker's script against the node adapter: a peer that asks for answers and never reads them. Each
// KeyUpdate with update_requested (RFC 8446 §4.6.3) makes us send a KeyUpdate of our own; one byte of
// application data between two of them keeps the flood limit (MAX_KEY_UPDATES_WITHOUT_DATA) from firing.
// If we go on reading while those answers wait unsent, every 50 bytes the peer sends leave 27 bytes in our
// memory, with no bound: the peer must be read no faster than it takes our answers.
import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import { Connection } from '../../src/handshake/connection.js';
import { Tls13Socket } from '../../src/node/adapter.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';

const identity = makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['server.example'] }, keyType: 'p256' }, seededRandom('unread answers'));

/**
 * Our server over an in-memory transport whose far end is the attacker: what the server writes reaches the
 * attacker only while `reading`; afterwards its writes are never acknowledged (no kernel buffer to hide them).
 */
function serverAndAttacker() {
  const attacker = Connection.client({ trust: { kind: 'pinned-certificate', certificates: [identity.der] }, serverName: 'server.example', now: () => TEST_NOW });
  const state = { reading: true };
  const unread: Array<{ chunk: Buffer; callback: () => void }> = [];
  const deliver = (chunk: Buffer, callback: () => void) => {
    attacker.receive(new Uint8Array(chunk));
    send();
    callback();
  };
  const transport = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      if (state.reading) deliver(chunk, callback);
      else unread.push({ chunk, callback }); // not acknowledged while the peer does not read
    },
  });
  /** The attacker starts reading: what waited reaches it, and the server's writes are acknowledged again. */
  const readAgain = () => {
    state.reading = true;
    for (const { chunk, callback } of unread.splice(0)) deliver(chunk, callback);
  };
  const send = () => {
    const bytes = attacker.takeOutput();
    if (bytes.length > 0) transport.push(Buffer.from(bytes));
  };
  const server = new Tls13Socket(transport, Connection.server({ certificate: identity, now: () => TEST_NOW, tickets: { count: 0 } }));
  server.on('data', () => {}); // the application reads all it is given
  server.on('error', () => {});
  send();
  return { attacker, transport, server, state, send, readAgain };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('a peer that asks for KeyUpdates and never reads the answers', () => {
  it('is read no further once our answers wait unsent: what we buffer stays bounded', async () => {
    const { attacker, transport, server, state, send, readAgain } = serverAndAttacker();
    let received = 0;
    server.on('data', (chunk: Buffer) => (received += chunk.length));
    for (let i = 0; i < 100 && !attacker.isConnected; i++) await tick();
    expect(attacker.isConnected).toBe(true);
    state.reading = false;
    for (let i = 0; i < 4000; i++) {
      attacker.updateKeys(true);
      attacker.write(Uint8Array.of(0x61));
      send();
      if (i % 100 === 99) await tick();
    }
    await tick();
    // 4000 answers are 108 000 bytes; the stream's own buffer (16 KiB) and one round of answers may wait.
    expect(transport.writableLength).toBeLessThan(32 * 1024);

    // Once the peer reads, nothing is stuck: every answer and every byte of data goes through.
    readAgain();
    for (let i = 0; i < 1000 && received < 4000; i++) await tick();
    expect(received).toBe(4000);
    expect(transport.writableLength).toBe(0);
  });
});
