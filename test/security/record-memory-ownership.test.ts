// Red team, session 18 (issue 16: preallocated and reused record buffers, fewer copies per record). Attacker's
// scripts against the memory a connection shares with its caller, record after record, at the Connection's own
// surface (RecordProtection's unit tests are in test/record/protection-suites; held-plaintext.test.ts covers data
// events against a reused read buffer). Each must hold on main and after any change of who owns which bytes:
// - receive() reads the caller's array and never writes it: opening a record in place would put the plaintext
//   into the caller's buffer (a proxy or a capture that tees the same bytes would then forward or log it), and
//   a forged record's would-be plaintext too, before its tag was found wrong;
// - write() never writes the caller's data, and what it sends is what the data was when write() was called;
// - an array takeOutput() or takeOutputRecords() handed out is the caller's: sealing the next records (this
//   connection's or another's) into a reused output buffer would rewrite ciphertext still queued on a socket;
// - two connections of different suites, interleaved record by record, each keep every data event and every
//   output they handed out, byte for byte (a scratch buffer shared between connections would mix them).
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SUITES } from '../../src/handshake/suites.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { flipBit } from '../../src/testing/tamper.js';
import { concat } from '../../src/wire/bytes.js';

const identity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('record memory ownership'));
const PROVIDERS = [
  ['noble', nobleProvider],
  ['node:crypto', nodeCryptoProvider],
] as const;
const SUITE_CODES = [...SUITES.values()].map((suite) => [suite.name, suite.code] as const);
/** Payload sizes: a full record, one more than a record (two records from one write), odd and tiny ones. */
const SIZES = [2 ** 14, 2 ** 14 + 1, 1000, 7, 1];

function connected(provider: CryptoProvider, suite: number, seed = 'ownership'): InMemoryPair {
  return new InMemoryPair(
    { trust: { kind: 'pinned-certificate', certificates: [identity.der] }, now: () => TEST_NOW, random: seededRandom(`${seed} c`), provider, cipherSuites: [suite] },
    { certificate: identity, now: () => TEST_NOW, random: seededRandom(`${seed} s`), provider, cipherSuites: [suite], tickets: { count: 0 } },
  ).run();
}

const dataOf = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'data' ? [e.data] : []));

/** Where two byte strings first differ (-1: equal), so that a failure names a place rather than printing megabytes. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : Math.min(a.length, b.length);
}

/** What `bytes` holds now, to compare with what it holds later. */
const snapshot = (bytes: Uint8Array) => ({ bytes, was: bytes.slice() });
const unchanged = ({ bytes, was }: { bytes: Uint8Array; was: Uint8Array }) => firstDifference(bytes, was);

