// The Node adapter's server side: a net.Server whose connections are Tls13Sockets, like node:tls `Server`,
// with one ticket key and one 0-RTT anti-replay register shared by every connection it accepts.
import * as net from 'node:net';
import { Connection } from '../handshake/connection.js';
import type { ServerConfig, TicketConfig } from '../handshake/config.js';
import { checkedServerSnapshot, readFields, snapshotConfig } from '../handshake/config-snapshot.js';
import { SingleUseTickets } from '../handshake/tickets.js';
import { ownedDraws, systemRandom } from '../crypto/random.js';
import { Tls13Socket } from './adapter.js';
import { refuseBeforeHandshake } from './refusal.js';
import { socketOptions, type SocketOptions } from './socket-options.js';
import { translateServerOptions, type NodeTlsServerOptions } from './tls-options.js';

/** Default NewSessionTickets per handshake, as OpenSSL (a client can use one ticket per connection). */
export const DEFAULT_TICKET_COUNT = 2;

export interface ServerOptions extends ServerConfig, SocketOptions, NodeTlsServerOptions {
  /** As net.createServer's: turn Nagle's algorithm off on each accepted connection (node's http server does; default false). */
  noDelay?: boolean;
}

/**
 * A TCP server speaking TLS 1.3, like node:tls `Server`: 'secureConnection' (socket) per client that
 * completed the handshake, 'tlsClientError' (error, socket) for one that did not (the accepted net.Socket for one
 * refused before its handshake: its config's objects held as given no longer pass), 'keylog' (line, socket),
 * 'earlyData' (chunk, socket) for accepted 0-RTT data (before 'secureConnection'; the chunk is also readable).
 * 'tlsSocket' (socket) as soon as a TCP connection is accepted, for watching the whole handshake.
 * One misbehaving client never affects the others.
 *
 * Session tickets: every connection of one server shares one ticket key (random per server unless
 * `tickets.key` is given), so a ticket from one connection resumes on any other; `tickets.count` defaults
 * to 2. With `tickets.maxEarlyDataSize` the server accepts 0-RTT, each ticket at most once (one
 * SingleUseTickets register per server unless `tickets.antiReplay` is given).
 */
export class Tls13Server extends net.Server {
  readonly #config: ServerConfig;
  private readonly socketOptions: SocketOptions;

  /** Checks the options whole, synchronously: a TypeError names what is wrong before anything listens. */
  constructor(options: ServerOptions, onSecureConnection?: (socket: Tls13Socket) => void) {
    // Each option read once, own or inherited, as the engine reads a config (config-snapshot.ts): object rest
    // would drop a `clientAuth: 'require'` given through a prototype (test/security/node-inherited-options).
    const given = readFields(options, 'createServer') as ServerOptions;
    const { handshakeTimeout, allowHalfOpen, noDelay } = given;
    if (noDelay !== undefined && typeof noDelay !== 'boolean') throw new TypeError(`noDelay must be a boolean: got ${typeof noDelay}`);
    // Half-open TCP: a client's FIN must not end our side before we answered (RFC 8446 §6.1).
    super({ allowHalfOpen: true, noDelay: noDelay === true }, (raw) => this.accept(raw));
    // Checked once, as a frozen copy every connection shares: later changes to `options` change nothing here.
    const config = snapshotConfig(translateServerOptions(given));
    this.#config = checkedServerSnapshot({ ...config, tickets: serverTickets(config) });
    this.socketOptions = socketOptions({ handshakeTimeout, allowHalfOpen });
    if (onSecureConnection) this.on('secureConnection', onSecureConnection);
  }

  private accept(raw: net.Socket): void {
    let connection: Connection;
    try {
      // The objects the config holds as given (provider, codecs, anti-replay register) are judged again, as the
      // engine judges them at every use of a checked config: one changed in place since is this connection's error.
      connection = Connection.server(this.#config);
    } catch (error) {
      refuseBeforeHandshake(raw);
      this.emit('tlsClientError', error, raw);
      return;
    }
    const socket = new Tls13Socket(raw, connection, this.socketOptions);
    // Before any handshake event: a listener sees the socket's 'tlsEvent's from the ClientHello on.
    this.emit('tlsSocket', socket);
    // Stays for the socket's life, as node:tls's own listener: an error after 'secureConnection' (a forged
    // record, a reset) closes the socket and reaches the application's listeners, if any; without one it
    // would be thrown, and one client could crash the server.
    let secure = false;
    socket.on('error', (error: Error) => {
      if (!secure) this.emit('tlsClientError', error, socket);
    });
    // Forwarded when the server has listeners as the connection is accepted (a key-log line costs its hex).
    if (this.listenerCount('keylog') > 0) socket.on('keylog', (line: Buffer) => this.emit('keylog', line, socket));
    socket.on('earlyData', (chunk: Buffer) => this.emit('earlyData', chunk, socket));
    socket.once('secure', () => {
      secure = true;
      this.emit('secureConnection', socket);
    });
  }
}

/** `options`: a snapshot, whose `tickets` holds as own fields what the caller's held as own or inherited. */
function serverTickets(options: ServerConfig): TicketConfig {
  const tickets: TicketConfig = { count: DEFAULT_TICKET_COUNT, ...options.tickets };
  // A draw of its own: the caller's RandomSource may refill and hand out this array again (reused-random-ticket-key).
  tickets.key ??= ownedDraws(options.random ?? systemRandom)(32);
  if (tickets.maxEarlyDataSize !== undefined) tickets.antiReplay ??= new SingleUseTickets();
  return tickets;
}

export function createServer(options: ServerOptions, onSecureConnection?: (socket: Tls13Socket) => void): Tls13Server {
  return new Tls13Server(options, onSecureConnection);
}
