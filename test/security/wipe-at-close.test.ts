// Attacker's test (memory disclosure after the fact: a heap dump, a core file, a later bug that reads stale memory):
// what a closed connection still holds. The engine kept its traffic secrets, the resumption master secret, the
// Handshake and Master Secrets and its record keys for as long as the application kept the Connection, after a close
// both ways or a fatal alert, when no record can be read or sealed any more. Whoever reads that memory decrypts the
// recorded traffic (and forges records for the rest of the session's tickets).
//
// The check: every ArrayBuffer reachable from the Connection object (own properties, array items, Map and Set
// entries, class fields; not closures nor #private fields, whose AEAD keys are checked through AeadKey.wipe below)
// is searched for each secret the connection reported in its `secret` events (the key log), and for the record
// keys derived from its traffic secrets. Before the close the same walk finds them: the search can fail.
import { describe, expect, it } from 'vitest';
import type { AeadKey, AeadName, CryptoProvider } from '../../src/crypto/provider.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { Connection } from '../../src/handshake/connection.js';
import type { Role, TlsEvent } from '../../src/handshake/events.js';
import { nextTrafficSecret, trafficKeys } from '../../src/handshake/keyschedule.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { suiteNamed } from '../../src/testing/tamper.js';
import { hex } from '../../src/wire/bytes.js';

const random = seededRandom('wipe at close');
const ca = makeIdentity({ subject: { CN: 'Wipe CA' }, isCA: true, keyUsage: ['keyCertSign'] }, random);
const server = makeIdentity({ subject: { CN: 'server' }, issuer: ca, sans: { dns: ['server.example'] }, extKeyUsage: ['serverAuth'] }, random);
const alice = makeIdentity({ subject: { CN: 'alice' }, issuer: ca, extKeyUsage: ['clientAuth'] }, random);

type Secret = { name: string; bytes: Uint8Array };

/**
 * A provider that keeps every AEAD key it makes, to check each one was wiped (their key is a #private field), and a
 * copy of every HKDF-Extract output: the Early Secret of a PSK, the Handshake Secret and the Master Secret (RFC 8446
 * §7.1), which no event reports. The Early Secret without a PSK, HKDF-Extract(0, 0), is public and left out.
 */
function keyKeeping(provider: CryptoProvider): { provider: CryptoProvider; made: Array<{ aead: AeadName; key: AeadKey }>; extracted: Secret[] } {
  const made: Array<{ aead: AeadName; key: AeadKey }> = [];
  const extracted: Secret[] = [];
  const allZero = (bytes: Uint8Array) => bytes.every((b) => b === 0);
  return {
    made,
    extracted,
    provider: {
      ...provider,
      createAead: (aead, key) => {
        const aeadKey = provider.createAead(aead, key);
        made.push({ aead, key: aeadKey });
        return aeadKey;
      },
      hkdfExtract: (hash, salt, ikm) => {
        const prk = provider.hkdfExtract(hash, salt, ikm);
        if (!(allZero(salt) && allZero(ikm))) extracted.push({ name: `HKDF-Extract #${extracted.length}`, bytes: prk.slice() });
        return prk;
      },
    },
  };
}

function configs(provider: CryptoProvider, seed: string): [ClientConfig, ServerConfig] {
  return [
    { trust: { kind: 'ca', anchors: [ca.der] }, serverName: 'server.example', now: () => TEST_NOW, random: seededRandom(`${seed}/c`), certificate: alice, provider },
    { certificate: server, clientAuth: 'require', trust: { kind: 'ca', anchors: [ca.der] }, now: () => TEST_NOW, random: seededRandom(`${seed}/s`), tickets: { count: 2 }, provider },
  ];
}

/** Every ArrayBuffer reachable from `root` through data properties (getters are not run), arrays, Maps and Sets. */
function reachableBuffers(root: unknown): Set<ArrayBufferLike> {
  const buffers = new Set<ArrayBufferLike>();
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value !== 'object' || value === null || seen.has(value)) continue;
    seen.add(value);
    if (ArrayBuffer.isView(value)) {
      buffers.add(value.buffer);
      continue;
    }
    if (value instanceof ArrayBuffer) {
      buffers.add(value);
      continue;
    }
    if (value instanceof Map) for (const [k, v] of value) stack.push(k, v);
    if (value instanceof Set) for (const v of value) stack.push(v);
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (descriptor && 'value' in descriptor) stack.push(descriptor.value);
    }
  }
  return buffers;
}

