// The client entry point, like node:tls `connect`: node's options translated into a checked ClientConfig,
// a ticket to resume judged as node would, then a Tls13Socket over a new TCP connection or a given stream.
import type { Duplex } from 'node:stream';
import * as net from 'node:net';
import { Connection } from '../handshake/connection.js';
import type { ClientConfig } from '../handshake/config.js';
import { readFields, snapshotConfig } from '../handshake/config-snapshot.js';
import type { SessionTicket } from '../handshake/events.js';
import { Tls13Socket } from './adapter.js';
import { socketOptions, type SocketOptions } from './socket-options.js';
import { checkedClientOptions } from './client-options.js';
import { judgeSession, type NodeTlsClientOptions, type NodeVerification, type SessionJudgement } from './tls-options.js';

export interface ConnectOptions extends ClientConfig, SocketOptions, NodeTlsClientOptions {
  host?: string;
  port?: number;
  /** An already connected transport; `host`/`port` are then only used for the default server name. */
  socket?: Duplex;
  /** Resume the session of this ticket (a 'session' event of an earlier connection to the same server). */
  session?: SessionTicket;
  /**
   * With `session`: application data sent as 0-RTT (RFC 8446 §2.3) in the first flight, when the ticket
   * allows that much. Replayable by an attacker! Once connected, `info.earlyData` says whether the server
   * accepted it; unless 'accepted' it was not delivered (not sent, or 'rejected'), and it is up to the
   * caller to write it again.
   */
  earlyData?: Uint8Array | string;
}

/**
 * A client connection, like node:tls `connect`. `serverName`, the name the server certificate must carry,
 * defaults to `host` (default 'localhost'), DNS name or IP address as node:tls checks it; only a DNS name
 * goes out as SNI (RFC 6066 §3). With `insecureSkipServerNameCheck` there is no default.
 */
export function connect(given: ConnectOptions, onSecureConnect?: () => void): Tls13Socket {
  // Each option read once, own or inherited, as the engine reads a config (config-snapshot.ts): Object.keys
  // would drop a `trust` given through a prototype (test/security/node-inherited-options). No rest object:
  // checkedClientOptions takes the adapter's own options and leaves them out of the config.
  const options = readFields(given, 'connect') as ConnectOptions;
  const { host, port, socket, handshakeTimeout, allowHalfOpen, earlyData } = options;
  // Read once, as the config is: the ticket judged here (judgeSession) is the one the engine resumes and reports.
  const session = options.session && snapshotConfig({ session: options.session }).session;
  const settings: SocketOptions & { verification?: NodeVerification; session?: SessionJudgement } = socketOptions({ handshakeTimeout, allowHalfOpen });
  if (earlyData !== undefined && !session) throw new TypeError('earlyData needs a session to resume (0-RTT, RFC 8446 §2.3)');
  if (session !== undefined && (typeof session !== 'object' || session instanceof Uint8Array)) {
    throw new TypeError("session must be the SessionTicket of a 'session' event (not node:tls's Buffer)");
  }
  // Checked once per content of the options (client-options.ts): a frozen config, shared by the connections made
  // with it while the caller keeps what the options are made of.
  const { config, verification } = checkedClientOptions(options, given);
  const judged = session && judgeSession(verification, session);
  const resumption: ClientConfig['resumption'] =
    session && judged !== 'refused'
      ? {
          ticket: session,
          ...(earlyData === undefined ? {} : { earlyData: typeof earlyData === 'string' ? Buffer.from(earlyData) : earlyData }),
          ...(judged?.serverVerdict ? { serverVerdict: judged.serverVerdict } : {}),
        }
      : undefined;
  // The config is checked whole before the TCP connection is opened (with a ticket to resume, again as a whole).
  const connection = Connection.client(resumption ? { ...config, resumption } : config);
  const transport = socket ?? net.connect({ host: host ?? 'localhost', port: port ?? 443, allowHalfOpen: true });
  if (verification) settings.verification = verification;
  if (judged && judged !== 'refused') settings.session = judged;
  const tls = new Tls13Socket(transport, connection, settings);
  const named = options.servername ?? options.serverName;
  tls.servername = named !== undefined && net.isIP(named.replace(/^\[(.*)\]$/, '$1')) === 0 ? named : false;
  if (onSecureConnect) tls.once('secureConnect', onSecureConnect);
  return tls;
}
