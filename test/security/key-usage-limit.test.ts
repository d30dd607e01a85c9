// RFC 8446 §5.5: no write key protects more records than its AEAD may safely protect. The writer cuts our
// application data where the key's budget ends and sends a KeyUpdate there (key-usage.ts). Was open: the
// engine never updated its own write keys, and kept sealing under one AES-GCM key past 2^24.5 records.
import * as tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { CipherSuite, ContentType } from '../../src/wire/enums.js';
import { Connection } from '../../src/handshake/connection.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { RECORDS_PER_WRITE_KEY, dataRecordsLeft, recordsPerWriteKey } from '../../src/handshake/key-usage.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { seededRandom } from '../../src/crypto/random.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { connect } from '../../src/node/adapter.js';
import { ca, certPem, eventsOf, keyPem, listen, readBytes, serverCertificates } from '../node/fixtures.js';

function connectedPair(seed: string, keyUpdateAfterRecords: number | undefined, cipherSuites?: number[]) {
  const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom(`${seed}-cert`));
  return new InMemoryPair(
    { trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom(`${seed}-c`), traceRecords: true, keyUpdateAfterRecords, cipherSuites },
    { certificate: server, random: seededRandom(`${seed}-s`), tickets: { count: 0 }, cipherSuites, traceRecords: true, keyUpdateAfterRecords },
  ).run();
}

/**
 * The protected records a side sent under each write key once connected: a KeyUpdate message ends a key (its
 * own record is the key's last), so each run counts the records up to and including it.
 */
function recordsPerKey(events: TlsEvent[]): number[] {
  const runs: number[] = [];
  let connected = false;
  let run = 0;
  let updateQueued = false;
  for (const e of events) {
    if (e.type === 'connected') connected = true;
    if (!connected) continue;
    if (e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'key_update') updateQueued = true;
    if (e.type === 'record' && e.direction === 'out' && e.protected) {
      run++;
      if (updateQueued && e.contentType === ContentType.handshake) {
        runs.push(run);
        run = 0;
        updateQueued = false;
      }
    }
  }
  if (run > 0) runs.push(run);
  return runs;
}

const received = (pair: InMemoryPair, side: 'client' | 'server'): Uint8Array =>
  Buffer.concat(pair.events(side).flatMap((e) => (e.type === 'data' ? [e.data] : [])));

