// Attacker's script (a misuse an attacker profits from): the node server made with a RandomSource that refills
// and hands out one array per length (test/security/reused-random-buffer.test.ts). The server draws its
// ticket key once, 32 bytes, and kept the very array it was handed: every later 32-byte draw (each
// ServerHello's random, each X25519 private key) rewrote the ticket key. So the key that sealed a connection's
// tickets was the last 32 bytes it drew, its ephemeral X25519 private key (measured): the long-lived ticket key
// held a key share's private key, and whoever learns the ticket key decrypts that connection; and a ticket
// no longer resumes once another full handshake has run, which is how this test sees it.
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionTicket } from '../../src/handshake/events.js';
import { connect, createServer, type Tls13Socket } from '../../src/node/adapter.js';
import { ca, listen, serverCertificates } from '../node/fixtures.js';
import { reusingRandom } from './reusing-random.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** One connection of our client, sending a line and reading the echo; its tickets, and whether it resumed. */
async function connection(port: number, session?: SessionTicket): Promise<{ tickets: SessionTicket[]; resumed: boolean }> {
  const client: Tls13Socket = connect({ host: 'localhost', port, trust: { kind: 'ca', anchors: [ca.der] }, ...(session ? { session } : {}) });
  const tickets: SessionTicket[] = [];
  client.on('session', (t: SessionTicket) => tickets.push(t));
  await once(client, 'secureConnect');
  client.write('hello');
  await once(client, 'data');
  client.end();
  await once(client, 'close');
  return { tickets, resumed: client.info.resumed === true };
}

describe('the node server, made with a RandomSource that hands out one array again', () => {
  it('keeps its ticket key: a ticket from the first connection resumes after another full handshake', async () => {
    const server = createServer({ certificate: serverCertificates['ECDSA P-256'], random: reusingRandom() }, (socket) => {
      socket.on('data', (chunk: Buffer) => socket.write(chunk));
      socket.on('end', () => socket.end());
      socket.on('error', () => {});
    });
    cleanups.push(() => server.close());
    const port = await listen(server);
    const first = await connection(port);
    expect(first.tickets.length).toBeGreaterThan(0);
    // A full handshake in between: its draws must not reach the key that sealed the first connection's tickets.
    expect((await connection(port)).resumed).toBe(false);
    expect((await connection(port, first.tickets[0])).resumed).toBe(true);
  });
});
