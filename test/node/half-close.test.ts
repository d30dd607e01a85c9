// Half-close over real sockets (issue 14, defect 2). RFC 8446 §6.1: a close_notify closes the sender's write
// side only, so a peer that sent its request and then close_notify still gets the answer: `allowHalfOpen`
// in the adapter, as in node, and `tls13 serve` always. A TCP end without close_notify stays
// distinguishable from a clean close (`truncated`). Peers: node:tls, our own adapter, and gnutls-cli with
// its input piped (it sends close_notify at the end of its input), against the real `tls13` binary.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { once } from 'node:events';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, createServer, type ServerOptions, type Tls13Socket } from '../../src/node/adapter.js';
import { freePort, requireBinary, spawnBounded, type BoundedChild } from '../../src/testing/interop.js';
import { ensureBuilt, runShell, TLS13_BIN } from '../cli/helpers.js';
import { ca, certPem, keyPem, listen, readAll, serverCertificates } from './fixtures.js';

const identity = serverCertificates['ECDSA P-256'];
const caPem = certPem(ca);
const nodeTls13 = { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' } as const;
const REQUEST = 'GET / HTTP/1.0\r\n\r\n';
/** node:tls.connect takes allowHalfOpen (documented), though @types/node 20 does not list it. */
const halfOpen = { allowHalfOpen: true } as tls.ConnectionOptions;

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));
function track<T extends net.Server>(server: T): T {
  cleanups.push(() => server.close());
  return server;
}

/** Our server: reads the whole request (until the client's side ends), then answers and ends. */
async function answerAfterEnd(options: Partial<ServerOptions>) {
  const server = track(
    createServer({ certificate: identity, ...options }, (socket) => {
      let request = '';
      socket.on('data', (chunk: Buffer) => (request += chunk.toString()));
      socket.on('end', () => {
        if (socket.writable) socket.end(`you sent ${JSON.stringify(request)} and closed your side`);
      });
      socket.on('error', () => {});
    }),
  );
  return listen(server);
}

describe('our server with allowHalfOpen answers a client that half-closed', () => {
  it('a node:tls client that calls end() after writing gets the answer', async () => {
    const port = await answerAfterEnd({ allowHalfOpen: true });
    const client = tls.connect({ ...nodeTls13, host: '127.0.0.1', port, servername: 'localhost', ca: caPem, ...halfOpen });
    client.end(REQUEST);
    expect(await readAll(client)).toBe(`you sent ${JSON.stringify(REQUEST)} and closed your side`);
  });

  it('our own client, allowHalfOpen, end() after writing: gets the answer, and the close was clean', async () => {
    const port = await answerAfterEnd({ allowHalfOpen: true });
    const client = connect({ host: 'localhost', port, ca: caPem, allowHalfOpen: true });
    client.end(REQUEST);
    expect(await readAll(client)).toBe(`you sent ${JSON.stringify(REQUEST)} and closed your side`);
    expect(client.truncated).toBe(false);
  });

  it('without allowHalfOpen (the default, as node) our server ends its side by itself when the client ends', async () => {
    const server = track(createServer({ certificate: identity, tickets: { count: 0 } }, (socket) => socket.resume()));
    const port = await listen(server);
    const client = tls.connect({ ...nodeTls13, host: '127.0.0.1', port, servername: 'localhost', ca: caPem, ...halfOpen });
    client.end(REQUEST);
    expect(await readAll(client)).toBe('');
  });
});

describe('our client with allowHalfOpen reads the answer of a node:tls server after its own end()', () => {
  it('node answers on end, after our close_notify', async () => {
    const server = track(
      tls.createServer({ ...nodeTls13, cert: certPem(identity), key: keyPem(identity), allowHalfOpen: true }, (socket) => {
        let request = '';
        socket.on('data', (chunk: Buffer) => (request += chunk.toString()));
        socket.on('end', () => socket.end(`node got ${request.length} bytes`));
      }),
    );
    const port = await listen(server);
    const client = connect({ host: 'localhost', port, ca: caPem, allowHalfOpen: true });
    client.end(REQUEST);
    expect(await readAll(client)).toBe(`node got ${REQUEST.length} bytes`);
  });
});

describe('a truncation stays distinguishable from a clean close', () => {
  async function serverThat(finish: (socket: Tls13Socket) => void) {
    const server = track(createServer({ certificate: identity, tickets: { count: 0 } }, (socket) => {
      socket.on('error', () => {});
      socket.write('partial ', () => finish(socket));
    }));
    return listen(server);
  }

  it('TCP end without close_notify: the data arrives, the stream ends, and truncated is true', async () => {
    const port = await serverThat((socket) => socket.transport.end());
    const client = connect({ host: 'localhost', port, ca: caPem });
    expect(await readAll(client)).toBe('partial ');
    expect(client.truncated).toBe(true);
  });

  it('close_notify, then TCP end: truncated is false', async () => {
    const port = await serverThat((socket) => socket.end());
    const client = connect({ host: 'localhost', port, ca: caPem });
    expect(await readAll(client)).toBe('partial ');
    expect(client.truncated).toBe(false);
  });
});

