// Certificates and helpers shared by the node:tls and command-line interop tests. Certificates are made
// once per process by our builder, valid around the real clock (real peers check validity with it).
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { once } from 'node:events';
import type { AddressInfo, Server } from 'node:net';
import { createServer, type ServerOptions, type Tls13Server, type Tls13Socket } from '../../src/node/adapter.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { encodePkcs8, loadPrivateKey } from '../../src/auth/keys.js';
import { toPem } from '../../src/auth/pem.js';
import { seededRandom } from '../../src/crypto/random.js';
import { makeIdentity, DAY, type Identity } from '../../src/testing/certs.js';
import { CipherSuite, NamedGroup } from '../../src/wire/enums.js';

const random = seededRandom('node interop fixtures');
const validity = { notBefore: Date.now() - DAY, notAfter: Date.now() + 30 * DAY };

export const ca = makeIdentity({ subject: { CN: 'tls13-lab interop CA' }, keyType: 'p256', isCA: true, keyUsage: ['keyCertSign'], ...validity }, random);

function serverLeaf(keyType: 'ed25519' | 'p256' | 'rsa', serial: bigint): Identity {
  const key =
    keyType === 'rsa'
      ? { privateKey: loadPrivateKey(new Uint8Array(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'der' }))) }
      : { keyType };
  return makeIdentity(
    { subject: { CN: `localhost ${keyType}` }, serial, issuer: ca, sans: { dns: ['localhost'], ip: ['127.0.0.1'] }, extKeyUsage: ['serverAuth'], ...key, ...validity },
    random,
  );
}

export const serverCertificates = {
  Ed25519: serverLeaf('ed25519', 2n),
  'ECDSA P-256': serverLeaf('p256', 3n),
  'RSA-2048': serverLeaf('rsa', 4n),
} as const;

/** Self-signed client certificates: one the peers are told to trust, one they are not. */
export const trustedClient = makeIdentity({ subject: { CN: 'trusted client' }, keyType: 'p256', serial: 10n, extKeyUsage: ['clientAuth'], ...validity }, random);
export const strangerClient = makeIdentity({ subject: { CN: 'stranger client' }, keyType: 'p256', serial: 11n, extKeyUsage: ['clientAuth'], ...validity }, random);

export const certPem = (identity: Identity): string => toPem('CERTIFICATE', identity.der);
export const keyPem = (identity: Identity): string => toPem('PRIVATE KEY', encodePkcs8(identity.privateKey));

/** Our name and id, node's (OpenSSL's) names of each suite and group. */
export const SUITES = [
  { name: 'TLS_AES_128_GCM_SHA256', id: CipherSuite.TLS_AES_128_GCM_SHA256 },
  { name: 'TLS_AES_256_GCM_SHA384', id: CipherSuite.TLS_AES_256_GCM_SHA384 },
  { name: 'TLS_CHACHA20_POLY1305_SHA256', id: CipherSuite.TLS_CHACHA20_POLY1305_SHA256 },
] as const;

/** The AES-CCM suites, off by default (as in OpenSSL): peers and our endpoints must name them. */
export const CCM_SUITES = [
  { name: 'TLS_AES_128_CCM_SHA256', id: CipherSuite.TLS_AES_128_CCM_SHA256 },
  { name: 'TLS_AES_128_CCM_8_SHA256', id: CipherSuite.TLS_AES_128_CCM_8_SHA256 },
] as const;

export const GROUPS = [
  { name: 'x25519', id: NamedGroup.x25519, openssl: 'X25519' },
  { name: 'secp256r1', id: NamedGroup.secp256r1, openssl: 'prime256v1' },
  { name: 'secp384r1', id: NamedGroup.secp384r1, openssl: 'secp384r1' },
] as const;

