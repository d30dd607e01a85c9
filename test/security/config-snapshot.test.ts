// The application as attacker, through its configuration (time of check, time of use). A config is checked
// once, when the connection is made; the handshake reads it again later, when it signs, judges a certificate
// or seals a ticket. Whatever can change in between (an array or Uint8Array the caller keeps and writes after
// Connection.server/client returned, a getter or a Proxy that answers the check with one value and the
// handshake with another, a callback replaced on the config object) decided with an unchecked value:
// - a ticket key zeroed after the check: tickets sealed under zeros, so mallory's forged ticket names alice;
// - a pinned client certificate swapped after the check: mallory is reported as the authenticated client;
// - a trust policy that is a getter: the check sees the pin of the real server, the handshake mallory's.
// The engine now takes one snapshot of the config (config-snapshot.ts): every field read once, plain data
// copied, and the check and the handshake both use that copy. Reading a field that throws, or a config that
// contains itself, is a one-line TypeError naming the field.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { snapshotConfig } from '../../src/handshake/config-snapshot.js';
import { Connection } from '../../src/handshake/connection.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { sealTicket } from '../../src/handshake/tickets.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { exchange } from './exchange.js';

const server = makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['server.example'] } }, seededRandom('config snapshot: server'));
const mallorysServer = makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['server.example'] } }, seededRandom('config snapshot: mallory server'));
const alice = makeIdentity({ subject: { CN: 'alice' } }, seededRandom('config snapshot: alice'));
const mallory = makeIdentity({ subject: { CN: 'mallory' } }, seededRandom('config snapshot: mallory'));
const now = () => TEST_NOW;

const clientOf = (pinned: Uint8Array, extra: Partial<ClientConfig> = {}): ClientConfig => ({
  serverName: 'server.example',
  trust: { kind: 'pinned-certificate', certificates: [pinned] },
  now,
  random: seededRandom('config snapshot: c'),
  ...extra,
});

describe('a ticket key the caller zeroes after Connection.server returned', () => {
  /** Mallory's ClientHello offers a ticket she sealed herself under zeros, naming alice as its client. */
  function forgedUnderZeros(): ClientConfig {
    const psk = seededRandom("config snapshot: mallory's PSK")(32);
    const state = { cipherSuite: 0x1301, psk, ageAdd: 0, issuedAt: TEST_NOW, lifetime: 7200, clientChain: [alice.der], clientRawPublicKey: false, serverName: 'server.example', maxEarlyDataSize: 0 };
    const ticket = sealTicket(nobleProvider, new Uint8Array(32), state, seededRandom('config snapshot: nonce'));
    return clientOf(server.der, { resumption: { ticket: { ticket, psk, cipherSuite: 0x1301, lifetime: 7200, ageAdd: 0, nonce: new Uint8Array(0), receivedAt: TEST_NOW, serverName: 'server.example' } } });
  }

  it("does not open mallory's ticket forged under zeros: the connection seals with the key it checked", () => {
    const key = seededRandom('config snapshot: ticket key')(32);
    const config: ServerConfig = { certificate: server, now, random: seededRandom('config snapshot: s'), clientAuth: 'require', trust: { kind: 'pinned-certificate', certificates: [alice.der] }, tickets: { count: 1, key } };
    const srv = Connection.server(config);
    key.fill(0); // checked as a secret, then zeroed: a key everyone knows
    const client = Connection.client(forgedUnderZeros());
    exchange(client, srv);
    expect(srv.info.resumed).toBeFalsy();
    expect(srv.info.peer).toBeUndefined();
    expect(srv.takeEvents().some((e) => e.type === 'connected')).toBe(false);
  });

  it('the next connection made with the zeroed key is the TypeError of any all-zero key', () => {
    const key = seededRandom('config snapshot: ticket key 2')(32);
    const config: ServerConfig = { certificate: server, now, tickets: { key } };
    Connection.server(config);
    key.fill(0);
    expect(() => Connection.server(config)).toThrow(/tickets\.key is all zeros/);
  });
});

describe('trust arrays the caller writes after the connection was made', () => {
  it("a server's pinned client certificate swapped for mallory's: mallory is not reported as the client", () => {
    const certificates = [alice.der];
    const srv = Connection.server({ certificate: server, now, random: seededRandom('config snapshot: s2'), clientAuth: 'require', trust: { kind: 'pinned-certificate', certificates } });
    certificates[0] = mallory.der;
    const client = Connection.client(clientOf(server.der, { certificate: mallory }));
    exchange(client, srv);
    expect(srv.info.peer).toBeUndefined();
    expect(srv.isClosed).toBe(true);
  });

  it("a client's pin list that gains mallory's server after the check: mallory's server is refused", () => {
    const certificates: Uint8Array[] = [server.der];
    const pair = new InMemoryPair(clientOf(server.der, { trust: { kind: 'pinned-certificate', certificates } }), { certificate: mallorysServer, now, random: seededRandom('config snapshot: s3') });
    certificates.push(mallorysServer.der);
    pair.run();
    expect(pair.client.info.peer).toBeUndefined();
    expect(pair.events('client').some((e) => e.type === 'connected')).toBe(false);
  });

  it("a pinned certificate's bytes overwritten in place with mallory's: still the certificate that was checked", () => {
    const pinned = server.der.slice();
    const pair = new InMemoryPair(clientOf(pinned), { certificate: mallorysServer, now, random: seededRandom('config snapshot: s4') });
    expect(mallorysServer.der.length).toBe(pinned.length); // same names, same key type: the same length
    pinned.set(mallorysServer.der);
    pair.run();
    expect(pair.client.info.peer).toBeUndefined();
  });
});

