// Handshakes over loopback TCP: our `tls13-lab/node` adapter (connect / createServer, the node provider)
// against node:tls (tls.connect / tls.createServer), client and server in this one process, one connection
// at a time, in interleaved time slices (timing.ts). Each handshake opens a TCP connection, completes the
// handshake on both sides (the client accepting the server as the in-memory row does) and destroys both
// sockets; the same certificate, suite and group on both stacks.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import * as tls from 'node:tls';
import { systemRandom } from '../../src/crypto/random.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { connect, createServer, type Tls13Server, type Tls13Socket } from '../../src/node/adapter.js';
import { engineConfigs, SERVER_NAME, type HandshakeCase } from './cases.js';
import { endpoints, peerAccepted, serverContextOptions } from './node-tls.js';
import { spreadText, table } from './report.js';
import { measure, median, perSecond, roundRatios, type Measurement, type Spread } from './timing.js';
import { ProgressDeadline, withDeadline } from './deadline.js';

export interface TcpRow {
  case: string;
  /** Handshakes per second, each contender over all its slices. */
  oursPerSecond: number;
  nodeTlsPerSecond: number;
  /** Median wall time of one handshake (connect to both sides secure). */
  oursMedianMs: number;
  nodeTlsMedianMs: number;
  /** Ours over node:tls, per round of interleaved slices: median and range. */
  vsNodeTls: Spread;
  loadAverage: number;
}

export const LOOPBACK = '127.0.0.1';
/**
 * Handshakes of each contender before the measurement's own warm-up slice: 1000 per second of slice time (at
 * least 100); the serve row's servers get as many requests. V8 keeps optimising our adapter and engine for
 * thousands of TCP handshakes (docs/performance-history.md, seventh round, TCP and serve), node:tls's handshake is C++
 * from the start: a long-running server is warm, so the rows measure both warm. Both contenders get the same count.
 */
export function warmUpHandshakes(seconds: number): number {
  return Math.max(100, Math.round(1000 * seconds));
}

export async function listening<T extends { listen(port: number, host: string): unknown; address(): unknown }>(server: T): Promise<number> {
  server.listen(0, LOOPBACK);
  await withDeadline(once(server as unknown as NodeJS.EventEmitter, 'listening'), `a server listening on ${LOOPBACK}`);
  return (server.address() as AddressInfo).port;
}

/**
 * Our handshake over TCP: a Tls13Server with the row's server config (the node provider, no session
 * tickets as in the in-memory row) and a client `connect()` pinning the certificate.
 */
export async function oursOverTcp(c: HandshakeCase): Promise<{ handshake: () => Promise<void>; server: Tls13Server }> {
  const { client, server: serverConfig } = engineConfigs(c, nodeCryptoProvider, systemRandom);
  const server = createServer(serverConfig);
  const port = await listening(server);
  const handshake = async () => {
    const accepted = once(server, 'secureConnection') as Promise<[Tls13Socket]>;
    const socket = connect({ ...client, host: LOOPBACK, port });
    const [[serverSocket]] = await Promise.all([accepted, once(socket, 'secureConnect')]);
    if (!socket.authorized) throw new Error('our client did not accept the server');
    socket.destroy();
    serverSocket.destroy();
  };
  return { handshake, server };
}

/**
 * node:tls over TCP, as fast as it honestly goes for the same work: both SecureContexts made once (a
 * tls.Server makes its own from its options), the client comparing the leaf with the pinned DER (as our pinned-certificate policy).
 * node:tls cannot turn TLS 1.3 tickets off: its server sends two per handshake (node-tls.ts).
 */
export async function nodeTlsOverTcp(c: HandshakeCase): Promise<{ handshake: () => Promise<void>; server: tls.Server }> {
  const { clientContext } = endpoints(c);
  const server = tls.createServer(serverContextOptions(c));
  const port = await listening(server);
  const pinned = c.trust.kind === 'pinned-certificate' ? c.trust.anchor.der : undefined;
  const handshake = async () => {
    const accepted = once(server, 'secureConnection') as Promise<[tls.TLSSocket]>;
    const socket = tls.connect({ host: LOOPBACK, port, secureContext: clientContext, servername: SERVER_NAME, rejectUnauthorized: pinned === undefined });
    const [[serverSocket]] = await Promise.all([accepted, once(socket, 'secureConnect')]);
    if (!peerAccepted(socket, pinned)) throw new Error(`node:tls client did not accept the server: ${socket.authorizationError}`);
    socket.destroy();
    serverSocket.destroy();
  };
  return { handshake, server };
}

/** One row: `c` (a certificate case without mutual TLS, resumption or raw keys) over loopback TCP. */
export async function tcpRow(c: HandshakeCase, seconds: number): Promise<TcpRow> {
  const ours = await oursOverTcp(c);
  const node = await nodeTlsOverTcp(c);
  try {
    // The engine's code may be cold (a run with no in-memory row before): a warm-up of each first.
    const warmUpCount = warmUpHandshakes(seconds);
    const warmUp = new ProgressDeadline(`loopback TCP handshakes, ${c.name}, the first ${warmUpCount} of each`);
    await warmUp.guard(
      (async () => {
        for (let i = 0; i < warmUpCount; i++) {
          await ours.handshake();
          await node.handshake();
          warmUp.progress();
        }
      })(),
    );
    const [oursRun, nodeRun] = (await measure(seconds, [
      function oursTcpHandshake() {
        return ours.handshake();
      },
      function nodeTlsTcpHandshake() {
        return node.handshake();
      },
    ], undefined, { row: `loopback TCP handshakes, ${c.name}` })) as [Measurement, Measurement];
    return {
      case: c.name,
      oursPerSecond: perSecond(oursRun),
      nodeTlsPerSecond: perSecond(nodeRun),
      oursMedianMs: median(oursRun.samplesMs),
      nodeTlsMedianMs: median(nodeRun.samplesMs),
      vsNodeTls: roundRatios(oursRun, nodeRun),
      loadAverage: loadavg()[0]!,
    };
  } finally {
    ours.server.close();
    node.server.close();
  }
}

export function renderTcp(rows: TcpRow[]): string {
  return (
    'Handshakes over loopback TCP, one connection at a time, client and server in this process: tls13-lab/node (node provider)\n' +
    `vs node:tls (tls.Server, SecureContexts made once); x node:tls: median (range) of the per-round ratios:\n` +
    table(
      ['case', 'ours hs/s', 'ours ms', 'node:tls hs/s', 'node:tls ms', 'x node:tls', 'load'],
      rows.map((r) => [r.case, r.oursPerSecond, r.oursMedianMs, r.nodeTlsPerSecond, r.nodeTlsMedianMs, spreadText(r.vsNodeTls), r.loadAverage]),
      2,
    ) +
    '\n'
  );
}