describe('a write key protects at most its budget of records (RFC 8446 §5.5)', () => {
  it('one large write is cut into keys of 4 records each, a KeyUpdate closing each, and arrives whole', () => {
    const pair = connectedPair('usage-large', 4);
    const data = new Uint8Array(10 * 16384 + 5).map((_, i) => i * 7);
    pair.client.write(data);
    pair.run();
    expect(Buffer.from(received(pair, 'server')).equals(Buffer.from(data))).toBe(true);
    const runs = recordsPerKey(pair.events('client'));
    expect(runs.every((n) => n <= 4)).toBe(true);
    expect(runs.length).toBeGreaterThanOrEqual(4); // 11 data records, 3 per key: 4 keys at least
    const updates = pair.events('server').filter((e) => e.type === 'handshake-message' && e.direction === 'in' && e.message.kind === 'key_update');
    expect(updates.length).toBe(runs.length - 1);
    for (const u of updates) expect(u.type === 'handshake-message' && u.message.kind === 'key_update' && u.message.requestUpdate).toBe(0);
  });

  it('many small writes: the KeyUpdate comes between them, and the data is in order', () => {
    const pair = connectedPair('usage-small', 3);
    const words = Array.from({ length: 12 }, (_, i) => `word ${i};`);
    for (const w of words) pair.server.write(new TextEncoder().encode(w));
    pair.run();
    expect(new TextDecoder().decode(received(pair, 'client'))).toBe(words.join(''));
    // No tickets: the server's first application key sealed nothing before the data.
    const runs = recordsPerKey(pair.events('server'));
    expect(runs.every((n) => n <= 3)).toBe(true);
    expect(runs.length).toBe(6); // 12 records of data, 2 per key
  });

  it('records the key sealed before the data (tickets) count against its budget', () => {
    const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('usage-tickets-cert'));
    const pair = new InMemoryPair(
      { trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom('usage-tickets-c') },
      { certificate: server, random: seededRandom('usage-tickets-s'), tickets: { count: 2 }, keyUpdateAfterRecords: 2, traceRecords: true },
    ).run();
    pair.server.write(new TextEncoder().encode('after two tickets'));
    pair.run();
    // The two NewSessionTickets (one record) leave the key room for the KeyUpdate only: the data goes under the next key.
    expect(recordsPerKey(pair.events('server'))).toEqual([2, 1]);
    expect(new TextDecoder().decode(received(pair, 'client'))).toBe('after two tickets');
  });

  it('the budget is the AEAD limit by default and never above it', () => {
    expect(recordsPerWriteKey('AES-128-GCM', undefined)).toBe(2 ** 24);
    expect(recordsPerWriteKey('AES-256-GCM', 2 ** 40)).toBe(2 ** 24);
    expect(recordsPerWriteKey('AES-128-CCM', undefined)).toBe(2 ** 22);
    expect(recordsPerWriteKey('AES-128-CCM-8', 5)).toBe(5);
    expect(recordsPerWriteKey('ChaCha20-Poly1305', undefined)).toBe(Number.MAX_SAFE_INTEGER);
    // §5.5's figure for AES-GCM is 2^24.5 full-size records: ours stays below it.
    expect(RECORDS_PER_WRITE_KEY['AES-128-GCM']).toBeLessThan(2 ** 24.5);
    expect(dataRecordsLeft(2 ** 24, 2 ** 24 - 1)).toBe(0);
    expect(dataRecordsLeft(2 ** 24, 2 ** 24 + 3)).toBe(0);
    expect(dataRecordsLeft(4, 0)).toBe(3);
  });

  it('under each suite the cut is the same (CCM and ChaCha20 too)', () => {
    for (const suite of [CipherSuite.TLS_AES_256_GCM_SHA384, CipherSuite.TLS_CHACHA20_POLY1305_SHA256, CipherSuite.TLS_AES_128_CCM_8_SHA256]) {
      const pair = connectedPair(`usage-suite-${suite}`, 2, [suite]);
      for (let i = 0; i < 5; i++) pair.client.write(Uint8Array.of(i));
      pair.run();
      expect([...received(pair, 'server')]).toEqual([0, 1, 2, 3, 4]);
      expect(recordsPerKey(pair.events('client'))).toEqual([2, 2, 2, 2, 1]); // a record of data and a KeyUpdate per key
    }
  });

  it('a budget below 2 records, or not a whole number, is a TypeError naming the field', () => {
    const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('usage-config'));
    for (const bad of [1, 0, -3, 2.5, Number.NaN, 2 ** 53]) {
      expect(() => Connection.client({ trust: { kind: 'pinned-certificate', certificates: [server.der] }, keyUpdateAfterRecords: bad })).toThrow(/keyUpdateAfterRecords/);
      expect(() => Connection.server({ certificate: server, keyUpdateAfterRecords: bad })).toThrow(TypeError);
    }
  });
});

describe('KeyUpdates at the usage limit with a real peer', () => {
  const servers: tls.Server[] = [];
  afterEach(() => servers.splice(0).forEach((s) => s.close()));

  it('node:tls (OpenSSL) follows our KeyUpdates and echoes every byte', async () => {
    const identity = serverCertificates.Ed25519;
    const server = tls.createServer({ minVersion: 'TLSv1.3', cert: certPem(identity), key: keyPem(identity) }, (socket) => {
      socket.on('error', () => {});
      socket.pipe(socket);
    });
    servers.push(server);
    const port = await listen(server);
    const client = connect({ host: '127.0.0.1', port, serverName: 'localhost', trust: { kind: 'ca', anchors: [ca.der] }, keyUpdateAfterRecords: 2 });
    const events = eventsOf(client);
    const chunks = Array.from({ length: 40 }, (_, i) => Buffer.alloc(3000 + i * 500, i));
    for (const chunk of chunks) client.write(chunk);
    client.end();
    expect((await readBytes(client)).equals(Buffer.concat(chunks))).toBe(true);
    // One record of data per key at most: a KeyUpdate after each of the 40 writes but the last.
    const updates = events.filter((e) => e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'key_update');
    expect(updates.length).toBeGreaterThanOrEqual(39);
  });
});
