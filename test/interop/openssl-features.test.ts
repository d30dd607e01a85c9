// HelloRetryRequest, resumption, 0-RTT, KeyUpdate and exporters against `openssl s_client` / `openssl
// s_server` (OpenSSL 3.0), both directions, each child bounded by a timeout and killed after the test.
// A missing openssl skips loudly (fails with REQUIRE_INTEROP=1).
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { connect, createServer, type ServerOptions, type Tls13Server, type Tls13Socket } from '../../src/node/adapter.js';
import { TicketStore } from '../../src/node/tickets.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { NamedGroup } from '../../src/wire/enums.js';
import { type BoundedChild, freePort, requireBinary, scratchDirectory, spawnBounded } from '../../src/testing/interop.js';
import { ca, certPem, keyPem, listen, readAll, serverCertificates, trustedClient } from '../node/fixtures.js';

const scratch = scratchDirectory('tls13-lab-features-');
const { dir } = scratch;
afterAll(scratch.remove);

let fileNumber = 0;
function file(text: string | Buffer): string {
  const path = join(dir, `f${fileNumber++}`);
  writeFileSync(path, text);
  return path;
}

const identity = serverCertificates['ECDSA P-256'];
const caFile = file(certPem(ca));
const certFile = file(certPem(identity));
const keyFile = file(keyPem(identity));

const children: BoundedChild[] = [];
const servers: Tls13Server[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
  for (const server of servers.splice(0)) server.close();
});

function run(openssl: string, args: string[]): BoundedChild {
  const child = spawnBounded(openssl, args, { timeoutMs: 10_000, cwd: dir });
  children.push(child);
  return child;
}

