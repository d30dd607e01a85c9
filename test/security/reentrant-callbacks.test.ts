// The application as attacker, through its callbacks (re-entrancy). The engine runs the caller's code in the
// middle of its own steps: the clock while it judges a certificate, a signer while it builds its flight, the
// provider everywhere. Such a callback holds the connection (a closure over it) and calls back into it while
// the step is half done: the machine has not yet left its state, the keys it just derived are not yet
// installed, the effects of the message are not yet applied. Found open:
// - receive() from the clock judging the server's Certificate read the CertificateVerify and Finished inside
//   the Certificate's own step: out of order, under the wrong state (unexpected_message), and its bytes were
//   never made the engine's own (a caller that reuses its buffer rewrites what is still queued);
// - close() from the signer of our client certificate: the handshake was canceled (user_canceled, closed), then
//   the step went on and reported `connected` after `closed`;
// - a callback that throws a value whose string form throws: the exception escaped receive() with the keys live;
// - a callback that throws an object with the prototype of a TlsError (instanceof says yes) whose alert is
//   missing, throws, or answers once: taken as the engine's own, its alert read after the check escaped receive().
// Now: bytes given to receive() by a callback are copied and read in order once the message being handled is
// done; every other call that drives the engine (write, close, resolve, updateKeys, requestClientCertificate)
// is refused from inside a callback with an Error that says so; whatever a callback throws becomes
// internal_error and a closed connection.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { CertifiedKey, ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { joinRecords, splitRecords } from '../../src/testing/tamper.js';
import { TlsError } from '../../src/wire/errors.js';
import { exchange } from './exchange.js';

const server = makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['server.example'] } }, seededRandom('reentrant callbacks: server'));
const alice = makeIdentity({ subject: { CN: 'alice' } }, seededRandom('reentrant callbacks: alice'));

/** A hook the test arms: the next callback that runs calls it once. */
interface Hook {
  run?: () => void;
}
const fire = (hook: Hook) => {
  const run = hook.run;
  hook.run = undefined;
  run?.();
};

function clientConfig(hook: Hook, extra: Partial<ClientConfig> = {}): ClientConfig {
  return {
    serverName: 'server.example',
    trust: { kind: 'pinned-certificate', certificates: [server.der] },
    now: () => (fire(hook), TEST_NOW),
    random: seededRandom('reentrant callbacks: c'),
    ...extra,
  };
}
const serverConfig = (extra: Partial<ServerConfig> = {}): ServerConfig => ({ certificate: server, now: () => TEST_NOW, random: seededRandom('reentrant callbacks: s'), ...extra });

/** alice's certificate, signed by a signer that first runs the hook. */
function aliceSigningWith(hook: Hook): CertifiedKey {
  const random = seededRandom('reentrant callbacks: alice signs');
  return { chain: alice.chain, signer: (_scheme, content) => (fire(hook), nobleProvider.sign({ kind: 'ed25519' }, alice.privateKey, content, random)) };
}

/** TLS records one by one (the server sends one handshake message per record with `handshakeRecords: 'one-per-record'`). */
const records = (flight: Uint8Array) => splitRecords(flight).map((record) => joinRecords([record]));

/** A client whose signer (the server asks for alice's certificate) runs `call` on the client; what it threw, caught or let go. */
function callFromTheSigner(call: (c: Connection) => void, { swallow }: { swallow: boolean }) {
  const hook: Hook = {};
  const client = Connection.client(clientConfig({}, { certificate: aliceSigningWith(hook) }));
  const srv = Connection.server(serverConfig({ clientAuth: 'require', trust: { kind: 'pinned-certificate', certificates: [alice.der] } }));
  let refusal: unknown;
  hook.run = () => {
    try {
      call(client);
    } catch (e) {
      refusal = e;
      if (!swallow) throw e;
    }
  };
  exchange(client, srv);
  return { client, srv, events: client.takeEvents(), refusal };
}

const types = (events: TlsEvent[]) => events.map((e) => e.type);
const alertsOut = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : []));

describe('receive() from a callback the engine is running', () => {
  /** The client is fed the server's flight record by record; the clock, judging the Certificate, gives it all the rest at once. */
  function restFromTheClock(reuse: boolean) {
    const hook: Hook = {};
    const client = Connection.client(clientConfig(hook));
    const srv = Connection.server(serverConfig({ serverFlight: { handshakeRecords: 'one-per-record' } }));
    srv.receive(client.takeOutput());
    const pending = records(srv.takeOutput());
    hook.run = () => {
      // One buffer for the rest, written over as soon as receive() returns, as a caller reusing its read buffer does.
      const rest = new Uint8Array(pending.reduce((n, r) => n + r.length, 0));
      let at = 0;
      for (const record of pending.splice(0)) rest.set(record, (at += record.length) - record.length);
      client.receive(rest);
      if (reuse) rest.fill(0x17);
    };
    while (pending.length > 0) client.receive(pending.shift()!);
    srv.receive(client.takeOutput());
    return { client, srv, events: client.takeEvents() };
  }

  it('reads the bytes in order, after the message being handled: the handshake completes', () => {
    const { client, srv, events } = restFromTheClock(false);
    expect(alertsOut(events)).toEqual([]);
    expect(client.isConnected).toBe(true);
    expect(srv.isConnected).toBe(true);
    expect(client.info.peer).toMatchObject({ subject: 'CN=server' });
  });

  it('copies them: the callback may write its buffer again once receive() returns', () => {
    const { client, events } = restFromTheClock(true);
    expect(alertsOut(events)).toEqual([]);
    expect(client.isConnected).toBe(true);
  });
});

