// A server's config is checked once, when the server is made, and every connection it accepts shares that
// checked config (no check per connection). What is shared must be what was checked: a snapshot, taken before
// the checks and frozen, so a caller who changes its own options object afterwards (or whose getters answer
// differently the second time) changes nothing the server does. Attacker's tests: the options are rewritten
// after createServer in every way that would otherwise reach a connection.
import * as tls from 'node:tls';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { checkedServerSnapshot } from '../../src/handshake/config-snapshot.js';
import type { ServerConfig } from '../../src/handshake/config.js';
import type { ServerOptions } from '../../src/node/adapter.js';
import { CipherSuite } from '../../src/wire/enums.js';
import { ca, certPem, helloServers, serverCertificates } from './fixtures.js';

const identity = serverCertificates['ECDSA P-256'];
const helloServer = helloServers();

/** A node:tls client's handshake: the suite and ALPN it got, or its error. */
async function handshake(port: number): Promise<{ suite?: string; alpn?: string | false | null; error?: string }> {
  const socket = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: certPem(ca), minVersion: 'TLSv1.3', ALPNProtocols: ['h2', 'http/1.1'] });
  const timer = setTimeout(() => socket.destroy(new Error('no handshake within 5 s')), 5000);
  try {
    await once(socket, 'secureConnect');
    return { suite: socket.getCipher().standardName, alpn: socket.alpnProtocol };
  } catch (e) {
    return { error: (e as Error).message };
  } finally {
    clearTimeout(timer);
    socket.destroy();
  }
}

describe('a server config changed by its caller after createServer', () => {
  it('keeps the suites, ALPN protocols and certificate bytes it was made with', async () => {
    const chain = [new Uint8Array(identity.chain[0]!)];
    const options: ServerOptions = {
      certificate: { chain, privateKey: identity.privateKey },
      cipherSuites: [CipherSuite.TLS_AES_256_GCM_SHA384],
      alpnProtocols: ['http/1.1'],
    };
    const port = await helloServer(options);
    expect(await handshake(port)).toEqual({ suite: 'TLS_AES_256_GCM_SHA384', alpn: 'http/1.1' });
    options.cipherSuites![0] = CipherSuite.TLS_CHACHA20_POLY1305_SHA256;
    (options.alpnProtocols as string[])[0] = 'h2';
    chain[0]!.fill(0, 100, 140); // the certificate's bytes written over: a client would refuse it
    (options.certificate as { chain: Uint8Array[] }).chain = [];
    expect(await handshake(port)).toEqual({ suite: 'TLS_AES_256_GCM_SHA384', alpn: 'http/1.1' });
  });

  it('reads each option once: a getter that answers differently later is never asked again', async () => {
    let reads = 0;
    const certificate = {
      privateKey: identity.privateKey,
      get chain() {
        reads++;
        return reads === 1 ? identity.chain : [new Uint8Array(64)];
      },
    };
    const port = await helloServer({ certificate, cipherSuites: [CipherSuite.TLS_AES_256_GCM_SHA384] });
    expect(reads).toBe(1);
    expect(await handshake(port)).toMatchObject({ suite: 'TLS_AES_256_GCM_SHA384' });
    expect(await handshake(port)).toMatchObject({ suite: 'TLS_AES_256_GCM_SHA384' });
    expect(reads).toBe(1);
  });
});

describe('the checked snapshot', () => {
  const config: ServerConfig = { certificate: identity, cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256] };

  it('is frozen, with copies of the caller arrays and bytes', () => {
    const snapshot = checkedServerSnapshot(config);
    expect(Object.isFrozen(snapshot)).toBe(true);
    expect(Object.isFrozen(snapshot.cipherSuites)).toBe(true);
    expect(snapshot.cipherSuites).not.toBe(config.cipherSuites);
    expect(snapshot.certificate!.chain[0]).not.toBe(identity.chain[0]);
    expect(snapshot.certificate!.chain[0]).toEqual(identity.chain[0]);
    expect(() => (snapshot.cipherSuites as number[]).push(1)).toThrow(TypeError);
  });

  it('is refused at once when the config does not fit', () => {
    expect(() => checkedServerSnapshot({ ...config, cipherSuites: [] })).toThrow(/cipherSuites must be a non-empty array/);
  });

  it('skips the check only for a snapshot it made: a frozen lookalike is checked', () => {
    const lookalike = Object.freeze({ ...checkedServerSnapshot(config), cipherSuites: Object.freeze([]) as unknown as number[] });
    expect(() => checkedServerSnapshot(lookalike)).toThrow(/cipherSuites must be a non-empty array/);
  });
});
