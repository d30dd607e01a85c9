// Our sans-I/O client over a real TCP socket, for tests that look at what a real server sent: it runs
// until `done` says the events suffice, then hangs up without closing (the server's flight is all we want).
import { connect } from 'node:net';
import type { ClientConfig } from '../handshake/config.js';
import { Connection } from '../handshake/connection.js';
import type { TlsEvent } from '../handshake/events.js';

/** The client's events, once `done(events)` holds; rejects on a socket error or a closed connection before that. */
export function clientEventsOverTcp(port: number, config: ClientConfig, done: (events: TlsEvent[]) => boolean): Promise<TlsEvent[]> {
  const client = Connection.client(config);
  const events: TlsEvent[] = [];
  const socket = connect(port, '127.0.0.1');
  return new Promise<TlsEvent[]>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`the connection closed before the events sufficed: ${JSON.stringify(events.filter((e) => e.type === 'closed'))}`)));
    socket.on('data', (bytes: Buffer) => {
      client.receive(new Uint8Array(bytes));
      events.push(...client.takeEvents());
      socket.write(client.takeOutput());
      if (done(events)) resolve(events);
    });
    socket.write(client.takeOutput());
  }).finally(() => socket.destroy());
}

/** Done once `count` session tickets are in. */
export const ticketsReceived =
  (count: number) =>
  (events: TlsEvent[]): boolean =>
    events.filter((e) => e.type === 'session-ticket').length >= count;
