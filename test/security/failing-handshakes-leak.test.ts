// Attacker: many clients at once whose handshakes fail, each its own way (a record that is no ClientHello, half
// a ClientHello then FIN, half a ClientHello then a TCP reset). Each must be reported once ('tlsClientError'),
// leave no connection open, and leave no handshake timer behind (a server under such a flood would otherwise
// hold one timer, and what it captured, per client for handshakeTimeout), while the server serves the next
// honest client.
import { afterEach, describe, expect, it } from 'vitest';
import * as net from 'node:net';
import { once } from 'node:events';
import { connect, createServer, type Tls13Server } from '../../src/node/adapter.js';
import { ca, certPem, listen, serverCertificates } from '../node/fixtures.js';

const CLIENTS = 60;
/** The first 9 bytes of a ClientHello record announcing 512 bytes that never come. */
const halfHello = Buffer.from([22, 3, 1, 2, 0, 1, 0, 1, 252]);
const notAHello = Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n');

const servers: Tls13Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('failing handshakes leave nothing behind', () => {
  it(`${CLIENTS} clients failing at once: each reported, no connection and no handshake timer left`, async () => {
    // A timeout far beyond the test: only clearing it on failure can make its timer go.
    const server = createServer({ certificate: serverCertificates['ECDSA P-256'], handshakeTimeout: 600_000 }, (socket) => socket.end('hello'));
    servers.push(server);
    let failures = 0;
    server.on('tlsClientError', () => failures++);
    const port = await listen(server);
    const baseline = timers();
    for (let i = 0; i < CLIENTS; i++) {
      const raw = net.connect(port, '127.0.0.1');
      raw.on('error', () => {});
      if (i % 3 === 0) raw.end(notAHello);
      else if (i % 3 === 1) raw.end(halfHello);
      else raw.write(halfHello, () => setTimeout(() => raw.resetAndDestroy(), 20));
    }
    const deadline = Date.now() + 20_000;
    while (failures < CLIENTS && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    // The alert's grace period (a 1 s unref'd timer per alerted connection, adapter.ts _destroy) is over after 1.2 s.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(failures).toBe(CLIENTS);
    expect(await new Promise((resolve) => server.getConnections((_e, n) => resolve(n)))).toBe(0);
    expect(timers() - baseline).toBeLessThan(5);
    const client = connect({ port, host: 'localhost', ca: certPem(ca) });
    const [chunk] = await once(client, 'data');
    expect(String(chunk)).toBe('hello');
    client.destroy();
  });
});
