// The stepping API of the in-memory pair: records in flight that can be inspected, dropped, reordered,
// duplicated and edited; steps of one record, one message, one flight; what each side knows at each point.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair, describeInFlight } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { utf8 } from '../../src/wire/bytes.js';
import { CipherSuite, NamedGroup } from '../../src/wire/enums.js';

const server = makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['example.test'] } }, seededRandom('stepping-server'));

function newPair(extra: { cipherSuites?: number[]; serverGroups?: number[] } = {}) {
  return new InMemoryPair(
    {
      serverName: 'example.test',
      trust: { kind: 'pinned-certificate', certificates: [server.der] },
      now: () => TEST_NOW,
      random: seededRandom('stepping-c'),
      ...(extra.cipherSuites ? { cipherSuites: extra.cipherSuites } : {}),
    },
    { certificate: server, now: () => TEST_NOW, random: seededRandom('stepping-s'), ...(extra.serverGroups ? { groups: extra.serverGroups } : {}) },
  );
}

type MessageEvent = Extract<TlsEvent, { type: 'handshake-message' }>;
const rawMessages = (pair: InMemoryPair, side: 'client' | 'server') =>
  pair.events(side).filter((e): e is MessageEvent => e.type === 'handshake-message' && !['new_session_ticket', 'key_update'].includes(e.message.kind));

