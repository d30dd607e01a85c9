// A client's options are translated and checked once per content (src/node/client-options.ts): connect()
// with the same options object, or a fresh object with the same fields, reuses the checked config. What is
// reused must be what was checked, for what the caller gives now: attacker's tests, each changing the options
// between two connects in a way that a translation kept by the object's identity, or by its top-level fields
// only, would miss: a list or the pinned bytes written over in place, a field replaced, a getter that answers
// differently. Each fails with the content comparison removed (docs/performance-history.md, tenth round).
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type ConnectOptions, type Tls13Server, type Tls13Socket } from '../../src/node/adapter.js';
import { CipherSuite } from '../../src/wire/enums.js';
import { pongServer, serverCertificates } from './fixtures.js';

const identity = serverCertificates.Ed25519;
const servers: Tls13Server[] = [];
afterEach(() => servers.splice(0).forEach((server) => server.close()));

async function server(): Promise<number> {
  const { server, port } = await pongServer({ certificate: identity, alpnProtocols: ['http/1.1', 'h2'] });
  servers.push(server);
  return port;
}

/** The handshake's outcome: the ALPN protocol and suite agreed, or the client's error. */
async function outcome(socket: Tls13Socket): Promise<{ alpn?: string | false; suite?: string; error?: string }> {
  try {
    await once(socket, 'secureConnect');
    return { alpn: socket.alpnProtocol, suite: socket.info.cipherSuite };
  } catch (e) {
    return { error: (e as Error).message };
  } finally {
    socket.destroy();
  }
}

/** Options pinning the server's certificate, with arrays of their own (so a test can write over them). */
function pinnedOptions(port: number): ConnectOptions {
  return {
    host: 'localhost',
    port,
    trust: { kind: 'pinned-certificate', certificates: [new Uint8Array(identity.der)] },
    alpnProtocols: ['http/1.1'],
    cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256],
  };
}

describe('connect() with options it has checked before', () => {
  it('checks a list written over in place again: the same object, then a fresh copy of its fields', async () => {
    const port = await server();
    const options = pinnedOptions(port);
    expect(await outcome(connect(options))).toEqual({ alpn: 'http/1.1', suite: 'TLS_AES_128_GCM_SHA256' });
    (options.alpnProtocols as string[])[0] = ''; // RFC 7301 §3.1: a protocol name is 1 to 255 bytes
    expect(() => connect(options)).toThrow(/alpnProtocols\[0\]/);
    expect(() => connect({ ...options })).toThrow(/alpnProtocols\[0\]/);
    (options.alpnProtocols as string[])[0] = 'h2';
    expect(await outcome(connect({ ...options }))).toEqual({ alpn: 'h2', suite: 'TLS_AES_128_GCM_SHA256' });
  });

  it('uses pinned certificate bytes written over in place: checked again, then pinned as they are now', async () => {
    const port = await server();
    const options = pinnedOptions(port);
    expect(await outcome(connect(options))).toMatchObject({ alpn: 'http/1.1' });
    const [pinned] = (options.trust as { certificates: Uint8Array[] }).certificates;
    pinned!.fill(0, 100, 140); // no longer a certificate: the check refuses it
    expect(() => connect(options)).toThrow(/trust\.certificates\[0\]/);
    pinned!.set(identity.der.subarray(100, 140), 100);
    expect(await outcome(connect(options))).toMatchObject({ alpn: 'http/1.1' });
    pinned![pinned!.length - 1]! ^= 0xff; // a certificate still, but not the server's (a byte of its signature)
    expect((await outcome(connect(options))).error).toMatch(/pinned/i);
    expect((await outcome(connect({ ...options }))).error).toMatch(/pinned/i);
  });

  it("calls the caller's checkServerIdentity given now, not the one of an earlier connect", async () => {
    const port = await server();
    const options: ConnectOptions = { ...pinnedOptions(port), checkServerIdentity: () => undefined };
    expect(await outcome(connect(options))).toMatchObject({ alpn: 'http/1.1' });
    options.checkServerIdentity = () => new Error('not this server, says the caller');
    expect((await outcome(connect(options))).error).toMatch(/not this server, says the caller/);
  });

  it('reads each option once per connect: a getter that answers differently is judged on what it answered', async () => {
    const port = await server();
    const answers = [['http/1.1'], ['h2'], ['']];
    let reads = 0;
    const options = Object.defineProperty(pinnedOptions(port), 'alpnProtocols', { enumerable: true, get: () => answers[reads++] });
    expect(await outcome(connect(options))).toMatchObject({ alpn: 'http/1.1' });
    expect(reads).toBe(1);
    expect(await outcome(connect(options))).toMatchObject({ alpn: 'h2' });
    expect(reads).toBe(2);
    expect(() => connect(options)).toThrow(/alpnProtocols\[0\]/);
    expect(reads).toBe(3);
  });

  it('honours an inherited option as before (node:tls reads options as properties)', async () => {
    const port = await server();
    const options: ConnectOptions = Object.assign(Object.create({ alpnProtocols: ['h2'] }) as ConnectOptions, { ...pinnedOptions(port), alpnProtocols: undefined });
    delete options.alpnProtocols;
    // Every option read as a property, own or inherited (test/security/node-inherited-options): the inherited list is offered.
    expect(await outcome(connect(options))).toMatchObject({ alpn: 'h2' });
    const insecure = Object.assign(Object.create({ rejectUnauthorized: false }) as ConnectOptions, { host: 'localhost', port });
    const socket = connect(insecure);
    await once(socket, 'secureConnect');
    expect(socket.authorized).toBe(false);
    socket.destroy();
  });
});
