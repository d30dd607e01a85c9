// Attacker: TicketStore.collect() filed a connection's tickets under its `servername`, which is only the SNI:
// undefined for an IP address host, so every IP host's tickets went under '' (never found under the address,
// and mixed together: take('') handed one IP's ticket for any other). Tickets are now filed under the name
// each was issued for. And a ticket of one IP address is never offered to another IP address or to a DNS name
// of the same server (RFC 8446 §4.6.1; client/psk.ts ticketNotFor): its ClientHello carries no pre_shared_key.
import { describe, expect, it } from 'vitest';
import * as net from 'node:net';
import { connect, type Tls13Socket } from '../../src/node/adapter.js';
import { TicketStore } from '../../src/node/tickets.js';
import type { SessionTicket, TlsEvent } from '../../src/handshake/events.js';
import { ExtensionType } from '../../src/wire/enums.js';
import { ca, certPem, eventsOf, readAll, fileHelloServer } from '../node/fixtures.js';

// The certificate names localhost and 127.0.0.1.
const port = fileHelloServer();

/** A client to our server on 127.0.0.1 that means `host`; whether its ClientHello offered a ticket, and whether it resumed. */
async function visit(host: string, session?: SessionTicket, store?: TicketStore) {
  const client: Tls13Socket = connect({ socket: net.connect(port(), '127.0.0.1'), host, ca: certPem(ca), ...(session ? { session } : {}) });
  const events: TlsEvent[] = eventsOf(client);
  store?.collect(client);
  client.on('error', () => {});
  const text = await readAll(client).catch(() => '');
  const hello = events.find((e) => e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'client_hello');
  const offered = hello?.type === 'handshake-message' && hello.message.kind === 'client_hello' && hello.message.extensions.some((x) => x.type === ExtensionType.pre_shared_key);
  return { text, offered, resumed: client.info.resumed === true };
}

describe('TicketStore with IP address hosts', () => {
  it("files an IP host's tickets under its address, never under ''", async () => {
    const store = new TicketStore();
    expect(await visit('127.0.0.1', undefined, store)).toMatchObject({ text: 'hello', resumed: false });
    expect(store.count('127.0.0.1')).toBe(2);
    expect(store.count('')).toBe(0);
    expect(store.count('localhost')).toBe(0);
    expect(await visit('127.0.0.1', store.take('127.0.0.1'))).toEqual({ text: 'hello', offered: true, resumed: true });
  });

  it('a DNS host: filed under its name, as before', async () => {
    const store = new TicketStore();
    await visit('localhost', undefined, store);
    expect(store.count('localhost')).toBe(2);
    expect(store.count('')).toBe(0);
  });

  it("one IP address's ticket is never offered to another IP address or to a DNS name", async () => {
    const store = new TicketStore();
    await visit('127.0.0.1', undefined, store);
    const [first, second] = [store.take('127.0.0.1')!, store.take('127.0.0.1')!];
    expect(await visit('localhost', first)).toMatchObject({ offered: false, resumed: false, text: 'hello' });
    expect(await visit('127.0.0.2', second)).toMatchObject({ offered: false, resumed: false });
  });
});
