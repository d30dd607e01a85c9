// The application as attacker, against connect()'s memo of checked options (src/node/client-options.ts): a
// connect whose options hold what an earlier one's held reuses that one's checked, frozen config. Attacker's
// tests: options that change in ways the comparison must see (the server's name, an inherited servername, a key
// that no longer fits its certificate, a field made enumerable in place, a provider changed in place), and one
// connection that writes over every byte its events hand out before the next connection made with the same
// options. The provider test failed before the reuse judged the objects held as given again (validateGivenObjects).
import { createPrivateKey } from 'node:crypto';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { connect, type ConnectOptions, type Tls13Server, type Tls13Socket } from '../../src/node/adapter.js';
import { checkedClientOptions } from '../../src/node/client-options.js';
import { ca, certPem, eventsOf, keyPem, pongServer, serverCertificates, strangerClient, trustedClient } from './fixtures.js';

const servers: Tls13Server[] = [];
afterEach(() => servers.splice(0).forEach((server) => server.close()));

/** A server for `localhost` under the interop CA, requiring trustedClient's certificate. */
async function server() {
  const started = await pongServer({ certificate: serverCertificates.Ed25519, trust: { kind: 'pinned-certificate', certificates: [trustedClient.der] }, clientAuth: 'require' });
  servers.push(started.server);
  return started;
}

const optionsFor = (port: number): ConnectOptions => ({ host: 'localhost', port, ca: certPem(ca), cert: certPem(trustedClient), key: keyPem(trustedClient) });

/** 'pong' through a handshake, or the client's error message. */
async function exchange(socket: Tls13Socket): Promise<string> {
  try {
    await once(socket, 'secureConnect');
    socket.write('ping');
    const [reply] = (await once(socket, 'data')) as [Buffer];
    return reply.toString().slice(0, 4);
  } catch (e) {
    return (e as Error).message;
  } finally {
    socket.destroy();
  }
}

/** Every byte array reachable from `value`, once each. */
function bytesIn(value: unknown, found = new Set<Uint8Array>(), seen = new Set<object>()): Set<Uint8Array> {
  if (typeof value !== 'object' || value === null || seen.has(value)) return found;
  seen.add(value);
  if (value instanceof Uint8Array) found.add(value);
  else for (const key of Object.keys(value)) bytesIn((value as Record<string, unknown>)[key], found, seen);
  return found;
}

describe("connect() options checked for one server, one content", () => {
  it("options for one server name are not reused for another: the name, then the name check, follow the options", async () => {
    const { port } = await server();
    const options = optionsFor(port);
    expect(await exchange(connect(options))).toBe('pong');
    const first = checkedClientOptions(options);
    options.servername = 'other.example';
    const other = checkedClientOptions(options);
    expect(other.config.serverName).toBe('other.example');
    expect(await exchange(connect(options))).toMatch(/other\.example/);
    delete options.servername;
    expect(checkedClientOptions(options)).toBe(first); // and the memo holds the first content again
    expect(await exchange(connect({ ...options }))).toBe('pong');
  });

  it('an inherited servername swapped with the prototype; the hostname judged under rejectUnauthorized: false', () => {
    const options = Object.setPrototypeOf({ host: 'localhost', port: 1, ca: certPem(ca), rejectUnauthorized: false }, { servername: 'a.example' }) as ConnectOptions;
    expect(checkedClientOptions(options).verification?.hostname).toBe('a.example');
    Object.setPrototypeOf(options, { servername: 'b.example' });
    const b = checkedClientOptions(options);
    expect(b.verification?.hostname).toBe('b.example');
    expect(b.config.serverName).toBe('b.example');
  });

  it("a key that no longer fits the certificate is refused, as it was before the first connect", () => {
    const options = optionsFor(1);
    expect(() => checkedClientOptions(options)).not.toThrow();
    options.key = keyPem(strangerClient);
    expect(() => connect(options)).toThrow(TypeError);
    expect(() => connect({ ...options })).toThrow(TypeError);
    // A KeyObject is no PEM nor DER (its snapshot would be its getters, not the key): refused by name.
    options.key = createPrivateKey(keyPem(trustedClient)) as never;
    expect(() => connect(options)).toThrow(/key must be PEM text or a Buffer/);
  });

  it('a provider that lost an operation is refused, by the same options object or a copy of its fields', () => {
    const provider = { ...nobleProvider };
    const options: ConnectOptions = { host: 'localhost', port: 1, trust: { kind: 'pinned-certificate', certificates: [serverCertificates.Ed25519.der] }, provider };
    expect(checkedClientOptions(options)).toBe(checkedClientOptions({ ...options }));
    delete (provider as Partial<typeof provider>).sign;
    expect(() => connect(options)).toThrow(/provider\.sign/);
    expect(() => connect({ ...options })).toThrow(/provider\.sign/);
  });

  it('a nested unknown field made enumerable after a check is refused (hidden, it is passed over as the engine passes over it)', () => {
    const trust = Object.defineProperty({ kind: 'pinned-certificate', certificates: [serverCertificates.Ed25519.der] }, 'certificate', { value: 1, configurable: true });
    const options: ConnectOptions = { host: 'localhost', port: 1, trust: trust as ConnectOptions['trust'] };
    expect(() => checkedClientOptions(options)).not.toThrow();
    Object.defineProperty(trust, 'certificate', { enumerable: true });
    expect(() => connect(options)).toThrow(/trust: unknown option 'certificate'/);
  });

  it('what is shared between connections is frozen, but for bytes and the objects held as given', () => {
    const checked = checkedClientOptions({ ...optionsFor(1), rejectUnauthorized: false, alpnProtocols: ['h2'] });
    const open: string[] = [];
    const walk = (value: unknown, path: string): void => {
      if (typeof value !== 'object' || value === null || value instanceof Uint8Array || path.endsWith('.provider')) return;
      if (!Object.isFrozen(value)) open.push(path);
      for (const [key, field] of Object.entries(value)) walk(field, `${path}.${key}`);
    };
    walk(checked, 'checked');
    expect(open).toEqual([]);
  });

  it("one connection's events written over, byte for byte: the next connection with the same options is unchanged", async () => {
    const { port, sockets } = await server();
    const options = { ...optionsFor(port), traceEvents: true };
    const socket = connect(options);
    const events: TlsEvent[] = eventsOf(socket);
    expect(await exchange(socket)).toBe('pong');
    const handedOut = bytesIn(events);
    expect(handedOut.size).toBeGreaterThan(0);
    for (const bytes of handedOut) bytes.fill(0);
    expect(await exchange(connect(options))).toBe('pong');
    expect(sockets.at(-1)!.socket.getPeerCertificate().raw).toEqual(Buffer.from(trustedClient.der));
  });
});