/** The other RFC 8446 groups: our name and id, OpenSSL's name, GnuTLS's priority keyword. */
export const MORE_GROUPS = [
  { name: 'secp521r1', id: NamedGroup.secp521r1, openssl: 'P-521', gnutls: 'GROUP-SECP521R1' },
  { name: 'x448', id: NamedGroup.x448, openssl: 'X448', gnutls: 'GROUP-X448' },
  { name: 'ffdhe2048', id: NamedGroup.ffdhe2048, openssl: 'ffdhe2048', gnutls: 'GROUP-FFDHE2048' },
  { name: 'ffdhe3072', id: NamedGroup.ffdhe3072, openssl: 'ffdhe3072', gnutls: 'GROUP-FFDHE3072' },
  { name: 'ffdhe4096', id: NamedGroup.ffdhe4096, openssl: 'ffdhe4096', gnutls: 'GROUP-FFDHE4096' },
  { name: 'ffdhe6144', id: NamedGroup.ffdhe6144, openssl: 'ffdhe6144', gnutls: 'GROUP-FFDHE6144' },
  { name: 'ffdhe8192', id: NamedGroup.ffdhe8192, openssl: 'ffdhe8192', gnutls: 'GROUP-FFDHE8192' },
] as const;

export async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** Everything a stream gives until it ends. */
export async function readBytes(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export const readAll = async (stream: AsyncIterable<unknown>): Promise<string> => (await readBytes(stream)).toString('utf8');

/** The first 'error' a stream emits. */
export function nextError(stream: NodeJS.EventEmitter): Promise<Error> {
  return new Promise((resolve) => stream.once('error', resolve));
}

/** Every engine event of a socket of ours, from now on ('tlsEvent'). */
export function eventsOf(socket: Tls13Socket): TlsEvent[] {
  const events: TlsEvent[] = [];
  socket.on('tlsEvent', (event: TlsEvent) => events.push(event));
  return events;
}

/** Whether a HelloRetryRequest went either way among these events. */
export const sawHelloRetry = (events: TlsEvent[]): boolean =>
  events.some((e) => e.type === 'handshake-message' && e.message.kind === 'hello_retry_request');

/**
 * Our server: answers the first chunk with `pong: <chunk>` and closes with close_notify. Keeps its key log,
 * the errors of its connections, and each connection's engine events (`sockets`); `server.close()` it after.
 */
export async function pongServer(options: ServerOptions) {
  const keylog: string[] = [];
  const errors: Error[] = [];
  const sockets: Array<{ socket: Tls13Socket; events: TlsEvent[] }> = [];
  const server: Tls13Server = createServer(options, (socket) => {
    socket.once('data', (chunk: Buffer) => socket.end(`pong: ${chunk.toString()}`));
    socket.on('error', (error) => errors.push(error));
  });
  server.on('tlsSocket', (socket: Tls13Socket) => sockets.push({ socket, events: eventsOf(socket) }));
  server.on('keylog', (line: Buffer) => keylog.push(line.toString('latin1').trimEnd()));
  server.on('tlsClientError', (error: Error) => errors.push(error));
  return { server, port: await listen(server), keylog, errors, sockets };
}

/**
 * Servers that answer every connection with 'hello' and end it (by default with the ECDSA P-256 certificate),
 * each closed after the test that opened it (call once at a test file's top level; each call of the result is a
 * new server's port).
 */
export function helloServers(): (options?: ServerOptions) => Promise<number> {
  const servers: Tls13Server[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.close();
  });
  return async (options = { certificate: serverCertificates['ECDSA P-256'] }) => {
    const server = helloServer(options);
    servers.push(server);
    return listen(server);
  };
}

function helloServer(options: ServerOptions): Tls13Server {
  const server = createServer(options, (socket) => {
    socket.on('error', () => {});
    socket.end('hello');
  });
  server.on('tlsClientError', () => {});
  return server;
}

/**
 * One such server for a whole test file, listening before its first test and closed after its last (call once
 * at the file's top level); the result gives its port.
 */
export function fileHelloServer(): () => number {
  const server = helloServer({ certificate: serverCertificates['ECDSA P-256'] });
  let port = 0;
  beforeAll(async () => {
    port = await listen(server);
  });
  afterAll(() => server.close());
  return () => port;
}
