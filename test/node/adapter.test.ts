// The Node adapter against node:tls (OpenSSL) over real TCP on 127.0.0.1: every suite x group x server
// key type in both directions, key logs and exporters compared with node's, HTTP/1.1 on top, mutual TLS,
// and a server that survives misbehaving clients.
import { once } from 'node:events';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, createServer, TlsAlertError, type Tls13Socket } from '../../src/node/adapter.js';
import { Connection } from '../../src/handshake/connection.js';
import type { PendingDecision, SessionTicket, TlsEvent } from '../../src/handshake/events.js';
import { ca, certPem, GROUPS, keyPem, listen, nextError, readAll, readBytes, serverCertificates, strangerClient, SUITES, trustedClient } from './fixtures.js';

const caPem = certPem(ca);
const SIGNATURE_SCHEME = { Ed25519: 'ed25519', 'ECDSA P-256': 'ecdsa_secp256r1_sha256', 'RSA-2048': 'rsa_pss_rsae_sha256' } as const;
const NODE_GROUP_NAME = { x25519: 'X25519', secp256r1: 'prime256v1', secp384r1: 'secp384r1' } as const;

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function track<T extends net.Server>(server: T): T {
  cleanups.push(() => {
    server.close();
    (server as unknown as Partial<http.Server>).closeAllConnections?.();
  });
  return server;
}

