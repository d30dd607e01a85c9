// The application as attacker, against the negotiated info shared between callers (handed-out.ts InfoCopies):
// `info` and the `connected` event hand out one frozen copy per content of the engine's record. A caller that
// writes over what it was given must change neither the engine's record nor the copy another caller holds, before
// or after; and a copy must never outlive a change of the record (a withdrawn or replaced identity, a field set
// later in the handshake), however the record was changed.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import type { NegotiatedInfo, TlsEvent } from '../../src/handshake/events.js';
import { InfoCopies } from '../../src/handshake/handed-out.js';
import type { PeerIdentity } from '../../src/auth/trust.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { exchange } from './exchange.js';
import { byteArrays, described } from './plain-data.js';

const random = seededRandom('info copies identities');
const ca = makeIdentity({ subject: { CN: 'info CA' }, isCA: true, keyUsage: ['keyCertSign'] }, random);
const server = makeIdentity({ subject: { CN: 'server' }, issuer: ca, sans: { dns: ['server.example', 'www.server.example'] }, extKeyUsage: ['serverAuth'] }, random);
const alice = makeIdentity({ subject: { CN: 'alice' }, extKeyUsage: ['clientAuth'] }, random);

const serverConfig: ServerConfig = {
  certificate: server,
  clientAuth: 'require',
  trust: { kind: 'pinned-certificate', certificates: [alice.der] },
  now: () => TEST_NOW,
  random: seededRandom('info copies s'),
  alpnProtocols: ['h2'],
};
const clientConfig: ClientConfig = {
  serverName: 'server.example',
  // A CA policy: the verdict's path holds byte arrays too.
  trust: { kind: 'ca', anchors: [ca.der] },
  certificate: alice,
  now: () => TEST_NOW,
  random: seededRandom('info copies c'),
  alpnProtocols: ['h2'],
};

function connected(): { client: Connection; server: Connection; events: Record<'client' | 'server', TlsEvent[]> } {
  const client = Connection.client(clientConfig);
  const srv = Connection.server(serverConfig);
  exchange(client, srv);
  expect(client.isConnected && srv.isConnected).toBe(true);
  return { client, server: srv, events: { client: client.takeEvents(), server: srv.takeEvents() } };
}

/** Writes over everything writable in `value`: every byte, and every field and array a frozen object would let through. */
function writeOver(value: unknown): number {
  let attempts = 0;
  if (value instanceof Uint8Array) {
    value.fill(0x5a);
    return 1;
  }
  if (typeof value !== 'object' || value === null) return 0;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) attempts += writeOver(record[key]);
  for (const key of Object.keys(record)) {
    try {
      record[key] = 'written';
    } catch {
      // Frozen.
    }
    attempts++;
  }
  try {
    record.added = 'added';
  } catch {
    // Frozen.
  }
  return attempts;
}

describe('the negotiated info handed out to several callers', () => {
  it("a caller that writes over its copy changes neither another caller's copy, held before or taken after, nor the engine", () => {
    const { client, events } = connected();
    const connectedEvent = events.client.find((e) => e.type === 'connected')!;
    expect(connectedEvent).toBeDefined();
    const reference = described(client.info);
    expect(client.info.peer?.chain?.length).toBe(1);
    expect(client.info.peer?.verdict.path?.length).toBe(2);
    const held = client.info;
    const attacked = client.info;
    // Each caller's byte arrays are its own, and the event's too.
    const [heldBytes, attackedBytes, eventBytes] = [held, attacked, connectedEvent.type === 'connected' && connectedEvent.info].map((i) => byteArrays(i));
    expect(heldBytes!.length).toBe(3);
    for (const bytes of heldBytes!) {
      expect(attackedBytes).not.toContain(bytes);
      expect(eventBytes).not.toContain(bytes);
    }
    expect(writeOver(attacked)).toBeGreaterThan(10);
    expect(described(attacked)).not.toEqual(reference); // the bytes were written over
    expect(described(held)).toEqual(reference);
    expect(described(client.info)).toEqual(reference);
    // The engine's record too: the client's exporter and a ticket's identity are unchanged, and a write to the event's
    // copy changes nothing either.
    if (connectedEvent.type === 'connected') writeOver(connectedEvent.info);
    expect(described(client.info)).toEqual(reference);
  });

  it('is frozen: a field, a list or an object of it cannot be changed, in strict code as in the engine', () => {
    const { client, server } = connected();
    for (const info of [client.info, server.info]) {
      expect(Object.isFrozen(info)).toBe(true);
      expect(() => {
        (info as NegotiatedInfo).alpn = 'mallory';
      }).toThrow(TypeError);
      expect(() => {
        delete (info as NegotiatedInfo).peer;
      }).toThrow(TypeError);
      expect(() => (info.peer!.dnsNames as string[]).push('mallory.example')).toThrow(TypeError);
      expect(() => {
        (info.peer!.verdict as { trusted: boolean }).trusted = false;
      }).toThrow(TypeError);
      expect(Object.isFrozen(info.peer!.chain)).toBe(true);
    }
    expect(client.info.alpn).toBe('h2');
    expect(server.info.peer?.subject).toBe('CN=alice');
  });

  it('callers share the frozen parts while the record is unchanged, and get new ones once it changes', () => {
    const { server } = connected();
    const [a, b] = [server.info, server.info];
    expect(a).not.toBe(b); // the way to the byte arrays is each caller's
    expect(a.peer!.dnsNames).toBe(b.peer!.dnsNames);
    expect(a.peer!.verdict).toBe(b.peer!.verdict);
    server.close();
    expect(server.info.peer!.dnsNames).toBe(a.peer!.dnsNames);
  });
});

