// Attacker's test for the module-level buffers the performance work shares between connections (the HkdfLabel
// array lent to the provider, the node provider's HMAC buffer, hex()'s character codes): two connections of
// different hashes (SHA-256 and SHA-384: different label, HMAC block and hex lengths) advanced one record at a
// time in turn, with exporters and key updates between the records, must produce exactly the bytes, secrets
// and key-log lines each produces alone from the same seeds. A label, key or text left in a shared buffer by
// one and read by the other would change them.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { keylogLine } from '../../src/trace/keylog.js';
import { hex, utf8 } from '../../src/wire/bytes.js';
import { CipherSuite } from '../../src/wire/enums.js';

const identity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('interleaved'));

/**
 * One connection's script, a step per record: the handshake, an exporter, a key update both ways and data from
 * each side, another exporter. `seen` gets every record, secret (with its key-log line), data and exporter.
 */
function* script(provider: CryptoProvider, suite: number, seed: string, seen: string[]): Generator<void> {
  const pair = new InMemoryPair(
    { trust: { kind: 'pinned-certificate', certificates: [identity.der] }, now: () => TEST_NOW, random: seededRandom(`${seed} c`), provider, cipherSuites: [suite] },
    { certificate: identity, now: () => TEST_NOW, random: seededRandom(`${seed} s`), provider, cipherSuites: [suite] },
  );
  const stepOne = () => {
    const record = pair.stepRecord('client') ?? pair.stepRecord('server');
    if (record) seen.push(`${record.from} record ${hex(record.bytes)}`);
    for (const { side, event } of pair.log.splice(0)) {
      if (event.type === 'secret') seen.push(`${side} ${event.name} ${hex(event.secret)} ${keylogLine(event) ?? ''}`);
      if (event.type === 'data') seen.push(`${side} data ${hex(event.data)}`);
      if (event.type === 'alert') seen.push(`${side} alert ${event.description}`);
    }
    return record !== undefined;
  };
  const exported = () => seen.push(`exporter ${hex(pair.client.exportKeyingMaterial(`EXPORTER-${seed}`, utf8.encode(seed), 40))}`);
  while (stepOne()) yield;
  exported();
  pair.client.updateKeys(true);
  pair.client.write(utf8.encode(`${seed} after the update`));
  pair.server.write(utf8.encode(`${seed} from the server`));
  yield;
  while (stepOne()) yield;
  exported();
}

/** Advances the scripts one step each in turn until all are done; what each saw. */
function interleave(...runs: Array<(seen: string[]) => Generator<void>>): string[][] {
  const seen = runs.map((): string[] => []);
  const scripts = runs.map((run, n) => run(seen[n]!));
  let running = scripts.length;
  while (running > 0) running = scripts.filter((s) => !s.next().done).length;
  return seen;
}

describe.each([
  ['noble', nobleProvider],
  ['node:crypto', nodeCryptoProvider],
] as const)('two connections interleaved record by record (%s)', (_, provider) => {
  it('each sends, derives and logs exactly what it does alone', () => {
    const a = (seen: string[]) => script(provider, CipherSuite.TLS_AES_128_GCM_SHA256, 'A', seen);
    const b = (seen: string[]) => script(provider, CipherSuite.TLS_AES_256_GCM_SHA384, 'B', seen);
    const alone = [...interleave(a), ...interleave(b)];
    const together = interleave(a, b);
    // Both handshakes and both updates happened: secrets, data on both sides, two exporters each.
    for (const seen of alone) {
      expect(seen.filter((line) => line.includes(' data ')).length).toBe(2);
      expect(seen.filter((line) => line.startsWith('exporter ')).length).toBe(2);
      expect(seen.some((line) => line.includes(' alert '))).toBe(false);
    }
    expect(together[0]).toEqual(alone[0]);
    expect(together[1]).toEqual(alone[1]);
  });
});
