// Interop and attacker's tests: RFC 8449 record_size_limit and 0-RTT. The client writes its early data
// right after its ClientHello, under keys from the ticket's handshake, before EncryptedExtensions could tell
// it this server's limit; "Records are subject to the limits that were set in the handshake that produces
// the keys that are used to protect those records" (RFC 8449 §4). Our server applied its own new limit to
// those records: 500 bytes of 0-RTT from our own client against a server limit of 64 was record_overflow.
// The server's limit holds from the client's handshake records on (after EncryptedExtensions), and the
// protocol's 2^14 + 1 still bounds an early record.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { SessionTicket, TlsEvent } from '../../src/handshake/events.js';
import { Connection } from '../../src/handshake/connection.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { concat } from '../../src/wire/bytes.js';

const random = seededRandom('early-data record_size_limit');
const server = makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['a.example'] }, keyType: 'p256' }, random);
const alice = makeIdentity({ subject: { CN: 'alice' } }, random);
const ticketKey = random(32);
const LIMIT = 64;
const TAG = 16; // TLS_AES_128_GCM_SHA256

const serverConfig = (extra: Partial<ServerConfig> = {}): ServerConfig => ({
  certificate: server,
  now: () => TEST_NOW,
  random: seededRandom('s'),
  tickets: { count: 1, key: ticketKey, maxEarlyDataSize: 4096, antiReplay: new SingleUseTickets() },
  ...extra,
});
const clientConfig = (extra: Partial<ClientConfig> = {}): ClientConfig => ({
  serverName: 'a.example',
  trust: { kind: 'pinned-certificate', certificates: [server.der] },
  now: () => TEST_NOW + 1000,
  random: seededRandom('c'),
  clientHello: { recordSizeLimit: 2 ** 14 + 1 },
  ...extra,
});

function ticket(): SessionTicket {
  const event = new InMemoryPair(clientConfig(), serverConfig()).run().events('client').find((e) => e.type === 'session-ticket');
  if (event?.type !== 'session-ticket') throw new Error('no ticket');
  return event.ticket;
}

const alerts = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'alert' ? [`${e.direction} ${e.description}`] : []));
const received = (events: TlsEvent[], early: boolean) => concat(...events.flatMap((e) => (e.type === 'data' && (e.early === true) === early ? [e.data] : [])));
/** TLSInnerPlaintext lengths of the protected records a side sent. */
const protectedSizes = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'record' && e.direction === 'out' && e.protected ? [e.raw.length - 5 - TAG] : []));

describe("0-RTT written before the client could know the server's record_size_limit of 64", () => {
  const earlyData = random(500);

  it('500 bytes in one early record are read and delivered, the limit holds for the rest of the handshake', () => {
    const pair = new InMemoryPair(clientConfig({ resumption: { ticket: ticket(), earlyData }, traceRecords: true }), serverConfig({ recordSizeLimit: LIMIT })).run();
    expect(alerts(pair.events('server'))).toEqual([]);
    expect(pair.server.info.earlyData).toBe('accepted');
    expect(received(pair.events('server'), true)).toEqual(earlyData);
    // The early record (500 bytes and the type byte), then EndOfEarlyData and Finished under the limit.
    const [early, ...afterEncryptedExtensions] = protectedSizes(pair.events('client'));
    expect(early).toBe(501);
    expect(afterEncryptedExtensions.length).toBeGreaterThan(0);
    expect(Math.max(...afterEncryptedExtensions)).toBeLessThanOrEqual(LIMIT);
    // Once connected, the client's application records keep to the limit and are read.
    const later = random(300);
    pair.client.write(later);
    pair.run();
    expect(received(pair.events('server'), false)).toEqual(later);
    expect(alerts(pair.events('server'))).toEqual([]);
  });

  it('a client that ignores the limit after EncryptedExtensions (a 300-byte application record) still gets record_overflow', () => {
    const pair = new InMemoryPair(clientConfig({ resumption: { ticket: ticket(), earlyData } }), serverConfig({ recordSizeLimit: LIMIT })).run();
    expect(pair.client.isConnected).toBe(true);
    // The attacker raises its own writer's limit back to the protocol's: the server's 64 must still hold.
    (pair.client as unknown as { records: { writer: { recordSizeLimit: number } } }).records.writer.recordSizeLimit = 2 ** 14 + 1;
    pair.client.write(random(300));
    pair.run();
    expect(alerts(pair.events('server'))).toEqual(['out record_overflow']);
    expect(pair.server.isClosed).toBe(true);
  });

  it('a client that ignores the limit in its handshake flight (Certificate, CertificateVerify, Finished in one record) gets record_overflow', () => {
    const client = Connection.client(clientConfig({ certificate: alice }));
    // The attacker's writer never takes the server's limit: its second flight goes out in one 429-byte record.
    Object.defineProperty((client as unknown as { records: { writer: object } }).records.writer, 'recordSizeLimit', { set: () => {}, get: () => 2 ** 14 + 1 });
    const serverSide = Connection.server(serverConfig({ recordSizeLimit: LIMIT, clientAuth: 'require', trust: { kind: 'pinned-certificate', certificates: [alice.der] } }));
    serverSide.receive(client.takeOutput());
    client.receive(serverSide.takeOutput());
    serverSide.receive(client.takeOutput());
    expect(alerts(serverSide.takeEvents())).toEqual(['out record_overflow']);
    expect(serverSide.isClosed).toBe(true);
  });
});