const certificatePeer = (info: NegotiatedInfo) => info.peer as PeerIdentity;

describe('InfoCopies follows every change of the record', () => {
  const peer = () => ({
    subject: 'CN=server',
    dnsNames: ['server.example'],
    ipAddresses: [],
    emails: [],
    uris: [],
    spkiSha256: 'aa',
    spkiSha256Base64: 'qg==',
    keyType: 'ed25519',
    chain: [Uint8Array.of(1, 2, 3)],
    verdict: { trusted: true, rule: 'ca', detail: 'ok', path: [Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5)] },
  });
  const changes: [string, (info: NegotiatedInfo) => void][] = [
    ['a field set', (info) => (info.resumed = true)],
    ['a field changed', (info) => (info.alpn = 'http/1.1')],
    ['the identity withdrawn', (info) => delete info.peer],
    ['the identity replaced by an equal-looking other', (info) => (info.peer = { ...peer(), subject: 'CN=mallory' })],
    ['the identity replaced by one with other bytes', (info) => (info.peer = { ...peer(), chain: [Uint8Array.of(6, 6, 6)] })],
    ['a certificate byte changed in place', (info) => (certificatePeer(info).chain[0]![2] = 9)],
  ];
  it.each(changes)('%s: the next caller sees it', (_name, change) => {
    const record: NegotiatedInfo = { version: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', alpn: 'h2', peer: peer() };
    const copies = new InfoCopies(record);
    const before = copies.handOut();
    expect(described(before)).toEqual(described(record));
    change(record);
    expect(described(record)).not.toEqual(described(before));
    const after = copies.handOut();
    expect(described(after)).toEqual(described(record));
    expect(Object.keys(after)).toEqual(Object.keys(record));
    // The copy handed out before keeps what it held.
    expect(described(before)).not.toEqual(described(after));
  });

  // The engine writes only the record's own fields; what it put in them is frozen once a copy is made, so a write
  // inside can never leave the shared copy behind the record.
  const inside: [string, (info: NegotiatedInfo) => void][] = [
    ['a name added', (info) => certificatePeer(info).dnsNames.push('mallory.example')],
    ['a name changed', (info) => (certificatePeer(info).dnsNames[0] = 'mallory.example')],
    ['a path certificate replaced', (info) => (certificatePeer(info).verdict.path![1] = Uint8Array.of(4, 5, 6))],
    ['the verdict changed', (info) => (info.peer!.verdict.trusted = false)],
    ['a field added to the identity', (info) => ((info.peer as unknown as Record<string, unknown>).extra = 1)],
  ];
  it.each(inside)('%s inside a field, after a copy was made: refused', (_name, change) => {
    const record: NegotiatedInfo = { cipherSuite: 'TLS_AES_128_GCM_SHA256', peer: peer() };
    const copies = new InfoCopies(record);
    const before = described(copies.handOut());
    expect(() => change(record)).toThrow(TypeError);
    expect(described(record)).toEqual(before);
    expect(described(copies.handOut())).toEqual(before);
  });

  it('a copy written over by its caller is never what the next caller gets, even when the record is unchanged', () => {
    const record: NegotiatedInfo = { cipherSuite: 'TLS_AES_128_GCM_SHA256', peer: peer() };
    const copies = new InfoCopies(record);
    const first = copies.handOut();
    writeOver(first);
    expect(described(copies.handOut())).toEqual(described(record));
  });
});
