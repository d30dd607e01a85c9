// Early data the server does not accept (RFC 8446 §4.2.10; tlsfuzzer's test-tls13-0rtt-garbage): "the
// server then skips past early data by attempting to deprotect received records using the handshake
// traffic key, discarding records which fail deprotection (up to the configured max_early_data_size)". A
// server must get through such a handshake "even if (or rather, especially if) it doesn't support 0-RTT".
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { MAX_SKIPPED_EARLY_DATA } from '../../src/handshake/server/psk.js';
import { joinRecords, splitRecords } from '../../src/testing/tamper.js';
import { concat } from '../../src/wire/bytes.js';
import { clientConfig, expectAbort, ext, helloWith, record, serverConfig } from '../handshake/abort-harness.js';
import { accepted, feed, PeerWriter } from './harness.js';

const CCS = 20;
const HANDSHAKE = 22;
const APPLICATION_DATA = 23;
const MAX_EARLY_DATA = 1024;

/** A ClientHello with early_data and a PSK no server can read (random identity and binder), as tlsfuzzer sends. */
function fakeResumptionHello(): Uint8Array {
  const identity = seededRandom('fake identity')(320);
  const identities = [identity.length >> 8, identity.length & 0xff, ...identity, 0x12, 0x34, 0x56, 0x78];
  const binders = [32, ...seededRandom('fake binder')(32)];
  const psk = ext(41, [identities.length >> 8, identities.length & 0xff, ...identities, 0, binders.length, ...binders]);
  return helloWith((h) => {
    h.extensions.push(ext(42, []), ext(45, [1, 1]), psk);
  });
}

const garbage = (length: number, seed = 'garbage') => record(APPLICATION_DATA, seededRandom(seed)(length));

describe('a server without 0-RTT meets a 0-RTT ClientHello with a PSK it cannot read', () => {
  it.each([
    ['one record of 100 bytes', [100]],
    ['two records of 3000 bytes', [3000, 3000]],
    ['two records with a CCS between them', [1000, -1, 1000]],
    [`records of ${MAX_SKIPPED_EARLY_DATA} bytes in all`, [8192, MAX_SKIPPED_EARLY_DATA - 8192]],
  ])('skips %s and answers with a full handshake', (_, sizes) => {
    const records = sizes.map((n, i) => (n < 0 ? record(CCS, Uint8Array.of(1)) : garbage(n, `g${i}`)));
    const result = feed(Connection.server(serverConfig()), record(HANDSHAKE, fakeResumptionHello()), ...records);
    expect(accepted(result)).toBe(true);
    expect(result.output[5]).toBe(2);
  });

  it(`stops at bad_record_mac once the garbage could hold more than the ${MAX_SKIPPED_EARLY_DATA} bytes it skips (bounded work)`, () => {
    const victim = Connection.server(serverConfig());
    const result = feed(victim, record(HANDSHAKE, fakeResumptionHello()), garbage(MAX_SKIPPED_EARLY_DATA), garbage(MAX_SKIPPED_EARLY_DATA));
    const alerts = result.events.filter((e) => e.type === 'alert' && e.direction === 'out');
    expect(alerts).toEqual([expect.objectContaining({ level: 'fatal', description: 'bad_record_mac' })]);
    expect(victim.isClosed).toBe(true);
  });

  it('charges even a record too short to carry a byte: 65 of them exhaust a budget of 64 (no endless skipping)', () => {
    const victim = Connection.server(serverConfig({ tickets: { count: 0, maxEarlyDataSize: 64 } }));
    const tiny = Array.from({ length: 65 }, (_, i) => garbage(17, `t${i}`));
    const result = feed(victim, record(HANDSHAKE, fakeResumptionHello()), ...tiny.slice(0, 64));
    expect(accepted(result)).toBe(true);
    const refused = feed(victim, tiny[64]!);
    expect(refused.events.filter((e) => e.type === 'alert' && e.direction === 'out')).toEqual([expect.objectContaining({ description: 'bad_record_mac' })]);
    expect(victim.isClosed).toBe(true);
  });

  it('an unreadable record after the client Finished would have come is bad_record_mac, not skipped', () => {
    const pair = new InMemoryPair(clientConfig(), serverConfig());
    pair.step('client');
    pair.step('server');
    expectAbort(feed(pair.server, garbage(64)), 'bad_record_mac', { protectedFor: pair.client });
  });
});

describe('a server that issued the ticket but refuses its early data', () => {
  const ticketKey = seededRandom('conformance tickets')(32);
  const tickets = (extra: Partial<NonNullable<ServerConfig['tickets']>> = {}) => ({ count: 1, key: ticketKey, maxEarlyDataSize: MAX_EARLY_DATA, ...extra });

  function ticket(): SessionTicket {
    const first = new InMemoryPair(clientConfig(), serverConfig({ tickets: tickets() })).run();
    const event = first.events('client').find((e) => e.type === 'session-ticket');
    if (event?.type !== 'session-ticket') throw new Error('no ticket');
    return event.ticket;
  }

  // max_early_data_size counts "only Application Data payload (i.e., plaintext but not padding or the inner
  // content type byte)": a client that sends all it may send has sent more than that in ciphertext.
  it.each([
    ['the whole max_early_data_size in one write', MAX_EARLY_DATA],
    ['one byte', 1],
  ])('skips %s of early data it refused, and the handshake completes', (_, size) => {
    // No single-use register: the server cannot rule out a replay, so it refuses the early data.
    const pair = new InMemoryPair(
      clientConfig({ resumption: { ticket: ticket(), earlyData: new Uint8Array(size).fill(0x61) } }),
      serverConfig({ tickets: tickets({ antiReplay: undefined }) }),
    ).run();
    expect(pair.events('server').filter((e) => e.type === 'alert')).toEqual([]);
    expect(pair.server.info.earlyData).toBe('rejected');
    expect(pair.client.isConnected && pair.server.isConnected).toBe(true);
  });

  it('skips the whole max_early_data_size when it came in 64 records of 16 bytes', () => {
    const holder: { pair?: InMemoryPair } = {};
    let first = true;
    const pair = new InMemoryPair(
      clientConfig({ resumption: { ticket: ticket(), earlyData: new Uint8Array(MAX_EARLY_DATA).fill(0x61) } }),
      serverConfig({ tickets: tickets({ antiReplay: undefined }) }),
      {
        // The same early data as the client wrote it, cut in 64 records under its early traffic key.
        tamper: ({ from, bytes }) => {
          if (from !== 'client' || !first) return bytes;
          first = false;
          const writer = PeerWriter.of(holder.pair!, 'client', 'client_early_traffic_secret', 'TLS_AES_128_GCM_SHA256');
          const kept = splitRecords(bytes).filter((r) => r.type !== APPLICATION_DATA);
          const early = Array.from({ length: MAX_EARLY_DATA / 16 }, () => writer.seal(APPLICATION_DATA, new Uint8Array(16).fill(0x61)));
          return concat(joinRecords(kept), ...early);
        },
      },
    );
    holder.pair = pair;
    pair.run();
    expect(first).toBe(false);
    expect(pair.events('server').filter((e) => e.type === 'alert')).toEqual([]);
    expect(pair.server.info.earlyData).toBe('rejected');
    expect(pair.client.isConnected && pair.server.isConnected).toBe(true);
  });
});
