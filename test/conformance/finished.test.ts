// The client Finished as tlsfuzzer's test-tls13-finished forges it, probe by probe, sealed by hand under the
// client's real handshake key: verify_data is Hash.length bytes (§4.4.4), so any other length is
// decode_error (§6.2: "the length of the message was incorrect"), however long the header says the message
// is; the right length with a wrong value is decrypt_error (§4.4.4).
import { describe, expect, it } from 'vitest';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { concat } from '../../src/wire/bytes.js';
import { clientConfig, expectAbort, handshakeMessage, serverConfig } from '../handshake/abort-harness.js';
import { feed, PeerWriter } from './harness.js';

const HANDSHAKE = 22;
const FINISHED = 20;
const SUITES = [
  ['TLS_AES_128_GCM_SHA256', 0x1301, 32],
  ['TLS_AES_256_GCM_SHA384', 0x1302, 48],
] as const;

/** The server waiting for the client Finished, and the honest verify_data and a writer under the client's handshake key. */
function awaitingFinished(suite: number) {
  const pair = new InMemoryPair(clientConfig({ cipherSuites: [suite] }), serverConfig());
  pair.step('client');
  pair.step('server');
  pair.pull('client');
  const finished = pair.events('client').find((e) => e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'finished');
  if (finished?.type !== 'handshake-message') throw new Error('the client sent no Finished');
  return { pair, verifyData: finished.raw.subarray(4), writer: PeerWriter.of(pair, 'client', 'client_handshake_traffic_secret') };
}

/** The Finished handshake message with `body` (its header announcing `announced` bytes), sealed into records of at most 2^14 bytes. */
function sealed(writer: PeerWriter, body: Uint8Array, announced = body.length): Uint8Array[] {
  const message = concat(Uint8Array.of(FINISHED, announced >> 16, (announced >> 8) & 0xff, announced & 0xff), body);
  const records: Uint8Array[] = [];
  for (let at = 0; at < message.length; at += 2 ** 14) records.push(writer.seal(HANDSHAKE, message.subarray(at, at + 2 ** 14)));
  return records;
}

describe.each(SUITES)('test-tls13-finished, %s', (_, suite, hashLength) => {
  it('"empty" is decode_error', () => {
    const { pair, writer } = awaitingFinished(suite);
    expectAbort(feed(pair.server, writer.seal(HANDSHAKE, handshakeMessage(FINISHED, new Uint8Array(0)))), 'decode_error', { protectedFor: pair.client });
  });

  it.each([
    ...[-1, -2, -4, -8, -16, -32].map((end) => [`start 0, end ${end}`, 0, end] as const),
    ['start 0, end 12 (the TLS 1.2 size)', 0, 12] as const,
    ...[1, 2, 4, 8, 16, 32].map((start) => [`start ${start}, end None`, start, undefined] as const),
  ])('"truncation - %s" is decode_error', (__, start, end) => {
    const { pair, verifyData, writer } = awaitingFinished(suite);
    const body = verifyData.slice(start, end);
    expectAbort(feed(pair.server, ...sealed(writer, body)), 'decode_error', { protectedFor: pair.client });
  });

  it.each([
    [0, 1], [0, 2], [0, 16], [0, 48], [0, 2 ** 14 - 4 - hashLength], [1, 0], [12, 0], [2 ** 14 - 4 - hashLength, 0], [1, 1], [8, 8],
  ])('"padding - pad_left %i, pad_right %i" (zero bytes) is decode_error', (left, right) => {
    const { pair, verifyData, writer } = awaitingFinished(suite);
    const body = concat(new Uint8Array(left), verifyData, new Uint8Array(right));
    expectAbort(feed(pair.server, ...sealed(writer, body)), 'decode_error', { protectedFor: pair.client });
  });

  // A header announcing more than any Finished can hold: the server answers from the first record.
  it.each([0x20000, 0x30000, 2 ** 24 - 1 - hashLength])('"padding - pad_left 0, pad_right %i" (a header beyond our message cap) is decode_error', (right) => {
    const { pair, verifyData, writer } = awaitingFinished(suite);
    const [first] = sealed(writer, concat(verifyData, new Uint8Array(2 ** 14)), hashLength + right);
    expectAbort(feed(pair.server, first!), 'decode_error', { protectedFor: pair.client });
  });

  it.each([0, 7, 8 * hashLength - 1])('"single bit error - bit %i" is decrypt_error', (bit) => {
    const { pair, verifyData, writer } = awaitingFinished(suite);
    const body = verifyData.slice();
    body[body.length - 1 - Math.floor(bit / 8)]! ^= 1 << (bit % 8);
    expectAbort(feed(pair.server, ...sealed(writer, body)), 'decrypt_error', { protectedFor: pair.client });
  });
});

describe('test-tls13-record-layer-limits: a Finished filling one record', () => {
  it('"max size payload (2**14) of Finished msg" (left padding; one record) is decode_error, the record itself being legal', () => {
    const { pair, verifyData, writer } = awaitingFinished(0x1301);
    const body = concat(new Uint8Array(2 ** 14 - 32 - 4), verifyData);
    const message = concat(Uint8Array.of(FINISHED, 0, body.length >> 8, body.length & 0xff), body);
    expect(message.length).toBe(2 ** 14);
    expectAbort(feed(pair.server, writer.seal(HANDSHAKE, message)), 'decode_error', { protectedFor: pair.client });
  });

  it('"too big payload (2**14 + 1) of Finished msg" in one record is record_overflow (§5.4), before the message is read', () => {
    const { pair, verifyData, writer } = awaitingFinished(0x1301);
    const body = concat(new Uint8Array(2 ** 14 - 32 - 4 + 1), verifyData);
    const message = concat(Uint8Array.of(FINISHED, 0, body.length >> 8, body.length & 0xff), body);
    expectAbort(feed(pair.server, writer.seal(HANDSHAKE, message)), 'record_overflow', { protectedFor: pair.client });
  });
});
