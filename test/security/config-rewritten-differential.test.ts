// Red team, session 18 (issue 16: a per-connection config snapshot and check made cheaper). The application as
// attacker, with a differential oracle instead of one expectation per field: handshakes are deterministic (seeded
// randomness, a fixed clock), so
// - a config object used once (so that every memo holds it), then changed in place (an array item, a nested
//   field, a byte of a pin or key, a deleted field, a getter or a prototype put in), must give byte for byte the
//   handshake a fresh object with the same values gives. A snapshot or check memo that misses the change answers
//   with the old value: other bytes on the wire, or another verdict;
// - a config rewritten from inside the handshake's own callbacks (the clock, the randomness: they run in the
//   middle of a step, after the snapshot) must give byte for byte the handshake of the config left alone. A
//   connection that reads its caller's object again after the snapshot would see the rewrite.
// Each change is one that shows on the wire or in the verdict (checked: the fresh object's handshake differs
// from the unchanged one's), so the oracle cannot pass by a change that does nothing.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { hex } from '../../src/wire/bytes.js';
import { CipherSuite, NamedGroup } from '../../src/wire/enums.js';

const random = seededRandom('config rewritten: identities');
const ca = makeIdentity({ subject: { CN: 'rewritten CA' }, isCA: true, keyUsage: ['keyCertSign'] }, random);
const server = makeIdentity({ subject: { CN: 'server' }, issuer: ca, sans: { dns: ['server.example', 'other.example'] }, extKeyUsage: ['serverAuth'] }, random);
const mallorysServer = makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['server.example'] } }, random);
const alice = makeIdentity({ subject: { CN: 'alice' }, extKeyUsage: ['clientAuth'] }, random);
const mallory = makeIdentity({ subject: { CN: 'mallory' }, extKeyUsage: ['clientAuth'] }, random);

/** Random sources that start over for every handshake, so that two handshakes can be compared byte for byte. */
const sources = { client: seededRandom(''), server: seededRandom('') };
const restart = () => {
  sources.client = seededRandom('config rewritten: client');
  sources.server = seededRandom('config rewritten: server');
};

function clientConfig(): ClientConfig {
  return {
    serverName: 'server.example',
    trust: { kind: 'ca', anchors: [ca.der.slice()] },
    certificate: { chain: [alice.der.slice()], privateKey: alice.privateKey },
    now: () => TEST_NOW,
    random: (n) => sources.client(n),
    cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_CHACHA20_POLY1305_SHA256],
    groups: [NamedGroup.x25519, NamedGroup.secp256r1],
    alpnProtocols: ['h2', 'http/1.1'],
  };
}

function serverConfig(): ServerConfig {
  return {
    certificate: { chain: [server.der.slice(), ca.der.slice()], privateKey: server.privateKey },
    clientAuth: 'require',
    trust: { kind: 'pinned-certificate', certificates: [alice.der.slice()] },
    now: () => TEST_NOW,
    random: (n) => sources.server(n),
    cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_CHACHA20_POLY1305_SHA256],
    groups: [NamedGroup.x25519, NamedGroup.secp256r1],
    alpnProtocols: ['http/1.1', 'h2'],
    tickets: { count: 1, key: new Uint8Array(32).fill(0x5c) },
  };
}

/** Everything a handshake shows: the bytes both ways, the alerts, who each side reports. */
function handshake(client: ClientConfig, srv: ServerConfig): string[] {
  restart();
  let pair: InMemoryPair;
  try {
    pair = new InMemoryPair(client, srv).run();
  } catch (e) {
    // A config the check refuses: the refusal is what the two must agree on.
    return [`refused: ${(e as Error).message}`];
  }
  const shown = pair.wire.map((segment) => `${segment.from} ${hex(segment.bytes)}`);
  for (const side of ['client', 'server'] as const) {
    const connection = pair.connection(side);
    shown.push(`${side} ${connection.state} ${connection.info.cipherSuite} ${connection.info.alpn} ${connection.info.peer?.subject} ${connection.info.peer?.certificateSha256}`);
    for (const event of pair.events(side)) if (event.type === 'alert') shown.push(`${side} alert ${event.direction} ${event.description}`);
  }
  return shown;
}

/** A copy with the same values: plain objects and arrays copied, bytes copied, anything else (keys, functions) as is. */
function fresh<T>(value: T): T {
  if (value instanceof Uint8Array) return value.slice() as T;
  if (Array.isArray(value)) return value.map(fresh) as T;
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const copy: Record<string, unknown> = {};
    // Own and inherited enumerable fields, read once each, as the engine reads a config.
    for (const key in value) copy[key] = fresh((value as Record<string, unknown>)[key]);
    return copy as T;
  }
  return value;
}

type Change<T> = [what: string, change: (config: T) => void];