describe('one config object used again after the caller changed one of its fields', () => {
  // An unchanged config gives the snapshot made before (and its check is not repeated); the walk makes a new
  // copy only from the first field that differs, taking the fields before it from the earlier snapshot.
  it("a server that begins to require a client certificate: mallory's anonymous client is refused", () => {
    const config: ServerConfig = { certificate: server, now, random: seededRandom('config snapshot: s8'), trust: { kind: 'pinned-certificate', certificates: [alice.der] }, clientAuth: 'none' };
    const first = Connection.server(config);
    exchange(Connection.client(clientOf(server.der)), first);
    expect(first.isConnected).toBe(true);
    config.clientAuth = 'require'; // the last field
    const srv = Connection.server(config);
    exchange(Connection.client(clientOf(server.der)), srv);
    expect(srv.isConnected).toBe(false);
    expect(srv.info.peer).toBeUndefined();
  });

  it("a client whose pin is replaced in its array: the real server is refused, mallory's pinned", () => {
    const config = clientOf(server.der);
    const pair = new InMemoryPair(config, { certificate: server, now, random: seededRandom('config snapshot: s9') }).run();
    expect(pair.client.isConnected).toBe(true);
    (config.trust as { certificates: Uint8Array[] }).certificates[0] = mallorysServer.der;
    const refused = new InMemoryPair(config, { certificate: server, now, random: seededRandom('config snapshot: s10') }).run();
    expect(refused.client.info.peer).toBeUndefined();
    expect(refused.client.isConnected).toBe(false);
    const pinned = new InMemoryPair(config, { certificate: mallorysServer, now, random: seededRandom('config snapshot: s11') }).run();
    expect(pinned.client.isConnected).toBe(true);
  });

  it('each field changed in turn, first, middle and last, nested or not: the snapshot has the new value and every other', () => {
    const clock = () => TEST_NOW;
    const config = { serverName: 'a.example', alpnProtocols: ['h2', 'http/1.1'], trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: clock };
    const before = snapshotConfig(config);
    expect(snapshotConfig(config)).toBe(before);
    const changes: Array<(c: typeof config) => void> = [
      (c) => (c.serverName = 'b.example'),
      (c) => (c.alpnProtocols[1] = 'h3'),
      (c) => (c.alpnProtocols[0] = 'h1'),
      (c) => (c.trust.kind = 'pinned-key'),
      (c) => (c.trust.certificates = [mallorysServer.der]),
      (c) => (c.now = () => 0),
      (c) => (c.alpnProtocols.length = 3), // a hole at the end: the same items, a new length
      (c) => delete (c as Partial<typeof config>).now,
    ];
    for (const change of changes) {
      const earlier = snapshotConfig(config);
      change(config);
      const later = snapshotConfig(config);
      expect(later).not.toBe(earlier);
      expect(later).toEqual({ ...config, alpnProtocols: [...config.alpnProtocols], trust: { ...config.trust, certificates: [...config.trust.certificates] } });
      expect(later.alpnProtocols).toHaveLength(config.alpnProtocols.length);
      expect(Object.isFrozen(later)).toBe(true);
    }
  });
});

describe('a config whose fields answer differently on each read (getters, a Proxy)', () => {
  it('the trust policy is read once: the check and the handshake see the same pin', () => {
    let reads = 0;
    const config = clientOf(server.der);
    const policies = [config.trust!, { kind: 'pinned-certificate' as const, certificates: [mallorysServer.der] }];
    Object.defineProperty(config, 'trust', { enumerable: true, get: () => policies[Math.min(reads++, 1)] });
    const pair = new InMemoryPair(config, { certificate: mallorysServer, now, random: seededRandom('config snapshot: s5') });
    pair.run();
    expect(pair.client.info.peer).toBeUndefined();
    expect(reads).toBe(1);
  });

  it('a Proxy config: every field read once, whatever the handshake needs later', () => {
    const reads = new Map<PropertyKey, number>();
    const target = clientOf(server.der, { alpnProtocols: ['h2'] });
    const config = new Proxy(target, {
      get(t, key, receiver) {
        reads.set(key, (reads.get(key) ?? 0) + 1);
        return Reflect.get(t, key, receiver);
      },
    });
    const pair = new InMemoryPair(config, { certificate: server, now, random: seededRandom('config snapshot: s6'), alpnProtocols: ['h2'] });
    pair.run();
    expect(pair.client.isConnected).toBe(true);
    expect(Math.max(...reads.values())).toBe(1);
  });

  it('a callback replaced on the config after the check is not called', () => {
    const config = clientOf(server.der);
    const pair = new InMemoryPair(config, { certificate: server, now, random: seededRandom('config snapshot: s7') });
    config.now = () => {
      throw new Error('the replaced clock was called');
    };
    pair.run();
    expect(pair.client.isConnected).toBe(true);
  });
});

describe('config fields that cannot be read', () => {
  it('a getter that throws is a one-line TypeError naming the field', () => {
    const config = clientOf(server.der);
    Object.defineProperty(config, 'serverName', {
      enumerable: true,
      get: () => {
        throw new RangeError('disk on fire');
      },
    });
    expect(() => Connection.client(config)).toThrow(TypeError);
    expect(() => Connection.client(config)).toThrow(/^serverName: reading it threw RangeError: disk on fire$/);
  });

  it('a config that contains itself is a TypeError, not a stack overflow', () => {
    const trust: Record<string, unknown> = { kind: 'any-of' };
    trust.policies = [trust];
    expect(() => Connection.client(clientOf(server.der, { trust: trust as never }))).toThrow(/^trust\.policies\[0\] contains itself/);
  });
});
