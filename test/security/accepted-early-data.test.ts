// Attacker: a client that holds a 0-RTT ticket (its own: it needs no one else's key) and abuses the early
// data the server accepted. RFC 8446 §4.2.10: "If the server ... receives more than max_early_data_size ...
// it MUST terminate the connection with an "unexpected_message" alert"; under the early keys only
// application data and EndOfEarlyData may come (§4.5, App. A.2 WAIT_EOED); and after EndOfEarlyData the
// handshake keys carry handshake messages only, no application data before the client Finished (§2).
// The rejected-0-RTT side (records skipped up to a budget) is test/conformance/early-data.test.ts.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { SessionTicket, TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { announcedSecret, editProtectedRecords, joinRecords, splitRecords, suiteNamed } from '../../src/testing/tamper.js';
import type { RecordContent } from '../../src/record/protection.js';
import { concat, utf8 } from '../../src/wire/bytes.js';
import type { SecretName } from '../../src/handshake/keyschedule.js';

const MAX_EARLY_DATA = 1024;
const serverIdentity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('accepted-early-data server'));
const ticketKey = seededRandom('accepted-early-data ticket key')(32);
const serverConfig = (): ServerConfig => ({
  certificate: serverIdentity,
  now: () => TEST_NOW,
  random: seededRandom('s'),
  tickets: { count: 1, key: ticketKey, maxEarlyDataSize: MAX_EARLY_DATA, antiReplay: new SingleUseTickets() },
});
const clientConfig = (extra: Partial<ClientConfig> = {}): ClientConfig => ({
  trust: { kind: 'pinned-certificate', certificates: [serverIdentity.der] },
  now: () => TEST_NOW,
  random: seededRandom('c'),
  ...extra,
});
const ticket: SessionTicket = (() => {
  const event = new InMemoryPair(clientConfig(), serverConfig()).run().events('client').find((e) => e.type === 'session-ticket');
  if (event?.type !== 'session-ticket') throw new Error('no ticket');
  return event.ticket;
})();

/** A 0-RTT resumption whose `n`-th client flight (0: ClientHello and early data) goes through `edit`. */
function resumeWith0Rtt(n: number, edit: (bytes: Uint8Array, pair: InMemoryPair) => Uint8Array) {
  let flights = 0;
  const holder: { pair?: InMemoryPair } = {};
  const pair = new InMemoryPair(clientConfig({ resumption: { ticket, earlyData: utf8.encode('pay 10') } }), serverConfig(), {
    tamper: (flight) => (flight.from === 'client' && flights++ === n ? edit(flight.bytes, holder.pair!) : flight.bytes),
  });
  holder.pair = pair;
  pair.run();
  const sent = pair.events('server').filter((e): e is Extract<TlsEvent, { type: 'alert' }> => e.type === 'alert' && e.direction === 'out');
  const data = pair.events('server').flatMap((e) => (e.type === 'data' ? [e.data.length] : []));
  return { pair, sent, data };
}

const keys = (pair: InMemoryPair, name: SecretName) => ({ suite: suiteNamed(pair.client.info.cipherSuite ?? 'TLS_AES_128_GCM_SHA256'), secret: announcedSecret(pair.events('client'), name) });

/** The client's early records, rewritten under the early keys (record count kept, so later sequence numbers hold). */
const earlyRecords = (edit: (records: RecordContent[]) => RecordContent[]) => (bytes: Uint8Array, pair: InMemoryPair) =>
  editProtectedRecords(bytes, keys(pair, 'client_early_traffic_secret'), edit);

describe('0-RTT data the server accepted (RFC 8446 §4.2.10)', () => {
  it('the honest 0-RTT resumption is accepted and its data delivered (so each fault below is the only one)', () => {
    const { pair, sent, data } = resumeWith0Rtt(0, (b) => b);
    expect(sent).toEqual([]);
    expect(pair.server.info.earlyData).toBe('accepted');
    expect(data[0]).toBe(6);
  });

  it(`exactly max_early_data_size (${MAX_EARLY_DATA} bytes) is accepted`, () => {
    const { pair, sent, data } = resumeWith0Rtt(0, earlyRecords((records) => records.map((r) => ({ ...r, content: new Uint8Array(MAX_EARLY_DATA) }))));
    expect(sent).toEqual([]);
    expect(pair.server.isConnected).toBe(true);
    expect(data[0]).toBe(MAX_EARLY_DATA);
  });

  it('one byte more is unexpected_message, and that byte is never delivered', () => {
    const { pair, sent, data } = resumeWith0Rtt(0, earlyRecords((records) => records.map((r) => ({ ...r, content: new Uint8Array(MAX_EARLY_DATA + 1) }))));
    expect(sent).toMatchObject([{ description: 'unexpected_message', reason: 'TooMuchEarlyData' }]);
    expect(data).toEqual([]);
    expect(pair.server.isClosed).toBe(true);
  });

  it('the budget counts data, not records: many records that add up to one byte more are unexpected_message', () => {
    const { sent, data } = resumeWith0Rtt(0, earlyRecords((records) => [...records.map((r) => ({ ...r, content: new Uint8Array(MAX_EARLY_DATA - 1) })), { contentType: 23, content: Uint8Array.of(1, 2) }]));
    expect(sent).toMatchObject([{ description: 'unexpected_message', reason: 'TooMuchEarlyData' }]);
    expect(data).toEqual([MAX_EARLY_DATA - 1]);
  });

  it.each([
    ['a Finished', Uint8Array.of(20, 0, 0, 32, ...new Uint8Array(32))],
    ['a KeyUpdate', Uint8Array.of(24, 0, 0, 1, 0)],
  ])('%s under the early keys is unexpected_message (only EndOfEarlyData ends them, §4.5)', (_, message) => {
    const { sent } = resumeWith0Rtt(0, earlyRecords((records) => [...records, { contentType: 22, content: message }]));
    expect(sent).toMatchObject([{ description: 'unexpected_message' }]);
  });

  it('application data under the handshake keys, after EndOfEarlyData and before the Finished, is unexpected_message', () => {
    const { pair, sent, data } = resumeWith0Rtt(1, (bytes, pair) => {
      // The second flight: EndOfEarlyData under the early keys, then (after a CCS, if any) the Finished under the handshake keys.
      const records = splitRecords(bytes);
      const endOfEarlyData = records.findIndex((r) => r.type === 23);
      const before = joinRecords(records.slice(0, endOfEarlyData + 1));
      const handshakeKeys = keys(pair, 'client_handshake_traffic_secret');
      const after = editProtectedRecords(joinRecords(records.slice(endOfEarlyData + 1)), handshakeKeys, (rs) => [{ contentType: 23, content: utf8.encode('pay 1000') }, ...rs]);
      return concat(before, after);
    });
    expect(sent).toMatchObject([{ description: 'unexpected_message' }]);
    expect(data).toEqual([6]);
    expect(pair.server.info.peer).toBeUndefined();
  });
});
