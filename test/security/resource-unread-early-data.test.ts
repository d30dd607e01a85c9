// Attacker: a client with a 0-RTT ticket of its own sends as much early data as the ticket allows, to a
// createServer application that reads only once the handshake is done (as `tls13 serve` and most servers do:
// the 'data' listener comes with 'secureConnection'). Accepted early data is bounded by max_early_data_size
// (RFC 8446 §4.2.10; the engine refuses more with unexpected_message, test/security/accepted-early-data), so
// holding it costs at most that. But the adapter paused the TCP socket as soon as the unread early data passed
// the readable side's mark (16 KiB): the client's EndOfEarlyData and Finished were then never read, and every
// such connection hung until its handshake timeout. Nothing the application did could help: it reads only once
// 'secure' comes. Before the handshake completes the socket is no longer paused for unread early data; after
// it, unread data pauses the socket as before (memory: max_early_data_size plus the readable's mark).
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionTicket } from '../../src/handshake/events.js';
import { connect, createServer, type Tls13Server, type Tls13Socket } from '../../src/node/adapter.js';
import { ca, listen, serverCertificates } from '../node/fixtures.js';

const MAX_EARLY_DATA = 256 * 1024;
/** Early data of six times the readable side's default mark (16 KiB). */
const EARLY = Buffer.alloc(96 * 1024, 0x65);

const servers: Tls13Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** Our server, whose application reads a connection only from 'secureConnection' on (and not at all when `reads` is false). */
async function server(reads: boolean) {
  const connected: Array<{ socket: Tls13Socket; readableLength: number; paused: boolean }> = [];
  const failures: Error[] = [];
  const s = createServer({ certificate: serverCertificates['ECDSA P-256'], tickets: { maxEarlyDataSize: MAX_EARLY_DATA } }, (socket) => {
    // As the application finds it at 'secureConnection'.
    connected.push({ socket, readableLength: socket.readableLength, paused: (socket.transport as unknown as { isPaused(): boolean }).isPaused() });
    if (reads) socket.on('data', () => {});
  });
  s.on('tlsClientError', (error: Error) => failures.push(error));
  servers.push(s);
  return { port: await listen(s), connected, failures };
}

async function ticketFrom(port: number): Promise<SessionTicket> {
  const first = connect({ host: 'localhost', port, trust: { kind: 'ca', anchors: [ca.der] } });
  const [ticket] = (await once(first, 'session')) as [SessionTicket];
  first.destroy();
  return ticket;
}

describe('0-RTT data the server application has not read yet', () => {
  it(`${EARLY.length / 1024} KiB of accepted early data, read only after 'secureConnection': the handshake completes`, async () => {
    const { port, connected, failures } = await server(true);
    const ticket = await ticketFrom(port);
    expect(ticket.maxEarlyDataSize).toBe(MAX_EARLY_DATA);
    const client = connect({ host: 'localhost', port, trust: { kind: 'ca', anchors: [ca.der] }, session: ticket, earlyData: EARLY });
    client.on('error', () => {});
    // The server's 'secure' comes after the client's Finished, which follows all the early data on the wire.
    await once(client, 'secureConnect');
    expect(client.info.earlyData).toBe('accepted');
    const accepted = await new Promise<Tls13Socket | Error>((resolve) => {
      const poll = setInterval(() => {
        if (connected[1] || failures[0]) {
          clearInterval(poll);
          resolve(connected[1]?.socket ?? failures[0]!);
        }
      }, 10);
    });
    expect(accepted).not.toBeInstanceOf(Error);
    expect((accepted as Tls13Socket).earlyDataLength).toBe(EARLY.length);
    client.destroy();
  }, 30_000);

  it("an application that never reads: the early data waits in the readable buffer, and the socket is paused at 'secureConnection'", async () => {
    const { port, connected } = await server(false);
    const ticket = await ticketFrom(port);
    const client = connect({ host: 'localhost', port, trust: { kind: 'ca', anchors: [ca.der] }, session: ticket, earlyData: EARLY });
    client.on('error', () => {});
    await once(client, 'secureConnect');
    while (!connected[1]) await new Promise((resolve) => setTimeout(resolve, 10));
    const { socket, readableLength, paused } = connected[1];
    expect(socket.earlyDataLength).toBe(EARLY.length);
    // Bounded by max_early_data_size: what is held is the early data itself.
    expect(readableLength).toBe(EARLY.length);
    // Over the readable's mark: from now on nothing more is read until the application reads (test/security/unread-peer-memory).
    expect(paused).toBe(true);
    client.destroy();
  }, 30_000);
});
