// Attacker's test (careless API caller): a sans-I/O caller that reads the network into one buffer and passes
// a view of it to receive(), reusing the buffer for the next read, as C-style loops do. The engine keeps
// views of received bytes (ByteQueue keeps the caller's chunk; decoded messages are views): whatever it
// keeps past receive() must not change when the caller overwrites its buffer.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { NamedGroup } from '../../src/wire/enums.js';
import { joinRecords, splitRecords } from '../../src/testing/tamper.js';

const random = seededRandom('reused receive buffer');
const ca = makeIdentity({ subject: { CN: 'Reuse CA' }, isCA: true, keyUsage: ['keyCertSign'] }, random);
const server = makeIdentity({ subject: { CN: 'server' }, issuer: ca, sans: { dns: ['reuse.test'] }, extKeyUsage: ['serverAuth'] }, random);

/** Runs a handshake where each side's receive() gets a view of one buffer the caller overwrites after each call. */
function run(client: ClientConfig, serverConfig: ServerConfig, reuse: boolean) {
  const c = Connection.client(client);
  const s = Connection.server(serverConfig);
  const buffer = new Uint8Array(1 << 17);
  const events: { client: TlsEvent[]; server: TlsEvent[] } = { client: [], server: [] };
  const deliver = (to: Connection, bytes: Uint8Array) => {
    if (bytes.length === 0) return false;
    if (!reuse) {
      to.receive(bytes.slice());
      return true;
    }
    buffer.set(bytes);
    to.receive(buffer.subarray(0, bytes.length));
    buffer.fill(0xee, 0, bytes.length);
    return true;
  };
  for (let i = 0; i < 10; i++) {
    const a = deliver(s, c.takeOutput());
    const b = deliver(c, s.takeOutput());
    events.client.push(...c.takeEvents());
    events.server.push(...s.takeEvents());
    if (!a && !b) break;
  }
  return { c, s, events };
}

const alerts = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'alert' ? [`${e.direction} ${e.description}`] : []));

describe('a caller that reuses its receive buffer', () => {
  const client: ClientConfig = { serverName: 'reuse.test', trust: { kind: 'ca', anchors: [ca.der] }, now: () => TEST_NOW, random: seededRandom('c'), groups: [NamedGroup.x25519, NamedGroup.secp256r1], keyShareGroups: [NamedGroup.x25519] };
  const serverConfig: ServerConfig = { certificate: server, now: () => TEST_NOW, random: seededRandom('s'), groups: [NamedGroup.secp256r1] };

  it('completes a handshake with a HelloRetryRequest (the first ClientHello is compared with the second)', () => {
    const honest = run(client, serverConfig, false);
    expect(honest.events.server.filter((e) => e.type === 'handshake-message' && e.direction === 'out').map((e) => e.type === 'handshake-message' && e.message.kind)[0]).toBe('hello_retry_request');
    expect(alerts(honest.events.server)).toEqual([]);
    expect(honest.c.isConnected && honest.s.isConnected).toBe(true);
    const careless = run(client, serverConfig, true);
    expect(alerts(careless.events.server)).toEqual([]);
    expect(careless.c.isConnected && careless.s.isConnected).toBe(true);
  });

  // A Buffer too: its slice() is a view, not a copy.
  it.each([
    ['a Uint8Array', (n: number) => new Uint8Array(n)],
    ['a Buffer', (n: number) => Buffer.alloc(n)],
  ])('reads a record cut across two receive() calls into %s', (_, allocate) => {
    const { c, s } = run(client, { ...serverConfig, groups: [NamedGroup.x25519] }, true);
    expect(c.isConnected && s.isConnected).toBe(true);
    c.write(new Uint8Array(1000).fill(0x61));
    const record = c.takeOutput();
    const buffer = allocate(record.length);
    buffer.set(record.subarray(0, 500));
    s.receive(buffer.subarray(0, 500));
    buffer.fill(0xee);
    buffer.set(record.subarray(500));
    s.receive(buffer.subarray(0, record.length - 500));
    const events = s.takeEvents();
    expect(alerts(events)).toEqual([]);
    expect(events.flatMap((e) => (e.type === 'data' ? [...e.data] : []))).toEqual([...new Uint8Array(1000).fill(0x61)]);
  });

  it('reads a ClientHello cut into two plaintext records that arrive in two receive() calls', () => {
    const c = Connection.client(client);
    const s = Connection.server({ ...serverConfig, groups: [NamedGroup.x25519] });
    const [hello] = splitRecords(c.takeOutput());
    const half = hello!.fragment.length >> 1;
    const first = joinRecords([{ ...hello!, fragment: hello!.fragment.subarray(0, half) }]);
    const second = joinRecords([{ ...hello!, fragment: hello!.fragment.subarray(half) }]);
    const buffer = new Uint8Array(first.length + second.length);
    buffer.set(first);
    s.receive(buffer.subarray(0, first.length));
    buffer.fill(0xee);
    buffer.set(second);
    s.receive(buffer.subarray(0, second.length));
    expect(alerts(s.takeEvents())).toEqual([]);
    expect(s.state).not.toBe('CLOSED');
  });

  it("keeps the client's random for the server's later key-log lines", () => {
    const { c, events } = run(client, { ...serverConfig, groups: [NamedGroup.x25519] }, true);
    expect(c.isConnected).toBe(true);
    const randoms = events.server.flatMap((e) => (e.type === 'secret' ? [Buffer.from(e.clientRandom).toString('hex')] : []));
    const ours = events.client.flatMap((e) => (e.type === 'secret' ? [Buffer.from(e.clientRandom).toString('hex')] : []));
    expect(randoms.length).toBeGreaterThan(4);
    expect(new Set(randoms)).toEqual(new Set([ours[0]]));
  });
});