const nodeTls13 = { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' } as const;

/** Key-log lines as a sorted list, for comparing two views of the same connection. */
const sortedLines = (lines: Buffer[]) => lines.map((l) => l.toString('latin1')).sort();

function ourClient(port: number, options: Partial<Parameters<typeof connect>[0]> = {}): Tls13Socket {
  return connect({ host: 'localhost', port, trust: { kind: 'ca', anchors: [ca.der] }, ...options });
}

describe('our client against a node:tls server', () => {
  for (const suite of SUITES) {
    for (const group of GROUPS) {
      for (const [keyName, identity] of Object.entries(serverCertificates)) {
        it(`completes ${suite.name} over ${group.name} with a ${keyName} server certificate, exchanges data, closes cleanly and logs node's secrets`, async () => {
          const nodeKeylog: Buffer[] = [];
          const serverSide = { received: '', ended: false, exporter: Buffer.alloc(0) };
          const server = track(
            tls.createServer({ ...nodeTls13, cert: certPem(identity), key: keyPem(identity), ciphers: suite.name, ecdhCurve: group.openssl }, (socket) => {
              serverSide.exporter = socket.exportKeyingMaterial(32, 'EXPORTER-interop', Buffer.from('ctx'));
              socket.once('data', (chunk: Buffer) => {
                serverSide.received = chunk.toString();
                socket.end(`pong: ${chunk.toString()}`);
              });
              socket.on('end', () => (serverSide.ended = true));
            }),
          );
          server.on('keylog', (line: Buffer) => nodeKeylog.push(line));
          const port = await listen(server);

          const ourKeylog: Buffer[] = [];
          const client = ourClient(port, { cipherSuites: [suite.id], groups: [group.id] });
          client.on('keylog', (line: Buffer) => ourKeylog.push(line));
          await once(client, 'secureConnect');
          const exporter = client.exportKeyingMaterial(32, 'EXPORTER-interop', Buffer.from('ctx'));
          client.write('ping');
          const reply = await readAll(client);
          await once(client, 'close');
          await new Promise((resolve) => setImmediate(resolve));

          expect(reply).toBe('pong: ping');
          expect(serverSide.received).toBe('ping');
          expect(client.info).toMatchObject({ cipherSuite: suite.name, group: group.name, signatureScheme: SIGNATURE_SCHEME[keyName as keyof typeof SIGNATURE_SCHEME] });
          expect(client.getPeerIdentity()?.dnsNames).toEqual(['localhost']);
          expect(exporter).toEqual(serverSide.exporter);
          expect(ourKeylog).toHaveLength(5);
          expect(sortedLines(ourKeylog)).toEqual(sortedLines(nodeKeylog));
          await vitestEventually(() => serverSide.ended);
        });
      }
    }
  }
});

describe('a node:tls client against our server', () => {
  for (const suite of SUITES) {
    for (const group of GROUPS) {
      for (const [keyName, identity] of Object.entries(serverCertificates)) {
        it(`completes ${suite.name} over ${group.name} with our ${keyName} certificate, exchanges data, closes cleanly and logs our secrets`, async () => {
          const ourKeylog: Buffer[] = [];
          let serverSocket: Tls13Socket | undefined;
          let ourExporter: Buffer | undefined;
          const server = track(
            createServer({ certificate: identity, cipherSuites: [suite.id], groups: [group.id] }, (socket) => {
              serverSocket = socket;
              ourExporter = socket.exportKeyingMaterial(48, 'EXPORTER-interop', Buffer.from('ctx'));
              socket.once('data', (chunk: Buffer) => socket.end(`pong: ${chunk.toString()}`));
              socket.on('error', () => {});
            }),
          );
          server.on('keylog', (line: Buffer) => ourKeylog.push(line));
          const port = await listen(server);

          const nodeKeylog: Buffer[] = [];
          const client = tls.connect({ ...nodeTls13, host: '127.0.0.1', port, servername: 'localhost', ca: caPem, ciphers: suite.name, ecdhCurve: group.openssl });
          client.on('keylog', (line: Buffer) => nodeKeylog.push(line));
          await once(client, 'secureConnect');
          expect(client.authorized).toBe(true);
          expect(client.getCipher().name).toBe(suite.name);
          expect(client.getEphemeralKeyInfo()).toMatchObject({ name: NODE_GROUP_NAME[group.name] });
          const nodeExporter = client.exportKeyingMaterial(48, 'EXPORTER-interop', Buffer.from('ctx'));
          client.write('ping');
          const reply = await readAll(client);

          expect(reply).toBe('pong: ping');
          expect(serverSocket?.info).toMatchObject({ cipherSuite: suite.name, group: group.name, signatureScheme: SIGNATURE_SCHEME[keyName as keyof typeof SIGNATURE_SCHEME], serverName: 'localhost' });
          expect(ourExporter).toEqual(nodeExporter);
          expect(sortedLines(ourKeylog)).toEqual(sortedLines(nodeKeylog));
          expect(ourKeylog).toHaveLength(5);
        });
      }
    }
  }
});

describe('HTTP/1.1 over the adapter', () => {
  it("carries node:http's request over our client to a node:https server", async () => {
    const identity = serverCertificates['ECDSA P-256'];
    const server = track(https.createServer({ ...nodeTls13, cert: certPem(identity), key: keyPem(identity) }, (req, res) => res.end(`hello ${req.method} ${req.url}`)));
    const port = await listen(server);
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const request = http.request({ host: 'localhost', port, path: '/over-tls13-lab', headers: { connection: 'close' }, createConnection: () => ourClient(port) }, resolve);
      request.on('error', reject);
      request.end();
    });
    expect(response.statusCode).toBe(200);
    expect(await readAll(response)).toBe('hello GET /over-tls13-lab');
  });

  it("serves node's https client from a node:http server running on our createServer", async () => {
    const httpServer = http.createServer((req, res) => res.end(`served by tls13-lab: ${req.url}`));
    cleanups.push(() => httpServer.closeAllConnections());
    const server = track(createServer({ certificate: serverCertificates.Ed25519 }, (socket) => httpServer.emit('connection', socket)));
    const port = await listen(server);
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const request = https.get({ ...nodeTls13, host: '127.0.0.1', port, servername: 'localhost', ca: caPem, path: '/hello', agent: false }, resolve);
      request.on('error', reject);
    });
    expect(response.statusCode).toBe(200);
    expect((response.socket as tls.TLSSocket).getProtocol()).toBe('TLSv1.3');
    expect(await readAll(response)).toBe('served by tls13-lab: /hello');
  });
});

