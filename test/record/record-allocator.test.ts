// Records sealed into the caller's memory (Connection.sealRecordsWith, RecordAllocator): the memory comes
// dirty and goes back to its owner for reuse, so every byte of a record must be written, and nothing the
// engine hands out to be kept (a trace's raw record) may be that memory.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { RecordProtection } from '../../src/record/protection.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { ContentType } from '../../src/wire/enums.js';

/** Hands out views of one array filled with 0xa5 each time: what a pool's reused memory may look like. */
function dirtyMemory(size = 2 ** 15) {
  const memory = new Uint8Array(size);
  const lent: Uint8Array[] = [];
  const allocate = (length: number) => {
    memory.fill(0xa5);
    const record = memory.subarray(0, length);
    lent.push(record);
    return record;
  };
  return { memory, allocate, lent };
}

describe.each([
  ['noble', nobleProvider],
  ['node:crypto', nodeCryptoProvider],
] as const)('RecordProtection.seal into allocated memory (%s)', (_, provider) => {
  const key = randomBytes(16);
  const iv = randomBytes(12);

  it('writes every byte: a record in dirty memory, padded, equals the same record in a new array', () => {
    const content = randomBytes(3000);
    const { allocate } = dirtyMemory();
    const inDirty = new RecordProtection(provider, 'AES-128-GCM', key, iv).seal(ContentType.application_data, content, 200, allocate);
    const inNew = new RecordProtection(provider, 'AES-128-GCM', key, iv).seal(ContentType.application_data, content, 200);
    expect(Buffer.from(inDirty).equals(Buffer.from(inNew))).toBe(true);
  });

  it('refuses an allocation of the wrong size before using a nonce', () => {
    const sender = new RecordProtection(provider, 'AES-128-GCM', key, iv);
    expect(() => sender.seal(ContentType.application_data, randomBytes(10), 0, (length) => new Uint8Array(length - 1))).toThrow(/allocator returned/);
    expect(sender.sequenceNumber).toBe(0);
  });
});

describe('Connection.sealRecordsWith', () => {
  const identity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('record-allocator'));
  const connected = () =>
    new InMemoryPair(
      { trust: { kind: 'pinned-certificate', certificates: [identity.der] }, now: () => TEST_NOW, random: seededRandom('c'), traceRecords: true },
      { certificate: identity, random: seededRandom('s') },
    ).run();

  it('hands out the allocated records themselves, one per array, and the peer reads them', () => {
    const p = connected();
    const lent: Uint8Array[] = [];
    p.client.sealRecordsWith((length) => lent[lent.push(new Uint8Array(length).fill(0xa5)) - 1]!);
    p.client.write(new Uint8Array(20000).fill(1));
    const records = p.client.takeOutputRecords();
    expect(records).toHaveLength(2);
    expect(records.every((r, i) => r === lent[i])).toBe(true);
    p.server.receive(records[0]!);
    p.server.receive(records[1]!);
    const data = p.server.takeEvents().flatMap((e) => (e.type === 'data' ? [...e.data] : []));
    expect(data).toEqual(new Array(20000).fill(1));
  });

  it("gives the trace a copy: the owner reusing the memory does not rewrite the record the trace kept", () => {
    const p = connected();
    const { memory, allocate } = dirtyMemory();
    p.client.takeEvents();
    p.client.sealRecordsWith(allocate);
    p.client.write(new Uint8Array(100).fill(2));
    const [sent] = p.client.takeOutputRecords();
    const asSent = sent!.slice();
    memory.fill(0x5a); // the owner reuses its memory for something else
    const traced = p.client.takeEvents().filter((e): e is Extract<TlsEvent, { type: 'record' }> => e.type === 'record' && e.direction === 'out');
    expect(traced).toHaveLength(1);
    expect(Buffer.from(traced[0]!.raw).equals(Buffer.from(asSent))).toBe(true);
  });

  it('goes back to new arrays with undefined', () => {
    const p = connected();
    const { lent, allocate } = dirtyMemory();
    p.client.sealRecordsWith(allocate);
    p.client.sealRecordsWith(undefined);
    p.client.write(new Uint8Array(10));
    expect(p.client.takeOutputRecords()).toHaveLength(1);
    expect(lent).toHaveLength(0);
  });
});
