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
import { ca, certPem, GROUPS, keyPem, listen, nextError, readAll, serverCertificates, strangerClient, SUITES, trustedClient } from './fixtures.js';

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
    (server as Partial<http.Server>).closeAllConnections?.();
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
            tls.createServer({ ...nodeTls13, cert: certPem(identity), key: keyPem(identity), ciphersuites: suite.name, ecdhCurve: group.openssl }, (socket) => {
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
          const client = tls.connect({ ...nodeTls13, host: '127.0.0.1', port, servername: 'localhost', ca: caPem, ciphersuites: suite.name, ecdhCurve: group.openssl });
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

async function vitestEventually(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
