// Invariant (the application as attacker, docs/security.md): nothing the engine hands out is its own memory or
// the memory of a config snapshot. Every array, Uint8Array and object reachable from every event (handshake
// messages, decisions, state, secrets, tickets, the connected info, peer certificates) and from the getters
// `info` and `pendingDecision` is written over as soon as it is handed out, at every step of a mutual-TLS
// handshake with a HelloRetryRequest and a trust decision, then of a resumption across a HelloRetryRequest. The
// handshakes must go on byte for byte as without the writes, and a handshake made afterwards from the same
// config objects too. The walk is generic: a field added to an event or to `info` is written over as well.
// It found four holes: `info` (and the `connected` event's info.peer) was the engine's record, which the server
// reads again to seal each ticket (its ALPN, its group); a received message's event was the message the server
// keeps to compare ClientHello2 with; `pendingDecision` and the `decision-needed` event were the decision whose
// kind resolve() checks; each `session-ticket` event's peer was the engine's record, shared by the next ticket.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import type { SessionTicket, TlsEvent } from '../../src/handshake/events.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { NamedGroup } from '../../src/wire/enums.js';

const random = seededRandom('handed-out memory identities');
const ca = makeIdentity({ subject: { CN: 'memory CA' }, isCA: true, keyUsage: ['keyCertSign'] }, random);
const serverIdentity = makeIdentity({ subject: { CN: 'server' }, issuer: ca, sans: { dns: ['server.example'] }, extKeyUsage: ['serverAuth'] }, random);
const alice = makeIdentity({ subject: { CN: 'alice' }, extKeyUsage: ['clientAuth'] }, random);

/** Random sources that start over for each run, so that a run's bytes can be compared with another's. */
const sources: Record<'client' | 'server', (n: number) => Uint8Array> = { client: seededRandom('c'), server: seededRandom('s') };
function restartRandom(): void {
  sources.client = seededRandom('memory client');
  sources.server = seededRandom('memory server');
}

// The config objects, made once and used by every run: a write that reached them would show in a later run.
const serverConfig: ServerConfig = {
  certificate: { chain: [serverIdentity.der, ca.der], privateKey: serverIdentity.privateKey },
  clientAuth: 'require',
  trust: { kind: 'pinned-certificate', certificates: [alice.der] },
  now: () => TEST_NOW,
  random: (n) => sources.server(n),
  tickets: { count: 2, key: new Uint8Array(32).fill(7) },
  // P-256 preferred, the client's key share X25519: a HelloRetryRequest.
  groups: [NamedGroup.secp256r1, NamedGroup.x25519],
  helloRetryForPreferredGroup: true,
  alpnProtocols: ['h2'],
  secretEvents: true,
  trace: true,
};
const clientBase: ClientConfig = {
  serverName: 'server.example',
  // Asked: a verify-peer decision, answered below.
  trust: { kind: 'ask' },
  certificate: { chain: [alice.der], privateKey: alice.privateKey },
  now: () => TEST_NOW,
  random: (n) => sources.client(n),
  groups: [NamedGroup.x25519, NamedGroup.secp256r1],
  alpnProtocols: ['h2', 'http/1.1'],
  secretEvents: true,
  trace: true,
};

/** Plain data for comparison: bytes as hex, functions by name, each object once. */
function describeValue(value: unknown, seen = new Set<object>()): unknown {
  if (value instanceof Uint8Array) return `bytes:${Buffer.from(value).toString('hex')}`;
  if (typeof value === 'function') return `function ${value.name}`;
  if (typeof value === 'bigint') return `bigint:${value}`;
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '(seen)';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => describeValue(item, seen));
  return Object.fromEntries(Object.keys(value).map((key) => [key, describeValue((value as Record<string, unknown>)[key], seen)]));
}

