// Attacker's test (the application as attacker, docs/security.md): the engine reads a config's fields as
// properties, own or inherited (config-inherited-fields), but the node adapter took the caller's options apart
// with object rest (`...rest`) and Object.keys, which see own enumerable fields only. An option given through a
// prototype (`Object.create(defaults)`), a class getter or a non-enumerable property vanished without a word: a
// createServer whose `clientAuth: 'require'` and trust came from its defaults accepted clients with no
// certificate; a connect() whose `serverName` was inherited checked the certificate against `host` instead; a
// server's inherited `tickets: { count: 0 }` issued tickets. The adapter now reads every option as the engine
// does, each once, before anything else looks at it.
import * as tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { connect, createServer, type ConnectOptions, type ServerOptions } from '../../src/node/adapter.js';
import { ca, certPem, helloServers, keyPem, serverCertificates, strangerClient, trustedClient } from '../node/fixtures.js';
import { Decoded } from './decoded-extension.js';

const identity = serverCertificates['ECDSA P-256'];
const helloServer = helloServers();

/** A node:tls client, with `client`'s certificate if given: whether it read the server's 'hello'. */
async function nodeClientServed(port: number, client?: typeof trustedClient): Promise<boolean> {
  const socket = tls.connect({
    port,
    host: '127.0.0.1',
    servername: 'localhost',
    ca: certPem(ca),
    minVersion: 'TLSv1.3',
    ...(client ? { cert: certPem(client), key: keyPem(client) } : {}),
  });
  return readsHello(socket);
}

/** Resolves when `socket` closes, whatever error it had (events.once would reject on 'error'). */
const closed = (socket: NodeJS.EventEmitter) => new Promise((resolve) => socket.once('close', resolve));

/** Whether `socket` (ours or node's) reads the server's 'hello' before it closes, whatever error it had. */
async function readsHello(socket: tls.TLSSocket | ReturnType<typeof connect>): Promise<boolean> {
  socket.on('error', () => {});
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
  await Promise.race([closed(socket), new Promise((resolve) => setTimeout(resolve, 5000))]);
  socket.destroy();
  return text === 'hello';
}

const requireTrusted = { clientAuth: 'require' as const, trust: { kind: 'pinned-certificate' as const, certificates: [trustedClient.der] } };

describe('createServer: client authentication the options do not hold as own enumerable fields', () => {
  it('the reference: own fields, a client without a certificate is refused, the trusted one served', async () => {
    const port = await helloServer({ certificate: identity, ...requireTrusted });
    expect(await nodeClientServed(port)).toBe(false);
    expect(await nodeClientServed(port, strangerClient)).toBe(false);
    expect(await nodeClientServed(port, trustedClient)).toBe(true);
  });

  it('inherited from defaults (Object.create): still required', async () => {
    const options = Object.assign(Object.create(requireTrusted) as ServerOptions, { certificate: identity });
    const port = await helloServer(options);
    expect(await nodeClientServed(port)).toBe(false);
    expect(await nodeClientServed(port, strangerClient)).toBe(false);
    expect(await nodeClientServed(port, trustedClient)).toBe(true);
  });

  it("node's spelling inherited (requestCert and ca from defaults): still required", async () => {
    const defaults = { requestCert: true, ca: certPem(trustedClient) };
    const port = await helloServer(Object.assign(Object.create(defaults) as ServerOptions, { cert: certPem(identity), key: keyPem(identity) }));
    expect(await nodeClientServed(port)).toBe(false);
    expect(await nodeClientServed(port, trustedClient)).toBe(true);
  });

  it('getters of a class, and non-enumerable fields: still required', async () => {
    class Site {
      readonly certificate = identity;
      get clientAuth() {
        return requireTrusted.clientAuth;
      }
      get trust() {
        return requireTrusted.trust;
      }
    }
    expect(await nodeClientServed(await helloServer(new Site() as ServerOptions))).toBe(false);
    const hidden = { certificate: identity } as ServerOptions;
    Object.defineProperty(hidden, 'clientAuth', { value: 'require' });
    Object.defineProperty(hidden, 'trust', { value: requireTrusted.trust });
    expect(await nodeClientServed(await helloServer(hidden))).toBe(false);
  });

  it("an inherited option that is no option (a misspelt one in the defaults) is refused by name, as an own one is", () => {
    const defaults = { clientauth: 'require' };
    expect(() => createServer(Object.assign(Object.create(defaults) as ServerOptions, { certificate: identity }))).toThrow(/createServer: unknown option 'clientauth'/);
  });

  it('tickets: { count: 0 } inherited: no ticket is issued', async () => {
    const options = Object.assign(Object.create({ tickets: { count: 0 } }) as ServerOptions, { certificate: identity });
    const port = await helloServer(options);
    const socket = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: certPem(ca), minVersion: 'TLSv1.3' });
    let sessions = 0;
    socket.on('session', () => sessions++);
    socket.on('error', () => {});
    socket.resume();
    await closed(socket);
    expect(sessions).toBe(0);
  });

  it('each option is read once: a getter is asked once, by createServer', async () => {
    let reads = 0;
    const options = {
      certificate: identity,
      get noDelay() {
        reads++;
        return true;
      },
    };
    await helloServer(options);
    expect(reads).toBe(1);
  });
});

