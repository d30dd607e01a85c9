// The node adapter fuzzers (scripts/fuzz/node-adapter-cases.ts), seeded and bounded: tampered peer bytes
// over duplexPairs, and broken connect() / createServer() options. Longer campaigns:
// `npm run build && node dist/scripts/fuzz/node-adapter.js --target peer|options --seconds 120`.
// Below them, the finding of the options fuzzer, pinned: a handshakeTimeout setTimeout cannot hold.
import { duplexPair } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { optionsCase, peerBytesCase, runCases } from '../../scripts/fuzz/node-adapter-cases.js';
import { connect, createServer } from '../../src/node/adapter.js';
import { fromHex } from '../../src/wire/bytes.js';

describe('node adapter fuzzing (seeded, bounded)', () => {
  it('tampered peer bytes: 40 connections settle without an exception, internal_error or a false identity', async () => {
    const outcomes = await runCases(peerBytesCase, 4242, 40);
    expect(outcomes.some((o) => o.endsWith('connected'))).toBe(true);
    expect(outcomes.some((o) => /error/.test(o))).toBe(true);
  }, 120_000);

  it('broken options: 150 are one-line TypeErrors or RangeErrors, or connect over a wire with latency', async () => {
    const outcomes = await runCases(optionsCase, 8446, 150);
    expect(outcomes.filter((o) => /: (TypeError|RangeError)$/.test(o)).length).toBeGreaterThan(20);
    expect(outcomes.filter((o) => o.endsWith('accepted, connected')).length).toBeGreaterThan(3);
  }, 120_000);

  it('replays the inputs the options fuzzer found (handshakeTimeout Infinity, 2^53, true: the handshake timed out after 1 ms)', async () => {
    for (const input of ['4e826c3690f804b90773d70f9b522fda', 'bad28a670bfad734add277fc2a1af6e9f2dd1fe2ee4df1', '7925cc6d7756f54efbb2540bd0f3d784923451']) {
      await optionsCase(fromHex(input));
    }
  }, 60_000);
});

describe('handshakeTimeout and allowHalfOpen are checked before anything is sent', () => {
  for (const value of [Infinity, 2 ** 31, 2 ** 53, 1.5, -1, NaN, '5000', true, null]) {
    it(`refuses handshakeTimeout ${String(value)} in connect() and createServer() with a one-line TypeError`, () => {
      const [a] = duplexPair();
      let wrote = false;
      a.on('data', () => (wrote = true));
      expect(() => connect({ socket: a, servername: 'localhost', handshakeTimeout: value as number })).toThrow(/^handshakeTimeout must be a whole number of milliseconds from 0 \(never\) to 2147483647: got .+$/);
      expect(() => createServer({ rawPublicKey: { privateKey: { kind: 'ed25519', seed: new Uint8Array(32) } }, handshakeTimeout: value as number })).toThrow(TypeError);
      expect(wrote).toBe(false);
    });
  }

  it('takes 0 (never) and 2^31 - 1, and refuses an allowHalfOpen that is not a boolean', () => {
    const key = { kind: 'ed25519' as const, seed: new Uint8Array(32) };
    expect(() => createServer({ rawPublicKey: { privateKey: key }, handshakeTimeout: 0 })).not.toThrow();
    expect(() => createServer({ rawPublicKey: { privateKey: key }, handshakeTimeout: 2 ** 31 - 1 })).not.toThrow();
    expect(() => createServer({ rawPublicKey: { privateKey: key }, allowHalfOpen: 'yes' as unknown as boolean })).toThrow('allowHalfOpen must be true or false: got "yes"');
  });
});