function contains(buffer: ArrayBufferLike, needle: Uint8Array): boolean {
  const hay = new Uint8Array(buffer);
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * What `side` reported in its key log, and the record keys and IVs of its traffic secrets, with `updates` KeyUpdates
 * of the application secrets followed (the next secrets are reported by no event).
 */
function reportedSecrets(pair: InMemoryPair, side: Role, updates = 0): Secret[] {
  const suite = suiteNamed(pair.connection(side).info.cipherSuite);
  const out: Secret[] = [];
  for (const e of pair.events(side)) {
    if (e.type !== 'secret') continue;
    out.push({ name: e.name, bytes: e.secret });
    if (!e.name.includes('traffic')) continue;
    let secret = e.secret;
    for (let n = 0; n <= (e.name.includes('application') ? updates : 0); n++) {
      if (n > 0) {
        secret = nextTrafficSecret(nobleProvider, suite, secret);
        out.push({ name: `${e.name} +${n}`, bytes: secret });
      }
      const { key, iv } = trafficKeys(nobleProvider, suite, secret);
      out.push({ name: `${e.name} +${n} key`, bytes: key }, { name: `${e.name} +${n} iv`, bytes: iv });
    }
  }
  return out;
}

/** The names of the `secrets` found in memory reachable from `connection`. */
function held(connection: Connection, secrets: Secret[]): string[] {
  connection.takeEvents(); // the caller's events are the caller's: only what the engine keeps is searched
  const buffers = [...reachableBuffers(connection)];
  return secrets.filter((s) => buffers.some((b) => contains(b, s.bytes))).map((s) => s.name);
}

const EXPORTERS = ['exporter_master_secret', 'early_exporter_master_secret'];
const AEAD_PROBE = { nonce: new Uint8Array(12), aad: new Uint8Array(5), plaintext: Uint8Array.of(1, 2, 3) };

/** Whether `key` now seals as the all-zero key of its AEAD does: its copy of the key was zeroed. */
function sealsAsZeroKey(provider: CryptoProvider, aead: AeadName, key: AeadKey): boolean {
  const { nonce, aad, plaintext } = AEAD_PROBE;
  const zero = provider.createAead(aead, new Uint8Array(provider.aeadKeyLength(aead)));
  return hex(key.seal(nonce, aad, plaintext)) === hex(zero.seal(nonce, aad, plaintext));
}

/** Sends application data both ways, so that every application key is set up (its AEAD made). */
function exchangeData(pair: InMemoryPair): void {
  pair.client.write(Uint8Array.of(1));
  pair.server.write(Uint8Array.of(2));
  pair.run();
}

describe('what a connection holds once it is closed', () => {
  it('the walk finds the secrets while the connection is open (the search can fail)', () => {
    const { provider, extracted } = keyKeeping(nobleProvider);
    const [c, s] = configs(provider, 'open');
    const pair = new InMemoryPair(c, s);
    pair.step('client');
    pair.step('server');
    // The server's Handshake Secret and Master Secret, held by its key schedule until the client's Finished (the
    // client's, extracted too, are the same values: four found).
    expect(held(pair.server, extracted)).toHaveLength(4);
    pair.run();
    for (const side of ['client', 'server'] as const) {
      expect(held(pair.connection(side), reportedSecrets(pair, side))).toEqual(expect.arrayContaining([
        'client_application_traffic_secret_0', 'server_application_traffic_secret_0', 'exporter_master_secret',
      ]));
    }
    expect(held(pair.client, reportedSecrets(pair, 'client'))).toContain('resumption_master_secret');
  });

  it.each([
    ['the client closes first', ['client', 'server'] as const, nobleProvider],
    ['the server closes first', ['server', 'client'] as const, nobleProvider],
    ['node:crypto, the client first', ['client', 'server'] as const, nodeCryptoProvider],
  ])('closed both ways (%s), after KeyUpdates: no traffic secret, record key or resumption secret is left; the exporter still answers', (_what, order, base) => {
    const { provider, made, extracted } = keyKeeping(base);
    const pair = new InMemoryPair(...configs(provider, `clean ${order[0]}`)).run();
    exchangeData(pair);
    pair.client.updateKeys(true);
    pair.run();
    exchangeData(pair);
    const exported = { client: pair.client.exportKeyingMaterial('EXPERIMENTAL wipe', new Uint8Array(0), 32), server: pair.server.exportKeyingMaterial('EXPERIMENTAL wipe', new Uint8Array(0), 32) };
    pair.connection(order[0]).close();
    pair.run();
    pair.connection(order[1]).close();
    pair.run();
    for (const side of ['client', 'server'] as const) {
      const connection = pair.connection(side);
      expect(connection.isClosed).toBe(true);
      expect(held(connection, [...reportedSecrets(pair, side, 1), ...extracted]).filter((name) => !EXPORTERS.includes(name))).toEqual([]);
      expect(hex(connection.exportKeyingMaterial('EXPERIMENTAL wipe', new Uint8Array(0), 32))).toBe(hex(exported[side]));
    }
    expect(made.length).toBeGreaterThan(0);
    expect(made.filter(({ aead, key }) => !sealsAsZeroKey(base, aead, key))).toEqual([]);
  });

  it('a fatal alert, either way: nothing is left, the exporters neither, and exportKeyingMaterial throws', () => {
    const { provider, made, extracted } = keyKeeping(nobleProvider);
    const pair = new InMemoryPair(...configs(provider, 'fatal')).run();
    exchangeData(pair);
    // A flipped bit in the client's next record: bad_record_mac from the server, and the client receives it.
    pair.client.write(Uint8Array.of(3));
    const record = pair.client.takeOutput();
    record[record.length - 1]! ^= 1;
    pair.server.receive(record);
    pair.client.receive(pair.server.takeOutput());
    expect(pair.client.takeEvents().some((e) => e.type === 'alert' && e.direction === 'in' && e.description === 'bad_record_mac')).toBe(true);
    for (const side of ['client', 'server'] as const) {
      const connection = pair.connection(side);
      expect(connection.isClosed).toBe(true);
      expect(held(connection, [...reportedSecrets(pair, side), ...extracted])).toEqual([]);
      expect(() => connection.exportKeyingMaterial('EXPERIMENTAL wipe', new Uint8Array(0), 32)).toThrow(/once connected/);
    }
    expect(made.filter(({ aead, key }) => !sealsAsZeroKey(nobleProvider, aead, key))).toEqual([]);
  });

  it('a handshake that fails before it ends: its handshake secrets and key schedule are not left either', () => {
    const { provider, extracted } = keyKeeping(nobleProvider);
    const [c, s] = configs(provider, 'mid-handshake');
    let flights = 0;
    // The client's second flight (Certificate ... Finished) with its last tag flipped: the server, in WAIT_CERT and
    // holding the handshake and application secrets, answers bad_record_mac.
    const tamper = ({ from, bytes }: { from: Role; bytes: Uint8Array }) => {
      if (from !== 'client' || flights++ !== 1) return bytes;
      const flipped = bytes.slice();
      flipped[flipped.length - 1]! ^= 1;
      return flipped;
    };
    const pair = new InMemoryPair(c, s, { tamper }).run();
    expect(pair.server.isClosed && pair.client.isClosed).toBe(true);
    expect(pair.events('server').some((e) => e.type === 'alert' && e.direction === 'out' && e.description === 'bad_record_mac')).toBe(true);
    for (const side of ['client', 'server'] as const) {
      expect(reportedSecrets(pair, side).map((x) => x.name)).toContain('client_handshake_traffic_secret');
      expect(held(pair.connection(side), [...reportedSecrets(pair, side), ...extracted])).toEqual([]);
    }
  });

  it('what the caller holds is not wiped: the key log, the events taken, a second connection from the same configs', () => {
    const [c, s] = configs(nobleProvider, 'caller');
    const pair = new InMemoryPair(c, s).run();
    const logged = pair.events('client').filter((e): e is Extract<TlsEvent, { type: 'secret' }> => e.type === 'secret');
    const before = logged.map((e) => hex(e.secret));
    pair.client.close();
    pair.server.close();
    pair.run();
    expect(logged.map((e) => hex(e.secret))).toEqual(before);
    expect(before.every((h) => /[^0]/.test(h))).toBe(true);
    const again = new InMemoryPair(c, s).run();
    expect(again.client.isConnected && again.server.isConnected).toBe(true);
    expect(again.server.info.peer?.subject).toBe('CN=alice');
  });

  it('a record after the close is ignored as before, never opened under wiped keys', () => {
    const pair = new InMemoryPair(...configs(nobleProvider, 'late')).run();
    pair.client.write(Uint8Array.of(7));
    const late = pair.client.takeOutput();
    pair.client.close();
    pair.server.close();
    pair.run();
    pair.server.takeEvents();
    pair.server.receive(late);
    expect(pair.server.takeEvents()).toEqual([]);
    expect(pair.server.takeOutput()).toHaveLength(0);
  });
});