/** Writes over every Uint8Array, array and field reachable from `value`; counts what it wrote. */
function writeOver(value: unknown, seen: Set<object>, count: { bytes: number; arrays: number; fields: number }): void {
  if (typeof value !== 'object' || value === null || seen.has(value)) return;
  seen.add(value);
  if (value instanceof Uint8Array) {
    value.fill(0x5a);
    count.bytes++;
    return;
  }
  if (ArrayBuffer.isView(value)) return;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) writeOver(record[key], seen, count);
  if (Array.isArray(value)) {
    try {
      value.reverse();
      value.push(new Uint8Array([1, 2, 3]));
      count.arrays++;
    } catch {
      // Frozen: nothing to write.
    }
    return;
  }
  for (const key of Object.keys(record)) {
    const field = record[key];
    const other = typeof field === 'string' ? `${field}!` : typeof field === 'number' ? field + 1 : typeof field === 'boolean' ? !field : undefined;
    if (other === undefined) continue;
    try {
      record[key] = other;
      count.fields++;
    } catch {
      // Frozen or read-only.
    }
  }
}

interface Run {
  /** Every event of both sides as it was handed out, and both sides' info once done. */
  seen: unknown[];
  tickets: SessionTicket[];
  written: { bytes: number; arrays: number; fields: number };
}

/**
 * One connection of `client` to `serverConfig`, driven by hand. With `attack`, everything handed out is written
 * over right after it is described: the events of each step, `info` and `pendingDecision` at every step.
 */
function run(client: ClientConfig, attack: boolean): Run {
  const sides = { client: Connection.client(client), server: Connection.server(serverConfig) };
  const seen: unknown[] = [];
  const tickets: SessionTicket[] = [];
  const written = { bytes: 0, arrays: 0, fields: 0 };
  const handOut = (label: string, value: unknown) => {
    seen.push({ label, value: describeValue(value) });
    if (attack) writeOver(value, new Set(), written);
  };
  for (let step = 0; step < 40; step++) {
    let moved = false;
    for (const [name, side] of Object.entries(sides)) {
      const peer = name === 'client' ? sides.server : sides.client;
      for (const event of side.takeEvents() as TlsEvent[]) {
        if (event.type === 'session-ticket') tickets.push(structuredClone(event.ticket));
        handOut(`${name} event ${event.type}`, event);
      }
      const pending = side.pendingDecision;
      if (pending) {
        const kind = pending.kind;
        handOut(`${name} pendingDecision`, pending);
        if (kind === 'verify-peer') side.resolve({ kind, verdict: { trusted: true } });
        moved = true;
      }
      handOut(`${name} info`, side.info);
      const output = side.takeOutput();
      if (output.length > 0) {
        seen.push({ label: `${name} wire`, value: describeValue(output) });
        peer.receive(output);
        moved = true;
      }
    }
    if (!moved) break;
  }
  expect(sides.client.isConnected && sides.server.isConnected).toBe(true);
  return { seen, tickets, written };
}

describe('nothing handed out is memory the engine or a config snapshot uses', () => {
  it('a mutual-TLS handshake with a HelloRetryRequest and a decision, then a resumption: the same with every handed-out object written over', () => {
    restartRandom();
    const reference = run(clientBase, false);
    const ticket = reference.tickets[0]!;
    expect(ticket).toBeDefined();
    const resuming: ClientConfig = { ...clientBase, trust: { kind: 'pinned-certificate', certificates: [serverIdentity.der] }, resumption: { ticket } };
    const referenceResumed = run(resuming, false);
    expect(referenceResumed.seen.some((e) => (e as { label: string }).label === 'client info' && JSON.stringify(e).includes('"resumed":true'))).toBe(true);
    expect(referenceResumed.seen.some((e) => JSON.stringify(e).includes('hello_retry_request'))).toBe(true);

    restartRandom();
    const attacked = run(clientBase, true);
    const attackedResumed = run(resuming, true);
    // The walk reached something of every kind (it is not empty), and it changed nothing the handshakes did.
    expect(attacked.written.bytes).toBeGreaterThan(50);
    expect(attacked.written.arrays).toBeGreaterThan(5);
    expect(attacked.written.fields).toBeGreaterThan(20);
    expect(attacked.seen).toEqual(reference.seen);
    expect(attackedResumed.seen).toEqual(referenceResumed.seen);

    // And the config objects hold what they held: the runs after the attack are the runs before it.
    restartRandom();
    expect(run(clientBase, false).seen).toEqual(reference.seen);
    expect(run(resuming, false).seen).toEqual(referenceResumed.seen);
  });
});