const clientChanges: Array<Change<ClientConfig>> = [
  ['serverName rewritten (a name the certificate does not hold)', (c) => (c.serverName = 'mallory.example')],
  ['serverName rewritten (another name the certificate holds)', (c) => (c.serverName = 'other.example')],
  ['a trust anchor refilled in place with another certificate', (c) => (c.trust as { anchors: Uint8Array[] }).anchors[0]!.set(mallorysServer.der.subarray(0, Math.min(mallorysServer.der.length, ca.der.length)))],
  ['a trust anchor replaced in its array', (c) => ((c.trust as { anchors: Uint8Array[] }).anchors[0] = mallorysServer.der)],
  ["the trust policy turned into a pin of mallory's server", (c) => {
    const trust = c.trust as Record<string, unknown>;
    delete trust.anchors;
    Object.assign(trust, { kind: 'pinned-certificate', certificates: [mallorysServer.der] });
  }],
  ['the first cipher suite replaced', (c) => (c.cipherSuites![0] = CipherSuite.TLS_AES_256_GCM_SHA384)],
  ['the cipher suites reordered in place', (c) => c.cipherSuites!.reverse()],
  ['the groups shortened', (c) => c.groups!.shift()],
  ['an ALPN protocol pushed first', (c) => c.alpnProtocols!.unshift('mallory/1')],
  ['the ALPN protocols deleted', (c) => delete c.alpnProtocols],
  ["the client certificate's bytes refilled in place", (c) => (c.certificate as { chain: Uint8Array[] }).chain[0]!.set(mallory.der.subarray(0, 64), 0)],
  ['the client certificate replaced by a getter', (c) => Object.defineProperty(c, 'certificate', { get: () => ({ chain: [mallory.der], privateKey: mallory.privateKey }), enumerable: true, configurable: true })],
  ['serverName moved to a prototype with another value', (c) => {
    delete c.serverName;
    Object.setPrototypeOf(c, { serverName: 'other.example' });
  }],
];

const serverChanges: Array<Change<ServerConfig>> = [
  ["the pinned client certificate refilled in place with mallory's", (c) => (c.trust as { certificates: Uint8Array[] }).certificates[0]!.set(mallory.der.subarray(0, Math.min(mallory.der.length, alice.der.length)))],
  ["the pin replaced with mallory's in its array", (c) => ((c.trust as { certificates: Uint8Array[] }).certificates[0] = mallory.der)],
  ['client authentication turned off', (c) => (c.clientAuth = 'none')],
  ['client authentication turned off by a getter', (c) => Object.defineProperty(c, 'clientAuth', { get: () => 'none', enumerable: true, configurable: true })],
  ['the ticket key refilled in place', (c) => c.tickets!.key!.fill(0x33)],
  ['the ticket count raised', (c) => (c.tickets!.count = 2)],
  ['the tickets turned off through a deleted field', (c) => delete c.tickets],
  ["the server chain's leaf refilled in place", (c) => (c.certificate as { chain: Uint8Array[] }).chain[0]!.set(mallorysServer.der.subarray(0, 64), 0)],
  ['the chain shortened', (c) => (c.certificate as { chain: Uint8Array[] }).chain.pop()],
  ['the first cipher suite replaced', (c) => (c.cipherSuites![0] = CipherSuite.TLS_CHACHA20_POLY1305_SHA256)],
  ['the groups cut to one the client sent no share for', (c) => c.groups!.splice(0, 1)],
  ['the ALPN preference reordered', (c) => c.alpnProtocols!.reverse()],
  ['a HelloRetryRequest asked for through a field added last', (c) => Object.assign(c, { helloRetryForPreferredGroup: true, groups: [NamedGroup.secp256r1, NamedGroup.x25519] })],
];

describe('a config used once, then changed in place: the next handshake is a fresh object\'s, byte for byte', () => {
  it.each(clientChanges)("the client's: %s", (_, change) => {
    const config = clientConfig();
    const srv = serverConfig();
    const before = handshake(config, srv);
    expect(handshake(config, srv)).toEqual(before); // the oracle is deterministic, and the memos are warm
    change(config);
    const expected = handshake(fresh(config), serverConfig());
    expect(expected).not.toEqual(before); // the change shows
    expect(handshake(config, srv)).toEqual(expected);
  });

  it.each(serverChanges)("the server's: %s", (_, change) => {
    const client = clientConfig();
    const config = serverConfig();
    const before = handshake(client, config);
    expect(handshake(client, config)).toEqual(before);
    change(config);
    const expected = handshake(clientConfig(), fresh(config));
    expect(expected).not.toEqual(before);
    expect(handshake(client, config)).toEqual(expected);
  });
});

describe('a config rewritten from inside its own handshake (the clock and the randomness run mid-step): nothing changes', () => {
  /** `config` whose `field` callback makes `change` the first time the handshake calls it. */
  function rewrittenBy<T extends ClientConfig | ServerConfig>(config: T, field: 'now' | 'random', change: (config: T) => void): T {
    const original = config[field] as (...args: never[]) => unknown;
    let done = false;
    (config as Record<string, unknown>)[field] = (...args: never[]) => {
      if (!done) {
        done = true;
        change(config);
      }
      return original(...args);
    };
    return config;
  }

  it.each(clientChanges.flatMap(([what, change]) => (['now', 'random'] as const).map((field) => [what, field, change] as const)))("the client's: %s, by its %s callback", (_, field, change) => {
    const expected = handshake(rewrittenBy(clientConfig(), field, () => {}), serverConfig());
    expect(handshake(rewrittenBy(clientConfig(), field, change), serverConfig())).toEqual(expected);
  });

  it.each(serverChanges.flatMap(([what, change]) => (['now', 'random'] as const).map((field) => [what, field, change] as const)))("the server's: %s, by its %s callback", (_, field, change) => {
    const expected = handshake(clientConfig(), rewrittenBy(serverConfig(), field, () => {}));
    expect(handshake(clientConfig(), rewrittenBy(serverConfig(), field, change))).toEqual(expected);
  });
});
