// Attacker's test (memory disclosure after the fact, as wipe-at-close.test.ts): a connection whose transport is
// gone (a socket destroyed, a handshake timeout, a half-closed connection the application drops) never closes both
// ways nor fails, so nothing wiped its keys: they stayed for the garbage collector, readable in a heap dump for as
// long as anything kept the Connection. `Connection.abandon()` ends it without an alert and wipes; the node adapter
// calls it from `_destroy` (socket.destroy(), a transport error, a handshake timeout, `tls13 serve`'s timeouts).
// Heap walk: held-secrets.ts; the first test shows it finds the secrets when nothing wipes them.
import { once } from 'node:events';
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import type { SessionTicket, TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { connect, createServer, type Tls13Socket } from '../../src/node/adapter.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { ca, listen, serverCertificates } from '../node/fixtures.js';
import { held, keyKeeping, loggedSecrets, type Secret } from './held-secrets.js';

const identity = serverCertificates['ECDSA P-256'];

function configs(seed: string, provider = nobleProvider): [ClientConfig, ServerConfig] {
  return [
    { trust: { kind: 'ca', anchors: [ca.der] }, serverName: 'localhost', now: () => Date.now(), random: seededRandom(`${seed}/c`), provider },
    { certificate: identity, now: () => Date.now(), random: seededRandom(`${seed}/s`), tickets: { count: 1 }, provider },
  ];
}

describe('Connection.abandon()', () => {
  const points: Array<[string, (pair: InMemoryPair) => void, 'client' | 'server']> = [
    ['the server, its flight sent, waiting for the client Finished', (pair) => (pair.step('client'), pair.step('server')), 'server'],
    ['the client, connected, its Finished not yet delivered', (pair) => (pair.step('client'), pair.step('server')), 'client'],
    ['connected', (pair) => pair.run(), 'client'],
    ['half closed: we sent close_notify', (pair) => (pair.run(), pair.client.close(), pair.run()), 'client'],
    ['half closed: the peer sent close_notify', (pair) => (pair.run(), pair.server.close(), pair.run()), 'client'],
  ];

  it.each(points)('%s: the walk finds its secrets, abandon() leaves none, sends nothing, and closes it for every call', (what, reach, side) => {
    const { provider, extracted } = keyKeeping(nobleProvider);
    const pair = new InMemoryPair(...configs(what, provider));
    reach(pair);
    const connection = pair.connection(side);
    connection.takeOutput(); // what it sealed before stays for takeOutput(): dropped here, as a destroyed socket does
    const secrets: Secret[] = [...loggedSecrets(pair.events(side), connection.info.cipherSuite), ...extracted];
    expect(held(connection, secrets).length).toBeGreaterThan(0);
    connection.abandon();
    expect(connection.takeEvents()).toEqual([{ type: 'closed', by: 'us', error: 'abandoned: no alert sent' }]);
    expect(held(connection, secrets)).toEqual([]);
    expect(connection.takeOutput()).toHaveLength(0);
    expect(connection.isClosed).toBe(true);
    expect(connection.state).toBe('CLOSED');
    expect(() => connection.write(Uint8Array.of(1))).toThrow(/closed/);
    expect(() => connection.exportKeyingMaterial('EXPERIMENTAL abandon', new Uint8Array(0), 32)).toThrow(/once connected/);
    connection.close();
    connection.abandon();
    connection.receive(pair.connection(side === 'client' ? 'server' : 'client').takeOutput());
    expect(connection.takeOutput()).toHaveLength(0);
    expect(connection.takeEvents()).toEqual([]);
  });

  it('after a close both ways it does nothing: no event, and the exporter still answers', () => {
    const pair = new InMemoryPair(...configs('clean')).run();
    const exported = pair.client.exportKeyingMaterial('EXPERIMENTAL abandon', new Uint8Array(0), 32);
    pair.client.close();
    pair.server.close();
    pair.run();
    pair.client.abandon();
    expect(pair.client.takeEvents()).toEqual([]);
    expect(pair.client.exportKeyingMaterial('EXPERIMENTAL abandon', new Uint8Array(0), 32)).toEqual(exported);
  });

  it('from a callback in the middle of a step: done once the step returns, the step not cut (its flight sealed under real keys), nothing derived after it left', () => {
    let server: Connection | undefined;
    let calls = 0;
    const [c, s] = configs('callback');
    const abandoning = { ...nobleProvider, hkdfExtract: (...args: Parameters<typeof nobleProvider.hkdfExtract>) => (calls++ === 0 && server?.abandon(), nobleProvider.hkdfExtract(...args)) };
    const { provider, extracted } = keyKeeping(abandoning);
    server = Connection.server({ ...s, provider });
    const client = Connection.client(c);
    server.receive(client.takeOutput());
    expect(calls).toBeGreaterThan(0);
    expect(server.isClosed).toBe(true);
    client.receive(server.takeOutput());
    expect(client.isConnected).toBe(true);
    const events = server.takeEvents();
    expect(events.filter((e) => e.type === 'closed')).toEqual([{ type: 'closed', by: 'us', error: 'abandoned: no alert sent' }]);
    const secrets = [...loggedSecrets(events, client.info.cipherSuite), ...extracted];
    expect(secrets.map((x) => x.name)).toContain('server_application_traffic_secret_0');
    expect(held(server, secrets)).toEqual([]);
  });
});

describe('a node socket destroyed: its engine connection holds no secret', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

  /**
   * The secrets `socket` logged (a 'tlsEvent' listener turns its secret events on) and those `extracted`; `suite`:
   * a resumed session's, before the ServerHello.
   */
  function logging(socket: Tls13Socket, extracted: Secret[], suite?: string): () => Secret[] {
    const events: TlsEvent[] = [];
    socket.on('tlsEvent', (event: TlsEvent) => events.push(event));
    return () => [...loggedSecrets(events, socket.info.cipherSuite ?? suite), ...extracted];
  }

  /** Our server; every accepted socket (from the TCP accept on) and its secrets. */
  async function server(options: { allowHalfOpen?: boolean; handshakeTimeout?: number; tickets?: { maxEarlyDataSize: number } } = {}) {
    const keeping = keyKeeping(nodeCryptoProvider);
    const sockets: Array<{ socket: Tls13Socket; secrets: () => Secret[] }> = [];
    const tls = createServer({ certificate: identity, provider: keeping.provider, ...options }, (socket) => {
      socket.on('data', () => {});
    });
    tls.on('tlsSocket', (socket: Tls13Socket) => {
      socket.on('error', () => {});
      sockets.push({ socket, secrets: logging(socket, keeping.extracted) });
    });
    cleanups.push(() => tls.close());
    return { port: await listen(tls), sockets };
  }

  function client(port: number, options: Partial<Parameters<typeof connect>[0]> = {}, suite?: string) {
    const keeping = keyKeeping(nodeCryptoProvider);
    const socket = connect({ host: 'localhost', port, trust: { kind: 'ca', anchors: [ca.der] }, provider: keeping.provider, ...options });
    socket.on('error', () => {});
    return { socket, secrets: logging(socket, keeping.extracted, suite) };
  }

  async function destroyed(socket: Tls13Socket): Promise<void> {
    const closed = new Promise((resolve) => socket.once('close', resolve));
    if (!socket.destroyed) socket.destroy();
    if (!socket.closed) await closed;
  }

  it('before the server answered: a client offering 0-RTT (early secret, early traffic keys)', async () => {
    const { port } = await server({ tickets: { maxEarlyDataSize: 1024 } });
    const first = client(port);
    const [ticket] = (await once(first.socket, 'session')) as [SessionTicket];
    await destroyed(first.socket);
    const early = client(port, { session: ticket, earlyData: 'early' }, first.socket.info.cipherSuite);
    await new Promise(setImmediate); // its first events, delivered on the next tick
    const secrets = early.secrets();
    early.socket.destroy();
    expect(secrets.map((s) => s.name)).toContain('client_early_traffic_secret');
    expect(held(early.socket.connection, secrets)).toEqual([]);
  });

  it('during the handshake: a server whose client sent its ClientHello and nothing more (handshake timeout)', async () => {
    const { port, sockets } = await server({ handshakeTimeout: 100 });
    const raw = net.connect(port, '127.0.0.1');
    cleanups.push(() => raw.destroy());
    raw.write(Connection.client(configs('silent')[0]).takeOutput());
    raw.resume();
    while (sockets.length === 0) await once(raw, 'data');
    const [{ socket, secrets }] = sockets as [(typeof sockets)[0]];
    if (!socket.closed) await new Promise((resolve) => socket.once('close', resolve));
    expect(secrets().map((s) => s.name)).toContain('server_handshake_traffic_secret');
    expect(held(socket.connection, secrets())).toEqual([]);
  });

  it('after the handshake, both sides (the server by the transport closing under it)', async () => {
    const { port, sockets } = await server();
    const ours = client(port);
    await once(ours.socket, 'secureConnect');
    ours.socket.write('hello');
    await destroyed(ours.socket);
    expect(held(ours.socket.connection, ours.secrets())).toEqual([]);
    const theirs = sockets[0]!;
    await destroyed(theirs.socket);
    expect(theirs.secrets().map((s) => s.name)).toContain('server_application_traffic_secret_0');
    expect(held(theirs.socket.connection, theirs.secrets())).toEqual([]);
  });

  it('after a half close: the client that sent close_notify, the server that received it, each dropped', async () => {
    const { port, sockets } = await server({ allowHalfOpen: true });
    const ours = client(port, { allowHalfOpen: true });
    await once(ours.socket, 'secureConnect');
    ours.socket.end();
    const theirs = sockets[0]!;
    await once(theirs.socket, 'end');
    expect(theirs.socket.connection.isClosed || ours.socket.connection.isClosed).toBe(false);
    await destroyed(theirs.socket);
    await destroyed(ours.socket);
    for (const { socket, secrets } of [ours, theirs]) {
      expect(secrets().map((s) => s.name)).toContain('client_application_traffic_secret_0');
      expect(held(socket.connection, secrets())).toEqual([]);
    }
  });
});
