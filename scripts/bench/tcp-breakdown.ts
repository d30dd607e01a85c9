// Where a handshake's CPU goes between memory and loopback TCP (docs/performance-tcp-notes.md): the same
// Ed25519-pinned handshake (the TCP row's case and configs) through each layer in turn, CPU time of the
// whole process per handshake (both sides, all threads), in interleaved slices (timing.ts):
//   engine in memory -> adapter over a duplexPair -> ConnectionDriver alone over TCP -> adapter over TCP,
// next to the handshake's I/O alone over net.Socket (its three writes, no TLS), the same I/O with an
// in-memory handshake done inside it (no adapter, no driver), and node:tls over TCP and over a duplexPair.
// usage: node dist/scripts/bench/tcp-breakdown.js [--seconds N]
import { once } from 'node:events';
import * as net from 'node:net';
import { loadavg } from 'node:os';
import { duplexPair, type Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { systemRandom } from '../../src/crypto/random.js';
import { Connection } from '../../src/handshake/connection.js';
import type { ServerConfig } from '../../src/handshake/config.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { ConnectionDriver, connect, Tls13Socket } from '../../src/node/adapter.js';
import { translateClientOptions } from '../../src/node/tls-options.js';
import { engineConfigs, makeCases, type HandshakeCase } from './cases.js';
import { engineHandshake } from './engine.js';
import { nodeTlsHandshake } from './node-tls.js';
import { spreadText, table } from './report.js';
import { cpuMsPer, measure, msPer, spread, type Measurement, type Spread } from './timing.js';
import { listening, LOOPBACK, nodeTlsOverTcp, oursOverTcp } from './tcp.js';
import { runMain } from './deadline.js';

/** Resolves with the first 'connected' of a driver's connection; rejects on the first 'closed'. */
function driven(connection: Connection, transport: Duplex): Promise<void> {
  return new Promise((resolve, reject) => {
    new ConnectionDriver(connection, transport, {
      event: (event) => {
        if (event.type === 'connected') resolve();
        else if (event.type === 'closed' || event.type === 'decision-needed') reject(new Error(`driver: ${event.type}`));
      },
    });
  });
}

/** The adapter's two Tls13Sockets over a duplexPair (no kernel, no net.Socket). */
function adapterOverPair(c: HandshakeCase, server: ServerConfig): () => Promise<void> {
  const { client } = engineConfigs(c, nodeCryptoProvider, systemRandom);
  return async () => {
    const [clientSide, serverSide] = duplexPair();
    const clientSocket = connect({ ...client, socket: clientSide });
    const serverSocket = new Tls13Socket(serverSide, Connection.server(server));
    await Promise.all([once(serverSocket, 'secure'), once(clientSocket, 'secureConnect')]);
    clientSocket.destroy();
    serverSocket.destroy();
  };
}

/** The engine over TCP through ConnectionDriver only: no Tls13Socket, its timer or listeners. */
async function driverOverTcp(c: HandshakeCase, server: ServerConfig): Promise<{ handshake: () => Promise<void>; close: () => void }> {
  const { client } = engineConfigs(c, nodeCryptoProvider, systemRandom);
  const { config } = translateClientOptions({ ...client, host: LOOPBACK });
  const listener = net.createServer({ allowHalfOpen: true });
  const port = await listening(listener);
  const handshake = async () => {
    const accepted = once(listener, 'connection') as Promise<[net.Socket]>;
    const socket = net.connect({ host: LOOPBACK, port, allowHalfOpen: true });
    const clientDone = driven(Connection.client(config), socket);
    const [raw] = await accepted;
    await Promise.all([clientDone, driven(Connection.server(server), raw)]);
    socket.destroy();
    raw.destroy();
  };
  return { handshake, close: () => listener.close() };
}

/**
 * The handshake's I/O without TLS: connect, a ClientHello-sized write, a flight-sized answer, a
 * Finished-sized write, close; `work` (an in-memory handshake) runs where the server would compute its flight.
 */
async function ioOverTcp(work?: () => void): Promise<{ handshake: () => Promise<void>; close: () => void }> {
  const listener = net.createServer({ allowHalfOpen: true });
  const port = await listening(listener);
  const [hello, flight, finished] = [Buffer.alloc(250, 1), Buffer.alloc(1100, 2), Buffer.alloc(80, 3)];
  const handshake = async () => {
    const accepted = once(listener, 'connection') as Promise<[net.Socket]>;
    const socket = net.connect({ host: LOOPBACK, port, allowHalfOpen: true });
    socket.write(hello);
    const [raw] = await accepted;
    const serverDone = (async () => {
      await once(raw, 'data');
      work?.();
      raw.write(flight);
      await once(raw, 'data');
    })();
    await once(socket, 'data');
    socket.write(finished);
    await serverDone;
    socket.destroy();
    raw.destroy();
  };
  return { handshake, close: () => listener.close() };
}

export interface BreakdownRow {
  contender: string;
  measurement: Measurement;
  /** CPU per handshake over the adapter-over-TCP contender's, per round. */
  vsAdapterOverTcp: Spread;
}

/** Times `c` (a certificate case without mutual TLS, resumption or raw keys) through every layer, `seconds` each. */
export async function tcpBreakdown(c: HandshakeCase, seconds: number): Promise<BreakdownRow[]> {
  const { server } = engineConfigs(c, nodeCryptoProvider, systemRandom);
  const inMemory = engineHandshake(c, nodeCryptoProvider, systemRandom);
  const ours = await oursOverTcp(c);
  const driver = await driverOverTcp(c, server);
  const io = await ioOverTcp();
  const ioWithEngine = await ioOverTcp(inMemory);
  const node = await nodeTlsOverTcp(c);
  try {
    const contenders: [string, () => void | Promise<void>][] = [
      ['adapter over TCP', ours.handshake],
      ['engine in memory', inMemory],
      ['engine in memory inside the I/O alone', ioWithEngine.handshake],
      ['adapter over duplexPair', adapterOverPair(c, server)],
      ['ConnectionDriver over TCP', driver.handshake],
      ['the I/O alone over net.Socket', io.handshake],
      ['node:tls over TCP', node.handshake],
      ['node:tls over duplexPair', nodeTlsHandshake(c)],
    ];
    const runs = await measure(seconds, contenders.map(([, run]) => run), undefined, { row: 'TCP breakdown' });
    const cpuPerSlice = (m: Measurement) => m.slices.map((s) => s.cpuMs / s.iterations);
    const reference = cpuPerSlice(runs[0]!);
    return runs.map((measurement, i) => ({
      contender: contenders[i]![0],
      measurement,
      vsAdapterOverTcp: spread(cpuPerSlice(measurement).map((cpu, round) => cpu / reference[round]!)),
    }));
  } finally {
    ours.server.close();
    driver.close();
    io.close();
    ioWithEngine.close();
    node.server.close();
  }
}

export function renderTcpBreakdown(caseName: string, rows: BreakdownRow[]): string {
  return (
    `${caseName}: CPU ms per handshake (both sides, all threads), load ${loadavg()[0]!.toFixed(1)}\n` +
    table(
      ['contender', 'CPU ms/hs', 'wall ms/hs', 'CPU ÷ adapter over TCP (per round)'],
      rows.map((r) => [r.contender, cpuMsPer(r.measurement), msPer(r.measurement), spreadText(r.vsAdapterOverTcp)]),
      3,
    ) +
    '\n'
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await runMain(async () => {
    const { values } = parseArgs({ options: { seconds: { type: 'string', default: '2' } } });
    const c = makeCases().find((k) => k.name === 'ed25519 pinned');
    if (!c) throw new Error('no ed25519 pinned case');
    console.log(renderTcpBreakdown(c.name, await tcpBreakdown(c, Number(values.seconds))));
  });
}
