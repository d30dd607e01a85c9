// Sessions over the Node adapter, checked against node:tls (OpenSSL) as the independent peer: resumption in
// both directions with node's `session` option and events, 0-RTT between our client and our server (with
// the replay defence), KeyUpdate in both directions with data before and after, and exporters.
import { once } from 'node:events';
import type * as net from 'node:net';
import * as tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, createServer, type Tls13Socket } from '../../src/node/adapter.js';
import { TicketStore } from '../../src/node/tickets.js';
import type { SessionTicket, TlsEvent } from '../../src/handshake/events.js';
import { ca, certPem, keyPem, listen, readAll, serverCertificates } from './fixtures.js';

const identity = serverCertificates['ECDSA P-256'];
const nodeTls13 = { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' } as const;
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function track<T extends net.Server>(server: T): T {
  cleanups.push(() => server.close());
  return server;
}

function ourClient(port: number, options: Partial<Parameters<typeof connect>[0]> = {}): Tls13Socket {
  return connect({ host: 'localhost', port, trust: { kind: 'ca', anchors: [ca.der] }, ...options });
}

/** Our server answering every chunk with `echo: <chunk>`. */
async function ourEchoServer(options: Partial<Parameters<typeof createServer>[0]> = {}) {
  const sockets: Tls13Socket[] = [];
  const early: string[] = [];
  const server = track(
    createServer({ certificate: identity, ...options }, (socket) => {
      sockets.push(socket);
      socket.on('data', (chunk: Buffer) => socket.write(`echo: ${chunk.toString()}`));
      socket.on('end', () => socket.end());
      socket.on('error', () => {});
    }),
  );
  server.on('earlyData', (chunk: Buffer) => early.push(chunk.toString()));
  const port = await listen(server);
  return { server, port, sockets, early };
}

/** The next chunk a stream gives. */
async function nextChunk(stream: NodeJS.EventEmitter): Promise<string> {
  const [chunk] = (await once(stream, 'data')) as [Buffer];
  return chunk.toString();
}

/** Handshake messages of one kind a socket received. */
function received(socket: Tls13Socket, kind: string): Array<Extract<TlsEvent, { type: 'handshake-message' }>> {
  const seen: Array<Extract<TlsEvent, { type: 'handshake-message' }>> = [];
  socket.on('tlsEvent', (event: TlsEvent) => {
    if (event.type === 'handshake-message' && event.direction === 'in' && event.message.kind === kind) seen.push(event);
  });
  return seen;
}

/** Connects our client once and returns the tickets it got (the server closes after a reply). */
async function firstTickets(port: number): Promise<SessionTicket[]> {
  const client = ourClient(port);
  const tickets: SessionTicket[] = [];
  client.on('session', (t: SessionTicket) => tickets.push(t));
  await once(client, 'secureConnect');
  client.write('hello');
  await nextChunk(client);
  client.end();
  await once(client, 'close');
  return tickets;
}

describe('resumption with node:tls', () => {
  it("a node:tls client resumes on our server with the session from its 'session' event", async () => {
    const { port, sockets } = await ourEchoServer();
    const sessions: Buffer[] = [];
    const first = tls.connect({ ...nodeTls13, host: '127.0.0.1', port, servername: 'localhost', ca: certPem(ca) });
    first.on('session', (session: Buffer) => sessions.push(session));
    await once(first, 'secureConnect');
    expect(first.isSessionReused()).toBe(false);
    first.write('one');
    expect(await nextChunk(first)).toBe('echo: one');
    first.end();
    await once(first, 'close');
    // Two tickets by default, as OpenSSL.
    expect(sessions).toHaveLength(2);

    const second = tls.connect({ ...nodeTls13, host: '127.0.0.1', port, servername: 'localhost', ca: certPem(ca), session: sessions[1]! });
    await once(second, 'secureConnect');
    second.write('two');
    expect(await nextChunk(second)).toBe('echo: two');
    expect(second.isSessionReused()).toBe(true);
    expect(sockets[1]!.isSessionReused()).toBe(true);
    expect(sockets[1]!.info.resumed).toBe(true);
    second.end();
  });

  it('our client resumes on a node:tls server with a ticket from its first connection', async () => {
    const reused: boolean[] = [];
    const server = track(
      tls.createServer({ ...nodeTls13, cert: certPem(identity), key: keyPem(identity) }, (socket) => {
        reused.push(socket.isSessionReused());
        socket.end('bye');
      }),
    );
    const port = await listen(server);
    const store = new TicketStore();
    const first = ourClient(port);
    store.collect(first);
    expect(await readAll(first)).toBe('bye');
    expect(store.count('localhost')).toBe(2);

    const second = ourClient(port, { session: store.take('localhost')! });
    expect(await readAll(second)).toBe('bye');
    expect(second.info.resumed).toBe(true);
    expect(second.isSessionReused()).toBe(true);
    // The server's identity carries over from the handshake that issued the ticket.
    expect(second.getPeerIdentity()?.dnsNames).toEqual(['localhost']);
    expect(reused).toEqual([false, true]);
  });
});

describe('0-RTT between our client and our server', () => {
  it("delivers accepted early data as readable data flagged by 'earlyData', and refuses the ticket's second use", async () => {
    const { port, sockets, early } = await ourEchoServer({ tickets: { maxEarlyDataSize: 1024 } });
    const [ticket] = await firstTickets(port);
    expect(ticket?.maxEarlyDataSize).toBe(1024);

    const resumed = ourClient(port, { session: ticket!, earlyData: 'early hello' });
    await once(resumed, 'secureConnect');
    expect(resumed.info).toMatchObject({ resumed: true, earlyData: 'accepted' });
    expect(await nextChunk(resumed)).toBe('echo: early hello');
    const serverSide = sockets[1]!;
    expect(serverSide.earlyDataLength).toBe('early hello'.length);
    expect(serverSide.info.earlyData).toBe('accepted');
    resumed.end();

    // The same ticket again: the server still resumes, but refuses the replayable data (RFC 8446 §8.1).
    const replay = ourClient(port, { session: ticket!, earlyData: 'early again' });
    await once(replay, 'secureConnect');
    expect(replay.info).toMatchObject({ resumed: true, earlyData: 'rejected' });
    replay.write('after');
    expect(await nextChunk(replay)).toBe('echo: after');
    expect(sockets[2]!.earlyDataLength).toBe(0);
    replay.end();
    expect(early).toEqual(['early hello']);
  });

  it('rejects early data when the server does not enable 0-RTT, and its tickets do not offer it', async () => {
    const { port } = await ourEchoServer();
    const [ticket] = await firstTickets(port);
    expect(ticket?.maxEarlyDataSize).toBeUndefined();
    const client = ourClient(port, { session: ticket!, earlyData: 'early' });
    await once(client, 'secureConnect');
    // A ticket without max_early_data_size: the client does not even offer 0-RTT.
    expect(client.info.resumed).toBe(true);
    expect(client.info.earlyData).toBeUndefined();
    client.end();
  });

  it('throws when earlyData is given without a session', () => {
    expect(() => ourClient(1, { earlyData: 'x' })).toThrow(/needs a session/);
  });
});

describe('KeyUpdate with node:tls', () => {
  it('our client updates its keys and asks node:tls to follow; data flows before and after', async () => {
    const server = track(
      tls.createServer({ ...nodeTls13, cert: certPem(identity), key: keyPem(identity) }, (socket) => {
        socket.on('data', (chunk: Buffer) => socket.write(`echo: ${chunk.toString()}`));
        socket.on('end', () => socket.end());
      }),
    );
    const port = await listen(server);
    const client = ourClient(port);
    const keyUpdates = received(client, 'key_update');
    await once(client, 'secureConnect');
    client.write('before');
    expect(await nextChunk(client)).toBe('echo: before');
    client.updateKeys(true);
    client.write('after');
    expect(await nextChunk(client)).toBe('echo: after');
    // OpenSSL answered update_requested with its own KeyUpdate (update_not_requested).
    expect(keyUpdates.map((e) => (e.message as { requestUpdate: number }).requestUpdate)).toEqual([0]);
    client.end();
  });

  it('our server updates its keys for a node:tls client, which follows when asked; data flows before and after', async () => {
    const { port, sockets } = await ourEchoServer();
    const client = tls.connect({ ...nodeTls13, host: '127.0.0.1', port, servername: 'localhost', ca: certPem(ca) });
    await once(client, 'secureConnect');
    client.write('before');
    expect(await nextChunk(client)).toBe('echo: before');
    const serverSide = sockets[0]!;
    const keyUpdates = received(serverSide, 'key_update');
    serverSide.updateKeys(true);
    serverSide.write('under new keys');
    expect(await nextChunk(client)).toBe('under new keys');
    // OpenSSL answers update_requested with its own KeyUpdate before its next record.
    client.write('after');
    expect(await nextChunk(client)).toBe('echo: after');
    expect(keyUpdates).toHaveLength(1);
    client.end();
  });
});

describe('exporters with node:tls', () => {
  it('our server and a node:tls client export the same keying material, with and without context', async () => {
    const { port, sockets } = await ourEchoServer();
    const client = tls.connect({ ...nodeTls13, host: '127.0.0.1', port, servername: 'localhost', ca: certPem(ca) });
    await once(client, 'secureConnect');
    client.write('x');
    await nextChunk(client);
    const ours = sockets[0]!;
    expect(ours.exportKeyingMaterial(32, 'EXPORTER-test')).toEqual(client.exportKeyingMaterial(32, 'EXPORTER-test', Buffer.alloc(0)));
    expect(ours.exportKeyingMaterial(20, 'EXPORTER-test', Buffer.from('context'))).toEqual(client.exportKeyingMaterial(20, 'EXPORTER-test', Buffer.from('context')));
    client.end();
  });
});

describe('TicketStore', () => {
  const ticket = (lifetime: number, receivedAt: number, id: number): SessionTicket => ({
    lifetime,
    ageAdd: 0,
    nonce: new Uint8Array(0),
    ticket: new Uint8Array([id]),
    psk: new Uint8Array(32),
    cipherSuite: 0x1301,
    receivedAt,
    serverName: 'example.com',
  });

  it('hands out the newest ticket of a server once, then the older one', () => {
    const store = new TicketStore({ now: () => 1000 });
    store.add(ticket(60, 0, 1));
    store.add(ticket(60, 500, 2));
    store.add(ticket(60, 0, 3), 'other.example');
    expect(store.take('example.com')?.ticket).toEqual(new Uint8Array([2]));
    expect(store.take('example.com')?.ticket).toEqual(new Uint8Array([1]));
    expect(store.take('example.com')).toBeUndefined();
    expect(store.take('other.example')?.ticket).toEqual(new Uint8Array([3]));
  });

  it('drops tickets past their lifetime (RFC 8446 §4.6.1)', () => {
    let now = 0;
    const store = new TicketStore({ now: () => now });
    store.add(ticket(10, 0, 1));
    store.add(ticket(100, 0, 2));
    now = 10_000;
    expect(store.count('example.com')).toBe(1);
    expect(store.take('example.com')?.ticket).toEqual(new Uint8Array([2]));
    store.add(ticket(100, 0, 3));
    now = 100_000;
    expect(store.take('example.com')).toBeUndefined();
  });

  it('keeps only the newest tickets per server', () => {
    const store = new TicketStore({ now: () => 0, perServer: 2 });
    for (let id = 1; id <= 3; id++) store.add(ticket(60, 0, id));
    expect(store.count('example.com')).toBe(2);
    expect(store.take('example.com')?.ticket).toEqual(new Uint8Array([3]));
    expect(store.take('example.com')?.ticket).toEqual(new Uint8Array([2]));
  });
});