/** s_client to our server on `port`, verifying our certificate. */
function sClient(openssl: string, port: number, extra: string[]): BoundedChild {
  return run(openssl, ['s_client', '-tls1_3', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', caFile, '-verify_return_error', ...extra]);
}

/** s_server on a free port with our certificate; resolves once it accepts. */
async function sServer(openssl: string, extra: string[]): Promise<{ server: BoundedChild; port: number }> {
  const port = await freePort();
  const server = run(openssl, ['s_server', '-tls1_3', '-accept', String(port), '-cert', certFile, '-key', keyFile, ...extra]);
  await server.waitFor(/ACCEPT/);
  return { server, port };
}

/** Handshake messages a socket sent and received, as "in hello_retry_request" etc. */
function messageLog(socket: Tls13Socket): string[] {
  const log: string[] = [];
  socket.on('tlsEvent', (event: TlsEvent) => {
    if (event.type === 'handshake-message') log.push(`${event.direction} ${event.message.kind}`);
  });
  return log;
}

interface OurServer {
  port: number;
  sockets: Tls13Socket[];
  /** Handshake message logs, one per accepted TCP connection. */
  logs: string[][];
  early: string[];
  errors: Error[];
}

/** Our server: `echo: <chunk>` for every chunk (or `pong` then close with `closeAfterReply`). */
async function ourServer(options: Partial<ServerOptions> = {}, closeAfterReply = true): Promise<OurServer> {
  const state: OurServer = { port: 0, sockets: [], logs: [], early: [], errors: [] };
  const server = createServer({ certificate: identity, ...options }, (socket) => {
    state.sockets.push(socket);
    socket.on('error', (error) => state.errors.push(error));
    socket.on('data', (chunk: Buffer) => {
      if (closeAfterReply) socket.end(`pong: ${chunk.toString()}`);
      else socket.write(`echo: ${chunk.toString()}`);
    });
  });
  server.on('tlsSocket', (socket: Tls13Socket) => state.logs.push(messageLog(socket)));
  server.on('earlyData', (chunk: Buffer) => state.early.push(chunk.toString()));
  server.on('tlsClientError', (error: Error) => state.errors.push(error));
  servers.push(server);
  state.port = await listen(server);
  return state;
}

function ourClient(port: number, options: Partial<Parameters<typeof connect>[0]> = {}): Tls13Socket {
  return connect({ host: 'localhost', port, trust: { kind: 'ca', anchors: [ca.der] }, ...options });
}

/** Polls until `condition` holds. */
async function eventually(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('HelloRetryRequest', () => {
  it('our P-256-only server sends HelloRetryRequest to s_client -groups X25519:P-256, and the handshake completes', async (test) => {
    const openssl = requireBinary('openssl', test);
    const ours = await ourServer({ groups: [NamedGroup.secp256r1] });
    const client = sClient(openssl, ours.port, ['-groups', 'X25519:P-256', '-ign_eof']);
    client.child.stdin.end('ping');
    expect(await client.exited).toBe(0);
    expect(client.stdout()).toContain('pong: ping');
    expect(client.stdout()).toMatch(/Server Temp Key: ECDH, prime256v1/);
    expect(ours.logs[0]).toEqual(expect.arrayContaining(['in client_hello', 'out hello_retry_request']));
    expect(ours.logs[0]!.filter((m) => m === 'in client_hello')).toHaveLength(2);
    expect(ours.sockets[0]!.info.group).toBe('secp256r1');
  });

  it('our client with only an x25519 key share completes after s_server -groups P-256 asks for another', async (test) => {
    const openssl = requireBinary('openssl', test);
    const { server, port } = await sServer(openssl, ['-www', '-naccept', '1', '-groups', 'P-256']);
    const client = ourClient(port, { groups: [NamedGroup.x25519, NamedGroup.secp256r1], keyShareGroups: [NamedGroup.x25519] });
    const log = messageLog(client);
    client.write('GET / HTTP/1.0\r\n\r\n');
    const page = await readAll(client);
    expect(page).toMatch(/^HTTP\/1\.0 200 ok/);
    expect(log.slice(0, 3)).toEqual(['out client_hello', 'in hello_retry_request', 'out client_hello']);
    expect(client.info.group).toBe('secp256r1');
    await server.exited;
  });
});

describe('resumption', () => {
  it('s_client -sess_out then -sess_in resumes on our server ("Reused")', async (test) => {
    const openssl = requireBinary('openssl', test);
    const ours = await ourServer();
    const session = join(dir, 'sclient.session');
    const first = sClient(openssl, ours.port, ['-ign_eof', '-sess_out', session]);
    first.child.stdin.end('one');
    expect(await first.exited).toBe(0);
    expect(first.stdout()).toContain('New, TLSv1.3');
    const second = sClient(openssl, ours.port, ['-ign_eof', '-sess_in', session]);
    second.child.stdin.end('two');
    expect(await second.exited).toBe(0);
    expect(second.stdout()).toContain('Reused, TLSv1.3');
    expect(second.stdout()).toContain('pong: two');
    expect(ours.sockets.map((s) => s.info.resumed ?? false)).toEqual([false, true]);
  });

  it('our client resumes on openssl s_server with a ticket from the first connection', async (test) => {
    const openssl = requireBinary('openssl', test);
    const { server, port } = await sServer(openssl, ['-www', '-naccept', '2']);
    const store = new TicketStore();
    const first = ourClient(port);
    store.collect(first);
    first.write('GET / HTTP/1.0\r\n\r\n');
    expect(await readAll(first)).toContain('New, TLSv1.3');
    expect(store.count('localhost')).toBe(2);

    const second = ourClient(port, { session: store.take('localhost')! });
    second.write('GET / HTTP/1.0\r\n\r\n');
    const page = await readAll(second);
    expect(page).toContain('Reused, TLSv1.3');
    expect(second.info.resumed).toBe(true);
    await server.exited;
  });
});

describe('0-RTT', () => {
  it('our server accepts s_client -early_data with -sess_in and receives the data before the handshake completes', async (test) => {
    const openssl = requireBinary('openssl', test);
    const ours = await ourServer({ tickets: { maxEarlyDataSize: 16384 } });
    const session = join(dir, 'early.session');
    const first = sClient(openssl, ours.port, ['-ign_eof', '-sess_out', session]);
    first.child.stdin.end('one');
    expect(await first.exited).toBe(0);
    expect(first.stdout()).toMatch(/Max Early Data: 16384/);

    const second = sClient(openssl, ours.port, ['-ign_eof', '-sess_in', session, '-early_data', file('hello in 0-RTT')]);
    second.child.stdin.end();
    expect(await second.exited).toBe(0);
    expect(second.stdout()).toContain('Early data was accepted');
    expect(second.stdout()).toContain('pong: hello in 0-RTT');
    expect(ours.early).toEqual(['hello in 0-RTT']);
    expect(ours.sockets[1]!.info).toMatchObject({ resumed: true, earlyData: 'accepted' });
    expect(ours.sockets[1]!.earlyDataLength).toBe('hello in 0-RTT'.length);
  });

  it('openssl s_server -early_data accepts our 0-RTT data and prints it', async (test) => {
    const openssl = requireBinary('openssl', test);
    const { server, port } = await sServer(openssl, ['-early_data', '-naccept', '2']);
    const first = ourClient(port);
    const store = new TicketStore();
    store.collect(first);
    await once(first, 'secureConnect');
    await eventually(() => store.count('localhost') > 0);
    first.resume();
    first.end();
    await once(first, 'close');
    const ticket = store.take('localhost')!;
    expect(ticket.maxEarlyDataSize).toBeGreaterThan(0);

    const second = ourClient(port, { session: ticket, earlyData: 'early from tls13-lab\n' });
    await once(second, 'secureConnect');
    expect(second.info).toMatchObject({ resumed: true, earlyData: 'accepted' });
    await server.waitFor(/early from tls13-lab/);
    second.resume();
    second.end();
    await server.exited;
    expect(server.stdout()).toMatch(/early from tls13-lab\n[\s\S]*Early data received|Early data received[\s\S]*early from tls13-lab/);
  });
});

describe('KeyUpdate', () => {
  it("s_client's K and k commands update keys against our server, with data flowing before and after", async (test) => {
    const openssl = requireBinary('openssl', test);
    const ours = await ourServer({}, false);
    // Without -quiet and -ign_eof, s_client reads its connected commands from stdin lines (man s_client).
    const client = sClient(openssl, ours.port, []);
    await client.waitFor(/Verify return code: 0/);
    await eventually(() => ours.sockets.length === 1);
    client.child.stdin.write('before\n');
    await client.waitFor(/echo: before/);
    // One command per read: s_client takes a whole stdin read as one command line.
    client.child.stdin.write('K\n');
    await eventually(() => ours.logs[0]!.includes('out key_update'));
    client.child.stdin.write('middle\n');
    await client.waitFor(/echo: middle/);
    client.child.stdin.write('k\n');
    await eventually(() => ours.logs[0]!.filter((m) => m === 'in key_update').length === 2);
    client.child.stdin.write('after\n');
    await client.waitFor(/echo: after/);
    client.child.stdin.end();
    await client.exited;
    const log = ours.logs[0]!;
    // K: update_requested, answered by our own KeyUpdate; k: update_not_requested, not answered.
    expect(log.filter((m) => m === 'in key_update')).toHaveLength(2);
    expect(log.filter((m) => m === 'out key_update')).toHaveLength(1);
    expect(ours.errors).toEqual([]);
  });

  it("our client's updateKeys against s_server, and s_server's K command against our client, with data flowing", async (test) => {
    const openssl = requireBinary('openssl', test);
    const { server, port } = await sServer(openssl, ['-naccept', '1']);
    const client = ourClient(port);
    const log = messageLog(client);
    await once(client, 'secureConnect');
    client.write('before\n');
    await server.waitFor(/before/);
    client.updateKeys(true);
    client.write('after\n');
    await server.waitFor(/after/);
    expect(log.filter((m) => m === 'out key_update')).toHaveLength(1);

    // OpenSSL answers update_requested with its own KeyUpdate before the next data it sends.
    let received = '';
    client.on('data', (chunk: Buffer) => (received += chunk.toString()));
    server.child.stdin.write('reply\n');
    await eventually(() => received.includes('reply'));
    expect(log.filter((m) => m === 'in key_update')).toHaveLength(1);

    // s_server's K: KeyUpdate with update_requested; we answer at once. One command per stdin read.
    server.child.stdin.write('K\n');
    await eventually(() => log.filter((m) => m === 'out key_update').length === 2);
    expect(log.filter((m) => m === 'in key_update')).toHaveLength(2);
    server.child.stdin.write('from s_server\n');
    await eventually(() => received.includes('from s_server'));
    client.write('last\n');
    await server.waitFor(/last/);
    client.end();
    await server.exited;
  });
});

describe('exporters', () => {
  it("s_client -keymatexport prints the bytes our server's exportKeyingMaterial gives for the same label", async (test) => {
    const openssl = requireBinary('openssl', test);
    const exported: string[] = [];
    const ours = await ourServer();
    servers.at(-1)!.on('secureConnection', (socket: Tls13Socket) => exported.push(socket.exportKeyingMaterial(32, 'EXPORTER-tls13-lab').toString('hex')));
    const client = sClient(openssl, ours.port, ['-ign_eof', '-keymatexport', 'EXPORTER-tls13-lab', '-keymatexportlen', '32']);
    client.child.stdin.end('ping');
    expect(await client.exited).toBe(0);
    const printed = /Keying material: ([0-9A-F]+)/.exec(client.stdout())?.[1];
    expect(printed?.toLowerCase()).toBe(exported[0]);
  });

  it("s_server -keymatexport prints the bytes our client's exportKeyingMaterial gives for the same label", async (test) => {
    const openssl = requireBinary('openssl', test);
    const { server, port } = await sServer(openssl, ['-naccept', '1', '-keymatexport', 'EXPORTER-tls13-lab', '-keymatexportlen', '32']);
    const client = ourClient(port);
    await once(client, 'secureConnect');
    const ours = client.exportKeyingMaterial(32, 'EXPORTER-tls13-lab').toString('hex');
    await server.waitFor(/Keying material: [0-9A-F]+/);
    expect(/Keying material: ([0-9A-F]+)/.exec(server.stdout())![1]!.toLowerCase()).toBe(ours);
    client.end();
    await server.exited;
  });
});

/** Our echo server asks s_client -enable_pha for its certificate after the handshake; resolves with who it was. */
async function postHandshakeAuthAgainstSClient(openssl: string, tickets: number) {
  const ours = await ourServer({ clientAuth: 'none', trust: { kind: 'pinned-certificate', certificates: [trustedClient.der] }, tickets: { count: tickets } }, false);
  const authenticated: string[] = [];
  servers.at(-1)!.on('secureConnection', (socket: Tls13Socket) => {
    socket.on('postHandshakeAuth', () => authenticated.push(socket.getPeerIdentity()?.subject ?? 'nobody'));
    socket.requestClientCertificate();
  });
  const client = sClient(openssl, ours.port, ['-enable_pha', '-ign_eof', '-cert', file(certPem(trustedClient)), '-key', file(keyPem(trustedClient))]);
  client.child.stdin.write('ping\n');
  await client.waitFor(/echo: ping/);
  await eventually(() => authenticated.length === 1 || ours.errors.length > 0);
  ours.sockets[0]!.end();
  client.child.stdin.end();
  await client.exited;
  return { ours, authenticated };
}

describe('post-handshake client authentication', () => {
  it('our server (no tickets) asks s_client -enable_pha for its certificate after the handshake and learns who it is', async (test) => {
    const { ours, authenticated } = await postHandshakeAuthAgainstSClient(requireBinary('openssl', test), 0);
    expect(ours.errors).toEqual([]);
    expect(authenticated).toHaveLength(1);
    expect(authenticated[0]).toContain('trusted client');
    expect(ours.sockets[0]!.info.clientAuth).toBe('authenticated');
    expect(ours.logs[0]).toEqual(expect.arrayContaining(['out certificate_request', 'in certificate', 'in certificate_verify', 'in finished']));
  });

  // NewSessionTickets are part of no transcript (RFC 8446 §4.4: the Handshake Context of post-handshake
  // authentication ends at the client Finished), so tickets sent before the request must not disturb it.
  it('our server that sent session tickets asks s_client -enable_pha for its certificate after the handshake', async (test) => {
    const { ours, authenticated } = await postHandshakeAuthAgainstSClient(requireBinary('openssl', test), 2);
    expect(ours.errors).toEqual([]);
    expect(authenticated).toHaveLength(1);
  });
});