describe('connect: options the caller does not hold as own enumerable fields', () => {
  /** Our client against a hello server for 'localhost': whether it was served. */
  async function ourClientServed(options: ConnectOptions): Promise<boolean> {
    const port = await helloServer({ certificate: identity });
    return readsHello(connect(Object.assign(options, { host: '127.0.0.1', port })));
  }

  it('the reference: the server name given, own; a certificate for localhost does not pass for another name', async () => {
    expect(await ourClientServed({ ca: certPem(ca), serverName: 'localhost' })).toBe(true);
    expect(await ourClientServed({ ca: certPem(ca), serverName: 'bank.example' })).toBe(false);
  });

  it('serverName inherited from defaults: the certificate is checked against it, not against host', async () => {
    expect(await ourClientServed(Object.assign(Object.create({ serverName: 'bank.example' }) as ConnectOptions, { ca: certPem(ca) }))).toBe(false);
  });

  it('trust inherited from defaults: that policy judges the server, not the default roots', async () => {
    const pinnedOther = { kind: 'pinned-certificate' as const, certificates: [serverCertificates.Ed25519.der] };
    const pinnedThis = { kind: 'pinned-certificate' as const, certificates: [identity.der] };
    expect(await ourClientServed(Object.assign(Object.create({ trust: pinnedThis }) as ConnectOptions, { serverName: 'localhost' }))).toBe(true);
    expect(await ourClientServed(Object.assign(Object.create({ trust: pinnedOther }) as ConnectOptions, { serverName: 'localhost' }))).toBe(false);
  });
});

describe("what the adapter checked as a snapshot is not snapshotted again, losing what the engine's check passes over", () => {
  // A decoded Extension's lazy `value` is a getter of its class: the engine's exact-shape check passes over it
  // (config-inherited-fields). With rejectUnauthorized: false the adapter checks the config itself, as a snapshot,
  // and handed the engine that snapshot's fields, which it snapshotted again as own fields, and refused.

  it('a class getter in a clientHello extension is passed over under rejectUnauthorized: false, as without it', () => {
    for (const rejectUnauthorized of [true, false]) {
      const socket = connect({ host: '127.0.0.1', port: 9, ca: certPem(ca), rejectUnauthorized, clientHello: { extensions: [new Decoded(0xff01, new Uint8Array([0]))] } });
      socket.on('error', () => {});
      socket.destroy();
    }
  });

  it('an own unknown field there is still refused', () => {
    const extensions = [{ type: 0xff01, data: new Uint8Array([0]), value: 'own' }];
    expect(() => connect({ host: '127.0.0.1', port: 9, ca: certPem(ca), rejectUnauthorized: false, clientHello: { extensions } })).toThrow(/^clientHello\.extensions\[0\] must be an extension name or \{ type, data \}/);
  });
});