describe('ALPN with node:tls', () => {
  it('our client learns the protocol a node:tls server picked from its offer', async () => {
    const identity = serverCertificates.Ed25519;
    let nodeView: string | false = false;
    const server = track(
      tls.createServer({ ...nodeTls13, cert: certPem(identity), key: keyPem(identity), ALPNProtocols: ['http/1.1'] }, (socket) => {
        nodeView = socket.alpnProtocol ?? false;
        socket.end();
      }),
    );
    const port = await listen(server);
    const client = ourClient(port, { alpnProtocols: ['h2', 'http/1.1'] });
    await once(client, 'secureConnect');
    expect(client.alpnProtocol).toBe('http/1.1');
    await readAll(client);
    expect(nodeView).toBe('http/1.1');
  });

  it('our server picks its preferred protocol among those a node:tls client offers, and says false without ALPN', async () => {
    const server = track(createServer({ certificate: serverCertificates.Ed25519, alpnProtocols: ['h2', 'http/1.1'] }, (socket) => socket.end(String(socket.alpnProtocol))));
    const port = await listen(server);
    const offering = tls.connect({ ...nodeTls13, host: '127.0.0.1', port, servername: 'localhost', ca: caPem, ALPNProtocols: ['http/1.1', 'h2'] });
    expect(await readAll(offering)).toBe('h2');
    expect(offering.alpnProtocol).toBe('h2');
    const silent = tls.connect({ ...nodeTls13, host: '127.0.0.1', port, servername: 'localhost', ca: caPem });
    expect(await readAll(silent)).toBe('false');
  });
});

