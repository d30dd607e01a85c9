// Attacker's scripts against `tls13 serve`'s request handling (src/cli/serve.ts, serve-routes.ts): the
// server answers one request head per connection. Records that follow the head while its route waits
// (for the client's answer to a post-handshake CertificateRequest) must change nothing: they were
// appended to the buffered request, which still held its blank line, so each one ran the route again,
// buffering without bound and sending a KeyUpdate per record, or a 403 that pre-empted the real answer.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCertifiedKey } from '../../src/cli/credentials.js';
import type { CertifiedKey, ClientConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { utf8 } from '../../src/wire/bytes.js';
import { AFTER_REPLY_MS } from '../../src/cli/serve.js';
import { runCli, startServe, waitFor } from '../cli/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'tls13-serve-routes-'));
const file = (name: string) => join(dir, name);
let client: Pick<ClientConfig, 'certificate' | 'trust' | 'now' | 'serverName' | 'postHandshakeAuth'>;

beforeAll(async () => {
  await runCli(['cert', '--out-cert', file('server.pem'), '--out-key', file('server.key'), '--type', 'p256', '--dns', 'localhost']);
  await runCli(['cert', '--out-cert', file('alice.pem'), '--out-key', file('alice.key'), '--cn', 'alice', '--eku', 'clientAuth', '--type', 'p256']);
  client = {
    serverName: 'localhost',
    trust: { kind: 'pinned-certificate', certificates: [loadCertifiedKey('--cert', file('server.pem'), '--key', file('server.key')).chain[0]!] },
    certificate: loadCertifiedKey('--cert', file('alice.pem'), '--key', file('alice.key')),
    // `tls13 cert` made the certificates valid from the moment it ran: the real clock judges them.
    now: Date.now,
    postHandshakeAuth: true,
  };
}, 30_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A client over TCP that holds back what the server sends after the handshake (the CertificateRequest)
 * until it has sent `head` and then `extra` records, each in a TCP segment of its own; then it answers
 * and reads the reply to the end.
 */
async function requestWithTrailingRecords(port: number, head: string, extra: number): Promise<{ reply: string; keyUpdates: number }> {
  const tls = Connection.client(client);
  const socket: Socket = connect(port, '127.0.0.1');
  const events: TlsEvent[] = [];
  const held: Uint8Array[] = [];
  let holding = false;
  const flush = () => socket.write(tls.takeOutput());
  const feed = (bytes: Uint8Array) => {
    tls.receive(bytes);
    events.push(...tls.takeEvents());
    flush();
  };
  socket.on('data', (bytes: Buffer) => (holding ? held.push(new Uint8Array(bytes)) : feed(new Uint8Array(bytes))));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  flush();
  await waitFor(() => (tls.isConnected ? true : undefined));
  holding = true;
  tls.write(utf8.encode(head));
  flush();
  for (let i = 0; i < extra; i++) {
    await new Promise((r) => setTimeout(r, 20));
    tls.write(utf8.encode('x'));
    flush();
  }
  await new Promise((r) => setTimeout(r, 50));
  holding = false;
  for (const bytes of held.splice(0)) feed(bytes);
  await closed;
  const reply = events.flatMap((e) => (e.type === 'data' ? [Buffer.from(e.data).toString('utf8')] : [])).join('');
  const keyUpdates = events.filter((e) => e.type === 'handshake-message' && e.direction === 'in' && e.message.kind === 'key_update').length;
  return { reply, keyUpdates };
}

async function withServe<T>(flags: string[], run: (port: number) => Promise<T>): Promise<T> {
  const server = await startServe(['--cert', file('server.pem'), '--key', file('server.key'), '--pin-client-cert', file('alice.pem'), '--client-auth', 'optional', ...flags]);
  try {
    return await run(server.port);
  } finally {
    await server.stop();
  }
}

describe('records after the request head', () => {
  it('GET /secret: a record sent while the CertificateRequest is outstanding does not pre-empt the answer with a 403', async () => {
    const { reply } = await withServe([], (port) => requestWithTrailingRecords(port, 'GET /secret HTTP/1.1\r\n\r\n', 1));
    expect(reply).toMatch(/^HTTP\/1.1 200 OK/);
    expect(reply).toContain('the secret is yours, CN=alice');
  }, 20_000);

  it('GET /keyupdate behind --request-post-handshake-auth: one KeyUpdate, however many records follow the head', async () => {
    const { reply, keyUpdates } = await withServe(['--request-post-handshake-auth'], (port) => requestWithTrailingRecords(port, 'GET /keyupdate HTTP/1.1\r\n\r\n', 5));
    expect(reply).toMatch(/^HTTP\/1.1 200 OK/);
    expect(keyUpdates).toBe(1);
  }, 20_000);
});

/**
 * Our client over TCP to serve: the handshake, then `piece(i)` sent as one record a second until the server
 * closes or `giveUpMs` pass; the milliseconds from the first piece to the server's close (undefined: still open).
 * `onRead` runs after each batch of the server's records is read, before our answer goes out.
 */
async function trickle(port: number, tls: Connection, piece: (i: number) => string, onRead: () => void, giveUpMs = 40_000): Promise<number | undefined> {
  // Half-open, as an attacker keeps it: the server's FIN does not end our side; its close shows when a write is refused.
  const socket: Socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  socket.on('error', () => {});
  socket.on('data', (bytes: Buffer) => {
    tls.receive(new Uint8Array(bytes));
    onRead();
    socket.write(tls.takeOutput());
  });
  let open = true;
  const closed = new Promise<void>((resolve) => socket.on('close', () => {
    open = false;
    resolve();
  }));
  socket.write(tls.takeOutput());
  await waitFor(() => (tls.isConnected ? true : undefined));
  const start = Date.now();
  for (let i = 0; open && Date.now() - start < giveUpMs; i++) {
    tls.write(utf8.encode(piece(i)));
    socket.write(tls.takeOutput());
    await Promise.race([closed, new Promise((r) => setTimeout(r, 1000))]);
  }
  const closedAfterMs = open ? undefined : Date.now() - start;
  socket.destroy();
  return closedAfterMs;
}

describe('a request head trickled in', () => {
  it('is dropped 30 s after the handshake however often a byte arrives (the idle timer alone restarted with each)', async () => {
    const { closedAfterMs, reply } = await withServe([], async (port) => {
      const tls = Connection.client(client);
      let reply = '';
      // A byte a second, never a blank line: each byte restarts a 30 s idle timer.
      const closedAfterMs = await trickle(port, tls, (i) => (i === 0 ? 'GET / HTTP/1.1\r\nX: ' : 'a'), () => {
        for (const e of tls.takeEvents()) if (e.type === 'data') reply += Buffer.from(e.data).toString('utf8');
      });
      return { closedAfterMs, reply };
    });
    // Closed by the server (at 30 s) before the client gave up (at 40 s).
    expect(closedAfterMs).toBeDefined();
    expect(reply).toBe('');
  }, 60_000);
});


describe('GET /secret, and the CertificateRequest never answered', () => {
  it('is answered 403 and closed 30 s after the request, however often a record arrives (it waited for ever)', async () => {
    const { closedAfterMs, reply } = await withServe([], async (port) => {
      // The client asks its caller which certificate to send, and the caller never says: no answer goes out.
      const tls = Connection.client({ ...client, certificate: 'ask' });
      // A record a second after the head keeps the idle timer from firing.
      const closedAfterMs = await trickle(port, tls, (i) => (i === 0 ? 'GET /secret HTTP/1.1\r\n\r\n' : 'x'), () => {
        // The handshake's own CertificateRequest (--client-auth optional) is answered; the later one is not.
        if (tls.pendingDecision && !tls.isConnected) tls.resolve({ kind: 'client-certificate', certificate: client.certificate as CertifiedKey });
      });
      // Now the caller answers (no certificate), and the records read meanwhile are delivered.
      if (tls.pendingDecision) tls.resolve({ kind: 'client-certificate' });
      const reply = tls.takeEvents().flatMap((e) => (e.type === 'data' ? [Buffer.from(e.data).toString('utf8')] : [])).join('');
      return { closedAfterMs, reply };
    });
    expect(closedAfterMs).toBeDefined();
    expect(reply).toMatch(/^HTTP\/1.1 403 Forbidden/);
    expect(reply).toContain('no answer to the post-handshake CertificateRequest within 30 s');
  }, 90_000);
});

describe('a client that got its reply and never closes', () => {
  it(`is dropped ${AFTER_REPLY_MS / 1000} s after the reply however often a record arrives (it held the connection for ever)`, async () => {
    const { closedAfterMs, reply } = await withServe([], async (port) => {
      const tls = Connection.client(client);
      let reply = '';
      // The request, then a record a second: no close_notify ever, and the idle timer never fires.
      const closedAfterMs = await trickle(port, tls, (i) => (i === 0 ? 'GET / HTTP/1.1\r\n\r\n' : 'x'), () => {
        for (const e of tls.takeEvents()) if (e.type === 'data') reply += Buffer.from(e.data).toString('utf8');
      }, AFTER_REPLY_MS + 10_000);
      return { closedAfterMs, reply };
    });
    expect(reply).toMatch(/^HTTP\/1.1 200 OK/);
    expect(closedAfterMs).toBeDefined();
    expect(closedAfterMs!).toBeGreaterThanOrEqual(AFTER_REPLY_MS - 1000);
  }, 60_000);
});