describe('stepping through an in-memory handshake', () => {
  it('queues each side\'s output as whole records it can look at before delivery', () => {
    const pair = newPair();
    const queued = pair.pull('client');
    expect(queued).toHaveLength(1);
    expect(queued[0]!.bytes[0]).toBe(22);
    expect(describeInFlight(queued[0]!)).toMatch(/^#1 client→server handshake \d+ bytes$/);
    expect(pair.server.state).toBe('START');
    pair.stepRecord('client');
    expect(pair.server.state).not.toBe('START');
    // The server flight: ServerHello, the compatibility ChangeCipherSpec, then the protected rest.
    expect(pair.pull('server').map((r) => r.bytes[0])).toEqual([22, 20, 23]);
  });

  it('advances one message at a time on the receiving side', () => {
    const pair = newPair();
    expect(pair.stepMessage('client').map((m) => m.message.kind)).toEqual(['client_hello']);
    expect(pair.stepMessage('server').map((m) => m.message.kind)).toEqual(['server_hello']);
    // The protected server messages share one record, so they arrive together.
    expect(pair.stepMessage('server').map((m) => m.message.kind)).toEqual(['encrypted_extensions', 'certificate', 'certificate_verify', 'finished']);
    expect(pair.client.state).toBe('CONNECTED');
    expect(pair.stepFlight('client')).toBeGreaterThan(0);
    expect(pair.server.state).toBe('CONNECTED');
  });

  it('shows the transcript hash each side has so far, equal to SHA-256 over the messages (node:crypto)', () => {
    const pair = newPair();
    pair.stepFlight('client');
    const before = pair.inspect('server');
    // The server chose the suite while answering: its own ServerHello is already in its transcript.
    const expected = createHash('sha256');
    for (const m of rawMessages(pair, 'server')) expected.update(m.raw);
    expect(before.transcript.slice(0, 2)).toEqual(['client_hello', 'server_hello']);
    expect(Buffer.from(before.transcriptHash!).toString('hex')).toBe(expected.digest('hex'));
    pair.run();
    const client = pair.inspect('client');
    const all = createHash('sha256');
    for (const m of rawMessages(pair, 'client')) all.update(m.raw);
    expect(Buffer.from(client.transcriptHash!).toString('hex')).toBe(all.digest('hex'));
    expect(client.transcript).toEqual(['client_hello', 'server_hello', 'encrypted_extensions', 'certificate', 'certificate_verify', 'finished', 'finished']);
  });

  it('hashes with SHA-384 under TLS_AES_256_GCM_SHA384 and replaces ClientHello1 by message_hash after a HelloRetryRequest', () => {
    const pair = newPair({ cipherSuites: [CipherSuite.TLS_AES_256_GCM_SHA384], serverGroups: [NamedGroup.secp256r1] }).run();
    const messages = rawMessages(pair, 'client');
    expect(messages.map((m) => m.message.kind).slice(0, 3)).toEqual(['client_hello', 'hello_retry_request', 'client_hello']);
    // RFC 8446 §4.4.1: message_hash = 254, 00 00 Hash.length, Hash(ClientHello1).
    const ch1 = createHash('sha384').update(messages[0]!.raw).digest();
    const expected = createHash('sha384').update(Buffer.concat([Buffer.from([254, 0, 0, 48]), ch1]));
    for (const m of messages.slice(1)) expected.update(m.raw);
    const snapshot = pair.inspect('server');
    expect(snapshot.transcript[0]).toBe('message_hash');
    expect(Buffer.from(snapshot.transcriptHash!).toString('hex')).toBe(expected.digest('hex'));
  });

  it('lists the secrets known at each point, with the AEAD key and IV of each traffic secret', () => {
    const pair = newPair();
    expect(pair.inspect('client').secrets).toEqual([]);
    pair.stepFlight('client');
    pair.stepMessage('server');
    const names = pair.inspect('client').secrets.map((s) => s.name);
    expect(names).toEqual(['client_handshake_traffic_secret', 'server_handshake_traffic_secret']);
    const secret = pair.inspect('client').secrets[0]!;
    expect(secret.key).toHaveLength(16);
    expect(secret.iv).toHaveLength(12);
  });

  it('lets the caller drop a record: the handshake stalls without the client Finished', () => {
    const pair = newPair();
    pair.stepFlight('client');
    pair.stepFlight('server');
    const flight = pair.pull('client');
    flight.splice(flight.length - 1, 1);
    pair.run();
    expect(pair.client.state).toBe('CONNECTED');
    expect(pair.server.state).toBe('WAIT_FINISHED');
  });

  it('lets the caller duplicate a record: a replayed Finished record fails to open (bad_record_mac)', () => {
    const pair = newPair();
    pair.stepFlight('client');
    pair.stepFlight('server');
    const flight = pair.pull('client');
    flight.push({ ...flight.at(-1)! });
    pair.run();
    const alert = pair.events('server').find((e) => e.type === 'alert' && e.direction === 'out');
    expect(alert).toMatchObject({ description: 'bad_record_mac' });
  });

  it('lets the caller reorder records: swapped protected records fail to open, their sequence numbers being implicit', () => {
    const pair = newPair().run();
    pair.server.write(utf8.encode('one'));
    pair.server.write(utf8.encode('two'));
    const queue = pair.pull('server');
    expect(queue.map((r) => r.seq)).toEqual([queue[0]!.seq, queue[0]!.seq + 1]);
    queue.reverse();
    pair.stepFlight('server');
    expect(pair.events('client').some((e) => e.type === 'data')).toBe(false);
    expect(pair.events('client').find((e) => e.type === 'alert')).toMatchObject({ description: 'bad_record_mac', direction: 'out' });
  });

  it('lets the caller edit a record: a flipped bit in the ServerHello record is caught', () => {
    const pair = newPair();
    pair.stepFlight('client');
    const [hello] = pair.pull('server');
    // The ServerHello legacy_version (record header 5, handshake header 4): 0x0303 becomes 0x0302.
    hello!.bytes = Uint8Array.from(hello!.bytes);
    hello!.bytes[10] = 0x02;
    pair.run();
    expect(pair.client.isClosed).toBe(true);
    expect(pair.events('client').find((e) => e.type === 'alert' && e.direction === 'out')).toBeDefined();
  });

  it('keeps what crossed the wire, in delivery order, for the pcap', () => {
    const pair = newPair().run();
    expect(pair.wire.map((s) => s.from)).toEqual(['client', 'server', 'client']);
    expect(pair.wire[0]!.bytes[0]).toBe(22);
  });
});