describe.each(PROVIDERS)('bytes shared with the caller, record after record (%s)', (_, provider) => {
  describe.each(SUITE_CODES)('%s', (_, suite) => {
    it("receive() never writes the caller's array: in one call, cut anywhere, and a byte at a time", () => {
      const pair = connected(provider, suite);
      const sent = SIZES.map((n) => randomBytes(n));
      for (const payload of sent) pair.client.write(payload);
      pair.client.updateKeys(true);
      pair.client.write(randomBytes(300));
      const wire = pair.client.takeOutput();
      const asSent = snapshot(wire);
      // Three receivers of the same bytes: a caller that tees them (a capture, a proxy) gives one array to all.
      const receivers = [connected(provider, suite).server, connected(provider, suite).server, pair.server];
      // Same seeds: every pair's server holds the same keys, so each can open the client's records.
      receivers[0]!.receive(wire);
      expect(unchanged(asSent)).toBe(-1);
      for (let at = 0; at < wire.length; at += 4099) {
        const chunk = wire.subarray(at, at + 4099);
        const before = snapshot(chunk);
        receivers[1]!.receive(chunk);
        expect(unchanged(before)).toBe(-1);
      }
      const tail = wire.subarray(wire.length - 400);
      receivers[2]!.receive(wire.subarray(0, wire.length - 400));
      for (let i = 0; i < tail.length; i++) receivers[2]!.receive(tail.subarray(i, i + 1));
      expect(unchanged(asSent)).toBe(-1);
      const expected = concat(...sent);
      for (const receiver of receivers) expect(firstDifference(concat(...dataOf(receiver.takeEvents())).subarray(0, expected.length), expected)).toBe(-1);
    });

    it("a forged record leaves the caller's array as it came, delivers nothing, and what was delivered before stays", () => {
      const pair = connected(provider, suite);
      const first = randomBytes(2 ** 14);
      pair.client.write(first);
      pair.server.receive(pair.client.takeOutput());
      const [held] = dataOf(pair.server.takeEvents());
      pair.client.write(randomBytes(2 ** 14));
      const forged = flipBit(pair.client.takeOutput(), 5 + 100);
      const asSent = snapshot(forged);
      pair.server.receive(forged);
      const events = pair.server.takeEvents();
      expect(unchanged(asSent)).toBe(-1);
      expect(dataOf(events)).toEqual([]);
      expect(events.filter((e) => e.type === 'alert')).toEqual([expect.objectContaining({ direction: 'out', description: 'bad_record_mac' })]);
      expect(firstDifference(held!, first)).toBe(-1);
    });

    it("write() never writes the caller's data, and sends it as it was when write() was called", () => {
      const pair = connected(provider, suite);
      const sent = SIZES.map((n) => randomBytes(n));
      const given = sent.map((payload) => Uint8Array.from(payload));
      for (const payload of given) {
        pair.client.write(payload);
        expect(firstDifference(payload, sent[given.indexOf(payload)]!)).toBe(-1);
      }
      // The caller reuses its arrays before the records are taken: nothing of that may reach the wire.
      for (const payload of given) payload.fill(0x41);
      pair.server.receive(pair.client.takeOutput());
      expect(firstDifference(concat(...dataOf(pair.server.takeEvents())), concat(...sent))).toBe(-1);
    });

    it('an array takeOutput() or takeOutputRecords() handed out stays as it was while later records are sealed', () => {
      const pair = connected(provider, suite);
      const taken: Array<ReturnType<typeof snapshot>> = [];
      const keep = (bytes: Uint8Array) => taken.push(snapshot(bytes));
      const sent: Uint8Array[] = [];
      for (const [i, n] of [...SIZES, ...SIZES].entries()) {
        const payload = randomBytes(n);
        sent.push(payload);
        pair.client.write(payload);
        if (i === 3) pair.client.updateKeys(false);
        if (i % 2 === 0) keep(pair.client.takeOutput());
        else pair.client.takeOutputRecords().forEach(keep);
      }
      expect(taken.map(unchanged).filter((at) => at !== -1)).toEqual([]);
      for (const { bytes } of taken) pair.server.receive(bytes);
      expect(firstDifference(concat(...dataOf(pair.server.takeEvents())), concat(...sent))).toBe(-1);
    });
  });

  it('two connections of different suites, interleaved record by record, keep every data event and output they handed out', () => {
    const codes = SUITE_CODES.map(([, code]) => code);
    const pairs = codes.map((code, n) => connected(provider, code, `interleaved ${n}`));
    const held: Array<ReturnType<typeof snapshot>> = [];
    const keep = (bytes: Uint8Array) => held.push(snapshot(bytes));
    const sent = pairs.map((): Uint8Array[] => []);
    const received = pairs.map((): Uint8Array[] => []);
    // One read buffer for every connection's records, as a server's event loop may have.
    const readBuffer = new Uint8Array(2 ** 15);
    for (let round = 0; round < 6; round++) {
      for (const [n, pair] of pairs.entries()) {
        const payload = randomBytes(SIZES[(round + n) % SIZES.length]!);
        sent[n]!.push(payload);
        const [from, to] = round % 2 === 0 ? [pair.client, pair.server] : [pair.server, pair.client];
        from.write(payload);
        for (const record of from.takeOutputRecords()) {
          keep(record);
          readBuffer.set(record);
          to.receive(readBuffer.subarray(0, record.length));
        }
        for (const data of dataOf(to.takeEvents())) {
          keep(data);
          received[n]!.push(data);
        }
      }
    }
    expect(held.map(unchanged).filter((at) => at !== -1)).toEqual([]);
    received.forEach((got, n) => expect(firstDifference(concat(...got), concat(...sent[n]!))).toBe(-1));
  });
});
