// Attacker's scripts for issue 14 defect 5: node:tls's option names must keep node's meaning in
// tls13-lab/node. A man in the middle holds a real certificate from a CA the client trusts, issued for
// evil.example. A client that asked for good.example with node's spelling (`servername`) must refuse it,
// send good.example as SNI, and never report evil.example as verified: not with rejectUnauthorized: false
// (node's "connect anyway", where `authorized` is false and no identity is reported) and not with a
// checkServerIdentity that replaces the name check. An option the adapter does not know, or a misshaped
// trust policy, is a TypeError before any TCP connection is opened.
import * as net from 'node:net';
import * as tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import type { TlsEvent } from '../../src/handshake/events.js';
import { connect, createServer, type ConnectOptions } from '../../src/node/adapter.js';
import { DAY, makeIdentity, type Identity } from '../../src/testing/certs.js';
import { seededRandom } from '../../src/crypto/random.js';
import { certPem, keyPem, listen, nextError, readAll } from '../node/fixtures.js';

const random = seededRandom('node option names attacker');
const validity = { notBefore: Date.now() - DAY, notAfter: Date.now() + 30 * DAY };
const ca = makeIdentity({ subject: { CN: 'trusted CA' }, keyType: 'p256', isCA: true, keyUsage: ['keyCertSign'], ...validity }, random);
const stranger = makeIdentity({ subject: { CN: 'stranger CA' }, keyType: 'p256', isCA: true, keyUsage: ['keyCertSign'], ...validity }, random);
const leaf = (name: string, issuer: Identity) => makeIdentity({ subject: { CN: name }, issuer, sans: { dns: [name] }, extKeyUsage: ['serverAuth'], keyType: 'p256', ...validity }, random);
/** What the attacker holds: a real certificate from the trusted CA, for its own name. */
const evil = leaf('evil.example', ca);
const good = leaf('good.example', ca);
const forged = leaf('good.example', stranger);
const client = makeIdentity({ subject: { CN: 'node-style client' }, keyType: 'p256', extKeyUsage: ['clientAuth'], ...validity }, random);
const nodeTls13 = { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' } as const;

const servers: net.Server[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

/** A node:tls server holding `identity`; records the SNI each client sent. */
async function nodeServer(identity: Identity, onSecure: (socket: tls.TLSSocket) => void = (s) => s.end('hello')) {
  const sni: Array<string | undefined> = [];
  const server = tls.createServer({ ...nodeTls13, cert: certPem(identity), key: keyPem(identity) }, onSecure);
  server.on('tlsClientError', () => {});
  server.on('connection', (raw: net.Socket) => raw.on('error', () => {}));
  server.prependListener('secureConnection', (socket: tls.TLSSocket) => sni.push((socket as unknown as { servername?: string }).servername));
  server.on('tlsClientError', (_e: Error, socket: tls.TLSSocket) => sni.push((socket as unknown as { servername?: string }).servername));
  servers.push(server);
  return { port: await listen(server), sni };
}

const dial = (port: number, options: Partial<ConnectOptions>) => connect({ host: '127.0.0.1', port, ca: certPem(ca), ...options });

describe('servername: SNI and the name check, as node:tls', () => {
  it('refuses a certificate for evil.example when the user asked for servername good.example, and sent good.example as SNI', async () => {
    const { port, sni } = await nodeServer(evil);
    const socket = dial(port, { servername: 'good.example' });
    const error = await nextError(socket);
    expect(error).toMatchObject({ direction: 'sent', alert: 'bad_certificate' });
    expect(error.message).toMatch(/good\.example/);
    expect(socket.getPeerIdentity()).toBeUndefined();
    await vitestEventually(() => sni.length === 1);
    expect(sni).toEqual(['good.example']);
  });

  it('accepts the certificate for good.example, names it, and sends servername as SNI', async () => {
    const { port, sni } = await nodeServer(good);
    const socket = dial(port, { servername: 'good.example' });
    expect(await readAll(socket)).toBe('hello');
    expect(socket.authorized).toBe(true);
    expect(socket.servername).toBe('good.example');
    expect(socket.getPeerIdentity()?.dnsNames).toEqual(['good.example']);
    expect(sni).toEqual(['good.example']);
  });

  it('refuses servername and serverName together when they differ, before connecting', () => {
    expect(() => connect({ port: 1, ca: certPem(ca), servername: 'good.example', serverName: 'evil.example' })).toThrow(/serverName and servername are the same option/);
  });
});

describe('rejectUnauthorized: false connects, but never reports the server as verified', () => {
  it('evil.example for servername good.example: authorized false, the reason in authorizationError, no identity', async () => {
    const { port } = await nodeServer(evil);
    const socket = dial(port, { servername: 'good.example', rejectUnauthorized: false });
    expect(await readAll(socket)).toBe('hello');
    expect(socket.authorized).toBe(false);
    expect(socket.authorizationError).toMatch(/good\.example/);
    expect(socket.getPeerIdentity()).toBeUndefined();
    // As node: the certificate itself can still be looked at.
    expect(socket.getPeerCertificate().subjectaltname).toBe('DNS:evil.example');
    // The engine was told in so many words: not a verified identity.
    expect(socket.info.peer?.verdict).toMatchObject({ rule: 'rejectUnauthorized: false' });
    expect(socket.info.peer?.verdict.detail).toMatch(/^NOT verified/);
  });

  it('a chain from a CA nobody trusts: authorized false too', async () => {
    const { port } = await nodeServer(forged);
    const socket = dial(port, { servername: 'good.example', rejectUnauthorized: false });
    expect(await readAll(socket)).toBe('hello');
    expect(socket.authorized).toBe(false);
    expect(socket.getPeerIdentity()).toBeUndefined();
  });

  it('a server that passes is authorized as usual', async () => {
    const { port } = await nodeServer(good);
    const socket = dial(port, { servername: 'good.example', rejectUnauthorized: false });
    expect(await readAll(socket)).toBe('hello');
    expect(socket.authorized).toBe(true);
    expect(socket.authorizationError).toBeUndefined();
    expect(socket.getPeerIdentity()?.dnsNames).toEqual(['good.example']);
  });
});

describe('checkServerIdentity replaces the name check, after the chain was verified', () => {
  it("is called with servername and node's view of the certificate; its Error refuses the server", async () => {
    const { port } = await nodeServer(good);
    const calls: Array<[string, string | undefined]> = [];
    const socket = dial(port, {
      servername: 'good.example',
      checkServerIdentity: (host, cert) => {
        calls.push([host, cert.subjectaltname]);
        return new Error('not the pinned serial');
      },
    });
    expect((await nextError(socket)).message).toMatch(/not the pinned serial/);
    expect(calls).toEqual([['good.example', 'DNS:good.example']]);
  });

  it('returning undefined accepts a name the built-in check would refuse (node: it replaces that check)', async () => {
    const { port } = await nodeServer(evil);
    const socket = dial(port, { servername: 'good.example', checkServerIdentity: () => undefined });
    expect(await readAll(socket)).toBe('hello');
    expect(socket.authorized).toBe(true);
    expect(socket.getPeerIdentity()?.dnsNames).toEqual(['evil.example']);
  });

  it('is never asked about a chain that does not verify', async () => {
    const { port } = await nodeServer(forged);
    let called = false;
    const socket = dial(port, { servername: 'good.example', checkServerIdentity: () => ((called = true), undefined) });
    expect(await nextError(socket)).toMatchObject({ direction: 'sent', alert: 'unknown_ca' });
    expect(called).toBe(false);
  });
});

describe('bad options are a TypeError naming them, before any TCP connection', () => {
  /** A plain TCP server that counts the connections it gets. */
  async function tcpCounter() {
    const counter = { connections: 0, port: 0 };
    const server = net.createServer((raw) => {
      counter.connections++;
      raw.destroy();
    });
    servers.push(server);
    counter.port = await listen(server);
    return counter;
  }

  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['an unknown option, with the engine option to use instead', { ciphers: 'TLS_AES_128_GCM_SHA256' }, /^connect: unknown option 'ciphers' \(ciphers: use cipherSuites/],
    ['a misspelt option', { serverNmae: 'good.example' }, /^connect: unknown option 'serverNmae'$/],
    ['a misshaped trust policy (was an internal_error alert to the peer)', { ca: undefined, trust: { kind: 'ca', anchor: [] } }, /^trust\.anchors is required$/],
    ['a mistyped trust kind (was a 10 s handshake timeout)', { ca: undefined, trust: { kind: 'pined-key', spkiSha256: [] } }, /^trust\.kind must be one of .*: got 'pined-key'$/],
    ['ca and trust together', { trust: { kind: 'ask' } }, /^trust and ca are the same option/],
    ['a ca that is no certificate', { ca: 'hello' }, /^ca\[0\]: no "-----BEGIN CERTIFICATE-----" block/],
    ['cert without key', { cert: certPem(client) }, /^cert needs key too$/],
    ['maxVersion below TLS 1.3', { maxVersion: 'TLSv1.2' }, /^maxVersion 'TLSv1.2': tls13-lab speaks only TLS 1.3$/],
    ['a minVersion node does not know', { minVersion: 'TLSv1.4' }, /^minVersion must be one of/],
    ['rejectUnauthorized as a string', { rejectUnauthorized: 'false' }, /^rejectUnauthorized must be true or false/],
    ["node's session Buffer", { session: Buffer.from('x') }, /^session must be the SessionTicket of a 'session' event/],
  ];
  for (const [what, options, message] of cases) {
    it(what, async () => {
      const counter = await tcpCounter();
      expect(() => connect({ host: '127.0.0.1', port: counter.port, ca: certPem(ca), ...options } as ConnectOptions)).toThrow(TypeError);
      expect(() => connect({ host: '127.0.0.1', port: counter.port, ca: certPem(ca), ...options } as ConnectOptions)).toThrow(message);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(counter.connections).toBe(0);
    });
  }

  it('createServer checks its options at once too', () => {
    expect(() => createServer({ cert: certPem(good), key: keyPem(good), requestCert: true, rejectUnauthorized: false })).toThrow(/^rejectUnauthorized: false is not supported on a server/);
    expect(() => createServer({ cert: certPem(good), key: keyPem(good), requestCert: true })).toThrow(/^clientAuth 'require' needs trust/);
    expect(() => createServer({ cert: certPem(good), key: keyPem(good), honorCipherOrder: true } as never)).toThrow(/^createServer: unknown option 'honorCipherOrder'$/);
  });
});

describe('the rest of node:tls spelled as node spells it', () => {
  it('cert, key, ca, requestCert and ALPNProtocols on our server, against a node:tls client presenting its certificate', async () => {
    const server = createServer({ cert: certPem(good), key: keyPem(good), ca: certPem(client), requestCert: true, ALPNProtocols: ['h2', 'http/1.1'], minVersion: 'TLSv1.2' }, (socket) =>
      socket.end(`${socket.authorized} ${socket.alpnProtocol} ${socket.getPeerIdentity()?.subject}`),
    );
    servers.push(server);
    const port = await listen(server);
    const caller = tls.connect({ ...nodeTls13, host: '127.0.0.1', port, servername: 'good.example', ca: certPem(ca), cert: certPem(client), key: keyPem(client), ALPNProtocols: ['http/1.1'] });
    expect(await readAll(caller)).toBe('true http/1.1 CN=node-style client');
  });

  it('cert and key on our client, ALPNProtocols in wire format, against a node:tls server that requires a client certificate', async () => {
    const server = tls.createServer({ ...nodeTls13, cert: certPem(good), key: keyPem(good), requestCert: true, ca: [certPem(client)], ALPNProtocols: ['h2'] }, (socket) =>
      socket.end(`${socket.authorized} ${socket.alpnProtocol}`),
    );
    servers.push(server);
    const port = await listen(server);
    const socket = dial(port, { servername: 'good.example', cert: certPem(client), key: keyPem(client), ALPNProtocols: Buffer.from('\x02h2\x08http/1.1', 'latin1') });
    const events: TlsEvent[] = [];
    socket.on('tlsEvent', (event: TlsEvent) => events.push(event));
    expect(await readAll(socket)).toBe('true h2');
    expect(socket.info.clientAuth).toBe('authenticated');
  });
});

async function vitestEventually(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