describe("a client that never reads still sees the peer's end, as node:tls's does", () => {
  // A Readable emits 'end' only from a read: node's sockets read(0) after EOF, so a client with no 'data'
  // listener ends (and, not half-open, closes) once the peer ended and nothing is left unread.
  async function serverThatEnds(finish: (socket: Tls13Socket) => void) {
    const server = track(createServer({ certificate: identity, tickets: { count: 0 } }, (socket) => {
      socket.on('error', () => {});
      finish(socket);
    }));
    return listen(server);
  }

  /** The socket's 'end' and 'close', in order, as seen until it closed or 5 s passed (a liveness bound, not a timing). */
  async function endings(client: net.Socket | Tls13Socket): Promise<string[]> {
    const seen: string[] = [];
    client.on('end', () => seen.push('end'));
    client.on('error', (error: Error) => seen.push(`error: ${error.message}`));
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([once(client, 'close'), new Promise((resolve) => (bound = setTimeout(resolve, 5000)))]);
    clearTimeout(bound);
    if (!client.destroyed) client.destroy();
    else seen.push('close');
    return seen;
  }

  const clients = {
    'node:tls': (port: number) => tls.connect({ ...nodeTls13, host: '127.0.0.1', port, servername: 'localhost', ca: caPem }),
    ours: (port: number) => connect({ host: 'localhost', port, ca: caPem }),
  };
  const finishes = {
    'close_notify and TCP end right after the handshake': (socket: Tls13Socket) => socket.end(),
    'TCP end without close_notify': (socket: Tls13Socket) => socket.transport.end(),
  };

  for (const [finishName, finish] of Object.entries(finishes)) {
    for (const [clientName, open] of Object.entries(clients)) {
      it(`${finishName}: a ${clientName} client with no 'data' listener ends and closes`, async () => {
        const client = open(await serverThatEnds(finish));
        expect(await endings(client)).toEqual(['end', 'close']);
      });
    }
  }

  it('data left unread keeps it from ending, as in node:tls; reading it ends the stream', async () => {
    const port = await serverThatEnds((socket) => socket.end('unread'));
    const client = connect({ host: 'localhost', port, ca: caPem });
    await once(client, 'readable');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(client.readableEnded).toBe(false);
    const ended = endings(client);
    expect(String(client.read())).toBe('unread');
    expect(await ended).toEqual(['end', 'close']);
  });
});

describe('tls13 serve (the real binary) answers a client that half-closes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tls13-half-close-'));
  let serve: BoundedChild;
  let port: number;

  beforeAll(async () => {
    ensureBuilt();
    const made = await runShell('$TLS13 cert --out-cert server.pem --out-key server.key --dns localhost --eku serverAuth', dir);
    expect(made.code).toBe(0);
    port = await freePort();
    serve = spawnBounded(process.execPath, [TLS13_BIN, 'serve', '--port', String(port), '--cert', 'server.pem', '--key', 'server.key'], { timeoutMs: 60_000, cwd: dir });
    await serve.waitFor(/^listening on /m);
    return () => serve.kill();
  }, 60_000);

  it("gnutls-cli with its request piped in (request, then close_notify) gets serve's page", async (test) => {
    requireBinary('gnutls-cli', test);
    const result = await runShell(`printf '${REQUEST.replace(/\r/g, '\\r').replace(/\n/g, '\\n')}' | gnutls-cli --port ${port} --x509cafile server.pem localhost`, dir, {}, 15_000);
    expect(result.stdout).toContain('HTTP/1.1 200 OK');
    expect(result.stdout).toContain('tls13-lab: TLS 1.3 connection established');
    expect(result.code).toBe(0);
  });

  it('a node:tls client that calls end() after writing gets the page', async () => {
    const client = tls.connect({ ...nodeTls13, host: '127.0.0.1', port, servername: 'localhost', ca: [readFileSync(join(dir, 'server.pem'), 'utf8')], ...halfOpen });
    client.end(REQUEST);
    expect(await readAll(client)).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*server name \(SNI\): localhost/);
  });

  it('our adapter with allowHalfOpen, end() after writing, gets the page', async () => {
    const client = connect({ host: 'localhost', port, ca: readFileSync(join(dir, 'server.pem'), 'utf8'), allowHalfOpen: true });
    client.end(REQUEST);
    expect(await readAll(client)).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(client.truncated).toBe(false);
  });

  it('a client that half-closes before a whole request gets no page, and the connection ends', async () => {
    const client = connect({ host: 'localhost', port, ca: readFileSync(join(dir, 'server.pem'), 'utf8'), allowHalfOpen: true });
    client.end('GET / HTTP/1.0\r\n');
    expect(await readAll(client)).toBe('');
  });
});
