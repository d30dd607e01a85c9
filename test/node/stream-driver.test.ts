// ConnectionDriver: a Connection over a plain TCP socket, against our server. Output goes out after every
// engine call (so a server that waits for the client's request gets it), events come in order, the end
// of the stream says whether the peer sent close_notify, and write() passes the socket's backpressure on.
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Connection } from '../../src/handshake/connection.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { ConnectionDriver, createServer, type Tls13Socket } from '../../src/node/adapter.js';
import { ca, listen, serverCertificates } from './fixtures.js';

const servers: net.Server[] = [];
afterEach(() => servers.splice(0).forEach((server) => server.close()));

/** Our server, sending nothing after the handshake (no tickets) until `onData` says so. */
async function server(onData: (socket: Tls13Socket, chunk: Buffer) => void): Promise<number> {
  const tls = createServer({ certificate: serverCertificates.Ed25519, tickets: { count: 0 } }, (socket) => {
    socket.on('data', (chunk: Buffer) => onData(socket, chunk));
    socket.on('error', () => {});
  });
  servers.push(tls);
  return listen(tls);
}

function drive(port: number, onEvent: (event: TlsEvent, driver: ConnectionDriver) => void) {
  const client = Connection.client({ serverName: 'localhost', trust: { kind: 'ca', anchors: [ca.der] }, now: Date.now });
  const events: TlsEvent[] = [];
  const ended = new Promise<{ closeNotify: boolean }>((resolve) => {
    const driver: ConnectionDriver = new ConnectionDriver(client, net.connect(port, '127.0.0.1'), {
      event: (event) => {
        events.push(event);
        onEvent(event, driver);
      },
      end: resolve,
    });
  });
  return { events, ended };
}

const received = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'data' ? [Buffer.from(e.data).toString()] : [])).join('');

describe('ConnectionDriver', () => {
  it('sends what is written after connected at once, to a server that says nothing first; a clean close is one', async () => {
    const port = await server((socket, chunk) => socket.end(`echo ${chunk}`));
    const { events, ended } = drive(port, (event, driver) => {
      if (event.type === 'connected') driver.write('ping');
      if (event.type === 'closed' && event.by === 'peer') driver.end();
    });
    expect(await ended).toEqual({ closeNotify: true });
    expect(received(events)).toBe('echo ping');
    expect(events.filter((e) => e.type === 'closed')).toEqual([{ type: 'closed', by: 'peer' }, { type: 'closed', by: 'us' }]);
  });

  it('reports a stream that ends without close_notify as such', async () => {
    const port = await server((socket) => socket.write('partial', () => socket.transport.end()));
    const { events, ended } = drive(port, (event, driver) => event.type === 'connected' && driver.write('go'));
    expect(await ended).toEqual({ closeNotify: false });
    expect(received(events)).toBe('partial');
  });

  it("passes the socket's backpressure on: write() is false while the socket's buffer is full, and all of it arrives", async () => {
    const size = 4 << 20;
    let got = 0;
    const port = await server((socket, chunk) => {
      got += chunk.length;
      if (got === size) socket.end('all here');
    });
    const results: boolean[] = [];
    const { events, ended } = drive(port, (event, driver) => {
      if (event.type === 'connected') results.push(driver.write(new Uint8Array(size)));
      if (event.type === 'closed' && event.by === 'peer') driver.end();
    });
    await ended;
    expect(results).toEqual([false]);
    expect(received(events)).toBe('all here');
  });
});
