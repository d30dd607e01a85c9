// Attacker: a peer that forges a Finished, a PSK binder or a record tag byte by byte, timing how long each guess
// takes to be refused: with an early exit on the first wrong byte, the time would tell it how many leading bytes
// are right (docs/security.md, session 17). Each of these checks goes through constantTimeEqual (whose own test,
// test/wire/constant-time-equal, shows it reads every byte): a spy on it sees the received verify_data of both
// Finished messages, the binder of the ClientHello and every CCM record tag of an external-PSK handshake. Tests
// never assert timings.
import { describe, expect, it, vi } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { TEST_NOW } from '../../src/testing/certs.js';
import * as bytes from '../../src/wire/bytes.js';
import { CipherSuite } from '../../src/wire/enums.js';

vi.mock('../../src/wire/bytes.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/wire/bytes.js')>();
  return { ...original, constantTimeEqual: vi.fn(original.constantTimeEqual) };
});

const now = () => TEST_NOW;
const psk = { identity: 'alice', key: seededRandom('constant-time call sites psk')(32) };
const ccm = [CipherSuite.TLS_AES_128_CCM_SHA256];
/** The noble provider in both projects: ccm.ts is its CCM (the node provider's tag check is OpenSSL's). */
const provider = nobleProvider;

/** Whether constantTimeEqual was given `value` (by content: callers may pass a copy or a view). */
const comparedWith = (value: Uint8Array) =>
  vi.mocked(bytes.constantTimeEqual).mock.calls.some(([a, b]) => bytes.hex(a) === bytes.hex(value) || bytes.hex(b) === bytes.hex(value));

/** Records of outer type application_data (RFC 8446 §5.2) in the bytes that crossed the wire. */
function protectedRecords(segments: Uint8Array[]): number {
  let count = 0;
  for (const segment of segments) {
    for (let at = 0; at + 5 <= segment.length; at += 5 + ((segment[at + 3]! << 8) | segment[at + 4]!)) if (segment[at] === 23) count++;
  }
  return count;
}

describe('secret-derived bytes received from the peer are compared in constant time', () => {
  vi.mocked(bytes.constantTimeEqual).mockClear();
  const pair = new InMemoryPair(
    { now, random: seededRandom('ct c'), externalPsks: { keys: [psk] }, cipherSuites: ccm, provider },
    { now, random: seededRandom('ct s'), externalPsks: { keys: [psk] }, cipherSuites: ccm, provider },
  ).run();
  const received = (side: 'client' | 'server', kind: string) =>
    pair.events(side).flatMap((e) => (e.type === 'handshake-message' && e.direction === 'in' && e.message.kind === kind ? [e] : []));

  it('the handshake completed with the external PSK, under AES-128-CCM', () => {
    expect(pair.client.isConnected && pair.server.isConnected).toBe(true);
    expect(pair.server.info.peer).toMatchObject({ kind: 'psk', identity: 'alice' });
  });

  it("each side's check of the peer's Finished (RFC 8446 §4.4.4)", () => {
    for (const side of ['client', 'server'] as const) {
      const [finished] = received(side, 'finished');
      if (finished?.message.kind !== 'finished') expect.fail(`the ${side} received no Finished`);
      expect(comparedWith(finished.message.verifyData)).toBe(true);
    }
  });

  it("the server's check of the PSK binder (RFC 8446 §4.2.11.2): the last 32 bytes of the ClientHello", () => {
    const [hello] = received('server', 'client_hello');
    if (!hello) expect.fail('the server received no ClientHello');
    expect(comparedWith(hello.raw.subarray(hello.raw.length - 32))).toBe(true);
  });

  it('the CCM tag of every protected record (RFC 3610 §2.5: the tag decides before any plaintext is released)', () => {
    // The tags CCM compares are each record's last 16 bytes XOR S_0, which the test cannot see: it counts them.
    const tagChecks = vi.mocked(bytes.constantTimeEqual).mock.calls.filter(([a]) => a.length === 16).length;
    const records = protectedRecords(pair.wire.map((segment) => segment.bytes));
    expect(records).toBeGreaterThanOrEqual(2);
    expect(tagChecks).toBe(records);
  });
});
