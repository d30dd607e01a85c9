// The application as attacker, against a node server's config (docs/security.md, "Red team, session 14"). A
// server checks its options once, in createServer, and gives every connection it accepts the same checked
// snapshot. The snapshot holds some objects as they were given (the provider, the certificate compressors, the
// anti-replay register): their methods are called, so they are not copied, and a plugin that shares one can
// change it in place after createServer. The engine judges them again at every use of a checked config
// (validateGivenObjects); the server's connections skipped that judgement, and were made with whatever the
// objects had become. Now each accepted connection is judged as Connection.server judges a config it checked
// before; a connection whose objects fail is refused before its handshake (internal_error, 'tlsClientError'
// with the TypeError), the server goes on, and the next connection is judged anew.
import { once } from 'node:events';
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Connection } from '../../src/handshake/connection.js';
import { connect, createServer, type ServerOptions, type Tls13Server } from '../../src/node/adapter.js';
import { nodeCertificateCompression } from '../../src/node/certificate-compression.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { ca, certPem, listen, serverCertificates } from './fixtures.js';

const servers: Tls13Server[] = [];
afterEach(() => servers.splice(0).forEach((server) => server.close()));

/** A fatal internal_error alert in a plaintext record (RFC 8446 §5.1, §6.2). */
const INTERNAL_ERROR_ALERT = [21, 3, 3, 0, 2, 2, 80];

/** A server answering 'hello', with what it reported to 'tlsClientError'. */
async function helloServer(options: ServerOptions) {
  const errors: Array<{ error: unknown; remoteAddress: string | undefined }> = [];
  const server = createServer({ certificate: serverCertificates['ECDSA P-256'], handshakeTimeout: 3000, ...options }, (socket) => {
    socket.on('error', () => {});
    socket.end('hello');
  });
  server.on('tlsClientError', (error: unknown, socket: net.Socket) => errors.push({ error, remoteAddress: socket.remoteAddress }));
  servers.push(server);
  return { server, port: await listen(server), errors };
}

/** Our client's handshake: 'hello', or its error message. */
async function hello(port: number): Promise<string> {
  const socket = connect({ host: 'localhost', port, ca: certPem(ca) });
  try {
    await once(socket, 'secureConnect');
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    return chunk.toString();
  } catch (e) {
    return (e as Error).message;
  } finally {
    socket.destroy();
  }
}

/** Everything the server sends back to a ClientHello, until it closes (or 2 s pass). */
async function answerToClientHello(port: number): Promise<number[]> {
  const clientHello = Connection.client({ serverName: 'localhost', trust: { kind: 'ask' } }).takeOutput();
  const socket = net.connect(port, '127.0.0.1');
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  socket.on('error', () => {});
  socket.end(clientHello);
  const timer = setTimeout(() => socket.destroy(), 2000);
  await once(socket, 'close');
  clearTimeout(timer);
  return [...Buffer.concat(received)];
}

/**
 * The attack: a server made with `given`, one connection served, `change` applied to an object the config holds
 * as given, then two connections refused, each with `refusal`, before any handshake message; `restore`, and
 * the server serves again.
 */
async function refusedAfterChange(options: ServerOptions, change: () => void, restore: () => void, refusal: RegExp): Promise<void> {
  const { server, port, errors } = await helloServer(options);
  expect(await hello(port)).toBe('hello');
  change();
  expect(await answerToClientHello(port)).toEqual(INTERNAL_ERROR_ALERT);
  expect(await hello(port)).toBe('TLS alert internal_error received from the peer');
  expect(errors).toHaveLength(2);
  for (const { error, remoteAddress } of errors) {
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(refusal);
    expect(remoteAddress).toBe('127.0.0.1');
  }
  restore();
  expect(await hello(port)).toBe('hello');
  expect(server.listening).toBe(true);
}

describe("a server's objects held as given, changed in place after createServer", () => {
  it('a provider that lost verify (which this server, asking for no client certificate, would never call)', async () => {
    const provider = { ...nodeCryptoProvider };
    await refusedAfterChange(
      { provider },
      () => delete (provider as Partial<typeof provider>).verify,
      () => (provider.verify = nodeCryptoProvider.verify),
      /provider\.verify/,
    );
  });

  it('a provider whose sign was replaced by something that is no function', async () => {
    const provider = { ...nodeCryptoProvider };
    await refusedAfterChange(
      { provider },
      () => ((provider as { sign: unknown }).sign = 'sign with the HSM'),
      () => (provider.sign = nodeCryptoProvider.sign),
      /provider\.sign/,
    );
  });

  it('a certificate compressor renamed to an algorithm already given', async () => {
    const codecs = nodeCertificateCompression();
    const brotli = codecs.find((codec) => codec.algorithm === 'brotli')!;
    await refusedAfterChange(
      { certificateCompression: codecs },
      () => ((brotli as { algorithm: string }).algorithm = 'zlib'),
      () => ((brotli as { algorithm: string }).algorithm = 'brotli'),
      /zlib twice/,
    );
  });

  it('an anti-replay register that lost firstUse', async () => {
    const antiReplay = { firstUse: () => true };
    await refusedAfterChange(
      { tickets: { maxEarlyDataSize: 1024, antiReplay: antiReplay as never } },
      () => delete (antiReplay as Partial<typeof antiReplay>).firstUse,
      () => (antiReplay.firstUse = () => true),
      /tickets\.antiReplay\.firstUse/,
    );
  });

  it('a provider whose field now throws when read: refused as well, and the server, with no listener for the refusals, goes on', async () => {
    const provider = { ...nodeCryptoProvider };
    const server = createServer({ certificate: serverCertificates['ECDSA P-256'], provider }, (socket) => socket.end('hello'));
    servers.push(server);
    const port = await listen(server);
    Object.defineProperty(provider, 'hash', {
      configurable: true,
      get() {
        throw new RangeError('unplugged');
      },
    });
    expect(await answerToClientHello(port)).toEqual(INTERNAL_ERROR_ALERT);
    Object.defineProperty(provider, 'hash', { value: nodeCryptoProvider.hash });
    expect(await hello(port)).toBe('hello');
  });
});