describe('receive() from a callback of a call that reads no input (updateKeys)', () => {
  it('the bytes are read before the call returns, after our KeyUpdate', () => {
    const hook: Hook = {};
    const provider = { ...nobleProvider, hkdfExpand: (...args: Parameters<typeof nobleProvider.hkdfExpand>) => (fire(hook), nobleProvider.hkdfExpand(...args)) };
    const client = Connection.client(clientConfig({}));
    const srv = Connection.server(serverConfig({ provider }));
    exchange(client, srv);
    expect(srv.isConnected).toBe(true);
    srv.takeEvents();
    client.write(new TextEncoder().encode('ping'));
    const ping = client.takeOutput();
    hook.run = () => srv.receive(ping);
    srv.updateKeys();
    const data = srv.takeEvents().flatMap((e) => (e.type === 'data' ? [new TextDecoder().decode(e.data)] : []));
    expect(data).toEqual(['ping']);
    client.receive(srv.takeOutput());
    expect(client.isConnected).toBe(true);
  });
});

describe('close() from a callback the engine is running', () => {
  const closeFromTheSigner = (swallow: boolean) => callFromTheSigner((c) => c.close(), { swallow });

  it('is refused with an Error naming the call; a signer that lets it go fails the handshake with internal_error, never connected', () => {
    const { client, srv, events, refusal } = closeFromTheSigner(false);
    // Nothing after `closed` (before the guard: `connected` followed it).
    const closed = types(events).indexOf('closed');
    expect(closed).toBeGreaterThanOrEqual(0);
    expect(types(events).slice(closed)).toEqual(['closed']);
    expect(types(events)).not.toContain('connected');
    expect(alertsOut(events)).toEqual(['internal_error']);
    expect(String(refusal)).toMatch(/^Error: close\(\) was called from a callback that receive\(\) is running/);
    expect(client.isClosed).toBe(true);
    expect(() => client.exportKeyingMaterial('EXPERIMENTAL x', new Uint8Array(0), 16)).toThrow(/once connected/);
    expect(srv.info.peer).toBeUndefined();
  });

  it('a signer that catches the refusal leaves a handshake that completes as if nothing happened', () => {
    const { client, srv, refusal } = closeFromTheSigner(true);
    expect(refusal).toBeInstanceOf(Error);
    expect(client.isConnected).toBe(true);
    expect(srv.info.peer).toMatchObject({ subject: 'CN=alice' });
  });
});

describe('every other call that drives the engine, from a callback', () => {
  const calls: Array<[string, (c: Connection) => void]> = [
    ['write()', (c) => c.write(new Uint8Array(1))],
    ['updateKeys()', (c) => c.updateKeys()],
    ['resolve()', (c) => c.resolve({ kind: 'verify-peer', verdict: { trusted: true } })],
  ];
  it.each(calls)('%s from the signer is refused, the handshake fails closed with internal_error', (name, call) => {
    const { srv, events, refusal } = callFromTheSigner(call, { swallow: false });
    expect((refusal as Error).message).toContain(`${name} was called from a callback that receive() is running`);
    expect(alertsOut(events)).toEqual(['internal_error']);
    expect(types(events)).not.toContain('connected');
    expect(srv.info.peer).toBeUndefined();
  });
});

describe('a callback that throws what cannot be shown', () => {
  it.each([
    ['an object without a prototype', () => Object.create(null) as unknown],
    ['an object whose toString throws', () => ({ toString: () => { throw new Error('no'); } })],
    ['an Error whose message getter throws', () => Object.defineProperty(new Error(), 'message', { get: () => { throw new Error('no'); } })],
    // Taken for a TlsError (instanceof reads the prototype), its alert and message read after: they escaped.
    ['an object with the prototype of a TlsError and none of its fields', () => Object.create(TlsError.prototype) as unknown],
    ['a Proxy of a TlsError whose every read throws', () => new Proxy(new TlsError('BadRecordMac', 'x'), { get: () => { throw new Error('no'); } })],
    ['a TlsError whose alert getter answers once', () => {
      const alerts = ['internal_error'];
      return Object.defineProperty(new TlsError('InternalError', 'x'), 'alert', { get: () => alerts.shift() });
    }],
  ])('%s: internal_error and a closed connection; nothing escapes receive()', (_, value) => {
    const hook: Hook = {};
    const client = Connection.client(clientConfig(hook));
    const srv = Connection.server(serverConfig());
    srv.receive(client.takeOutput());
    hook.run = () => {
      throw value();
    };
    expect(() => client.receive(srv.takeOutput())).not.toThrow();
    const events = client.takeEvents();
    expect(alertsOut(events)).toEqual(['internal_error']);
    expect(client.isClosed).toBe(true);
    expect(types(events)).not.toContain('connected');
  });
});