describe('mutual TLS with node:tls', () => {
  /** A node:tls server that requires client certificates issued by (here: equal to) `trusted`. */
  async function nodeServerRequiring(trusted: string) {
    const identity = serverCertificates['ECDSA P-256'];
    const seen = { peerCn: '', authorized: false, clientErrors: [] as Error[] };
    const server = track(
      tls.createServer({ ...nodeTls13, cert: certPem(identity), key: keyPem(identity), requestCert: true, rejectUnauthorized: true, ca: [trusted] }, (socket) => {
        seen.authorized = socket.authorized;
        seen.peerCn = String(socket.getPeerCertificate().subject?.CN);
        socket.end('welcome');
      }),
    );
    server.on('tlsClientError', (error: Error) => seen.clientErrors.push(error));
    return { port: await listen(server), seen };
  }

  it('a node:tls server that trusts our self-signed client certificate accepts our client presenting it', async () => {
    const { port, seen } = await nodeServerRequiring(certPem(trustedClient));
    const client = ourClient(port, { certificate: trustedClient });
    expect(await readAll(client)).toBe('welcome');
    expect(client.info.clientAuth).toBe('authenticated');
    expect(seen).toMatchObject({ authorized: true, peerCn: 'trusted client', clientErrors: [] });
  });

  it('a node:tls server drops our client presenting a certificate it does not trust, without an alert', async () => {
    const { port, seen } = await nodeServerRequiring(certPem(trustedClient));
    const client = ourClient(port, { certificate: strangerClient });
    const alerts: string[] = [];
    client.on('tlsEvent', (event: TlsEvent) => event.type === 'alert' && event.direction === 'in' && alerts.push(event.description));
    // TLS 1.3: the client is done before the server judges its certificate. Node (rejectUnauthorized) then
    // closes TCP without any alert, so our client sees a stream that ends without close_notify.
    expect(await readAll(client)).toBe('');
    expect(alerts).toEqual([]);
    await vitestEventually(() => seen.clientErrors.length === 1);
    expect(seen.authorized).toBe(false);
    expect(seen.clientErrors[0]).toMatchObject({ code: 'ECONNRESET' });
  });

  it("lets a 'decision-needed' listener pick the client certificate for node's CertificateRequest", async () => {
    const { port, seen } = await nodeServerRequiring(certPem(trustedClient));
    const client = ourClient(port, { certificate: 'ask' });
    const asked: string[] = [];
    client.on('decision-needed', (decision: PendingDecision) => {
      asked.push(decision.kind);
      if (decision.kind === 'client-certificate') client.resolve({ kind: 'client-certificate', certificate: trustedClient });
    });
    expect(await readAll(client)).toBe('welcome');
    expect(asked).toEqual(['client-certificate']);
    expect(seen).toMatchObject({ authorized: true, peerCn: 'trusted client' });
  });

  it('our server pinning a self-signed client certificate accepts a node:tls client presenting it', async () => {
    const server = track(
      createServer({ certificate: serverCertificates.Ed25519, clientAuth: 'require', trust: { kind: 'pinned-certificate', certificates: [trustedClient.der] } }, (socket) => {
        socket.end(`hello ${socket.getPeerIdentity()?.subject}`);
        socket.on('error', () => {});
      }),
    );
    const port = await listen(server);
    const client = tls.connect({ ...nodeTls13, host: '127.0.0.1', port, servername: 'localhost', ca: caPem, cert: certPem(trustedClient), key: keyPem(trustedClient) });
    expect(await readAll(client)).toBe('hello CN=trusted client');
  });

  it('our server pinning one client certificate sends bad_certificate to a node:tls client presenting another', async () => {
    const server = track(createServer({ certificate: serverCertificates.Ed25519, clientAuth: 'require', trust: { kind: 'pinned-certificate', certificates: [trustedClient.der] } }));
    const ourError = firstClientError(server);
    const port = await listen(server);
    const client = tls.connect({ ...nodeTls13, host: '127.0.0.1', port, servername: 'localhost', ca: caPem, cert: certPem(strangerClient), key: keyPem(strangerClient) });
    client.resume();
    const nodeError = await nextError(client);
    expect(await ourError).toMatchObject({ direction: 'sent', alert: 'bad_certificate' });
    expect(nodeError).toMatchObject({ code: 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE' });
  });

  it('our server requiring a client certificate sends certificate_required to a node:tls client without one', async () => {
    const server = track(createServer({ certificate: serverCertificates.Ed25519, clientAuth: 'require', trust: { kind: 'pinned-certificate', certificates: [trustedClient.der] } }));
    const ourError = firstClientError(server);
    const port = await listen(server);
    const client = tls.connect({ ...nodeTls13, host: '127.0.0.1', port, servername: 'localhost', ca: caPem });
    client.resume();
    const nodeError = await nextError(client);
    expect(await ourError).toMatchObject({ direction: 'sent', alert: 'certificate_required' });
    expect(nodeError).toMatchObject({ code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' });
  });
});

describe('handshake failures name the alert', () => {
  it('our client sends unknown_ca for a server certificate that does not chain to its anchor, and node hears it', async () => {
    const identity = serverCertificates['ECDSA P-256'];
    const nodeErrors: Error[] = [];
    const server = track(tls.createServer({ ...nodeTls13, cert: certPem(identity), key: keyPem(identity) }));
    server.on('tlsClientError', (error: Error) => nodeErrors.push(error));
    const port = await listen(server);
    const client = ourClient(port, { trust: { kind: 'ca', anchors: [trustedClient.der] } });
    const error = await nextError(client);
    expect(error).toBeInstanceOf(TlsAlertError);
    expect(error).toMatchObject({ direction: 'sent', alert: 'unknown_ca' });
    await vitestEventually(() => nodeErrors.length === 1);
    expect(nodeErrors[0]).toMatchObject({ code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA' });
  });

  it("our client reports node's alert when no cipher suite is shared", async () => {
    const identity = serverCertificates['ECDSA P-256'];
    const server = track(tls.createServer({ ...nodeTls13, cert: certPem(identity), key: keyPem(identity), ciphers: 'TLS_AES_256_GCM_SHA384' }));
    server.on('tlsClientError', () => {});
    const port = await listen(server);
    const client = ourClient(port, { cipherSuites: [SUITES[0].id] });
    expect(await nextError(client)).toMatchObject({ direction: 'received', alert: 'handshake_failure' });
  });

  it('our client gives up on a server that never answers after handshakeTimeout', async () => {
    const silent = track(net.createServer(() => {}));
    const port = await listen(silent);
    const client = ourClient(port, { handshakeTimeout: 100 });
    expect((await nextError(client)).message).toMatch(/timed out after 100 ms \(state WAIT_SH\)/);
  });
});

describe('flow control', () => {
  it('moves a megabyte each way through a node:tls echo server', async () => {
    const identity = serverCertificates.Ed25519;
    const server = track(tls.createServer({ ...nodeTls13, cert: certPem(identity), key: keyPem(identity) }, (socket) => socket.pipe(socket)));
    const port = await listen(server);
    const payload = Buffer.alloc(1 << 20);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7919) & 0xff;
    const client = ourClient(port);
    client.write(payload);
    const echoed: Buffer[] = [];
    let length = 0;
    for await (const chunk of client) {
      echoed.push(chunk as Buffer);
      length += (chunk as Buffer).length;
      if (length >= payload.length) break;
    }
    expect(Buffer.concat(echoed).equals(payload)).toBe(true);
  });
});

describe("the 'ask' trust policy over a socket", () => {
  async function nodeServer() {
    const identity = serverCertificates['ECDSA P-256'];
    const server = track(tls.createServer({ ...nodeTls13, cert: certPem(identity), key: keyPem(identity) }, (socket) => socket.end('hi')));
    server.on('tlsClientError', () => {});
    return { port: await listen(server), identity };
  }

  it("pauses at 'decision-needed' and goes on when the listener trusts the chain it was shown", async () => {
    const { port, identity } = await nodeServer();
    const client = ourClient(port, { trust: { kind: 'ask' } });
    client.on('decision-needed', (decision: PendingDecision) => {
      if (decision.kind === 'verify-peer') client.resolve({ kind: 'verify-peer', verdict: { trusted: Buffer.from(decision.chain[0]!).equals(identity.der) } });
    });
    expect(await readAll(client)).toBe('hi');
  });

  it("rejects with bad_certificate when nobody listens for 'decision-needed'", async () => {
    const { port } = await nodeServer();
    const client = ourClient(port, { trust: { kind: 'ask' } });
    expect(await nextError(client)).toMatchObject({ direction: 'sent', alert: 'bad_certificate' });
  });
});

describe('stream semantics', () => {
  it("keeps the data a peer sent before close_notify for a reader that comes late", async () => {
    const identity = serverCertificates.Ed25519;
    const payload = Buffer.alloc(8 * 1024, 'z'); // below the readable high-water mark: nothing pauses the transport
    const server = track(tls.createServer({ ...nodeTls13, cert: certPem(identity), key: keyPem(identity) }, (socket) => socket.end(payload)));
    const port = await listen(server);
    const client = ourClient(port);
    await once(client, 'secureConnect');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await readBytes(client)).equals(payload)).toBe(true);
  });

  it("emits 'session' for each NewSessionTicket node:tls sends", async () => {
    const identity = serverCertificates.Ed25519;
    const server = track(tls.createServer({ ...nodeTls13, cert: certPem(identity), key: keyPem(identity), sessionTimeout: 600 }, (socket) => socket.end('bye')));
    const port = await listen(server);
    const client = ourClient(port);
    const tickets: SessionTicket[] = [];
    client.on('session', (ticket: SessionTicket) => tickets.push(ticket));
    expect(await readAll(client)).toBe('bye');
    // OpenSSL sends two tickets after a full handshake by default, with the session timeout as lifetime.
    expect(tickets.map((t) => t.lifetime)).toEqual([600, 600]);
  });
});

describe('our server keeps serving while clients misbehave', () => {
  it('answers garbage with an alert, drops an abrupt disconnect, times out a staller, and serves a good client meanwhile', async () => {
    const clientErrors: Error[] = [];
    const server = track(
      createServer({ certificate: serverCertificates['ECDSA P-256'], handshakeTimeout: 300 }, (socket) => {
        socket.end('still here');
        socket.on('error', () => {});
      }),
    );
    server.on('tlsClientError', (error: Error) => clientErrors.push(error));
    const port = await listen(server);
    const raw = () => {
      const socket = net.connect({ host: '127.0.0.1', port });
      cleanups.push(() => socket.destroy());
      socket.on('error', () => {});
      return socket;
    };

    const staller = raw();
    await once(staller, 'connect');

    const garbage = raw();
    garbage.end('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const garbageReply = await readBytes(garbage);
    // One plaintext fatal alert: content type 21, record version 0x0303, length 2, fatal (2), unexpected_message (10).
    expect([...garbageReply]).toEqual([21, 3, 3, 0, 2, 2, 10]);

    const quitter = raw();
    await once(quitter, 'connect');
    const clientHello = Connection.client({ serverName: 'localhost', trust: { kind: 'ca', anchors: [ca.der] }, now: Date.now }).takeOutput();
    await new Promise((resolve) => quitter.write(clientHello.subarray(0, 40), resolve));
    quitter.destroy();

    const good = tls.connect({ ...nodeTls13, host: '127.0.0.1', port, servername: 'localhost', ca: caPem });
    expect(await readAll(good)).toBe('still here');

    await vitestEventually(() => clientErrors.length === 3, 2000);
    const messages = clientErrors.map((e) => e.message);
    expect(messages.some((m) => /^TLS alert unexpected_message sent: .*unknown content type/.test(m))).toBe(true);
    expect(messages.some((m) => /closed the connection during the TLS handshake \(state START\)|ECONNRESET/.test(m))).toBe(true);
    expect(messages.some((m) => /timed out after 300 ms/.test(m))).toBe(true);
  });
});

function firstClientError(server: net.Server): Promise<Error> {
  return new Promise((resolve) => server.once('tlsClientError', resolve));
}

async function vitestEventually(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
