// Attacker: whoever edits a `--sess-out` file before `--sess-in` reads it (the owner's own mistakes included:
// the file is trusted input, readable and writable by its owner only). Every field is changed to what JSON
// can hold in its place: another type, an empty or huge value, a key of Object.prototype, a chain of another
// type than it claims. Each must end as one line naming the file (a UsageError) before anything is sent, or
// as a ticket the engine takes without throwing; it is then offered only if it still fits (the chain is
// judged again, the length bounded: ticket-too-long-to-offer.test.ts). Found defended.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import { UsageError } from '../../src/cli/io.js';
import { readSessionFile, writeSessionFile } from '../../src/cli/session-file.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';

const serverIdentity = makeIdentity({ subject: { CN: 'localhost' }, sans: { dns: ['localhost'] } }, seededRandom('session-file-tampering server'));
const clientConfig = (extra: Partial<ClientConfig> = {}): ClientConfig => ({
  trust: { kind: 'pinned-certificate', certificates: [serverIdentity.der] },
  serverName: 'localhost',
  now: () => TEST_NOW,
  random: seededRandom('session-file-tampering c'),
  ...extra,
});
const serverConfig: ServerConfig = { certificate: serverIdentity, now: () => TEST_NOW, random: seededRandom('session-file-tampering s'), tickets: { count: 1, key: new Uint8Array(32).fill(1) } };

const dir = mkdtempSync(join(tmpdir(), 'session-file-tampering-'));
const original = (() => {
  const event = new InMemoryPair(clientConfig(), serverConfig).run().events('client').find((e) => e.type === 'session-ticket');
  if (event?.type !== 'session-ticket') throw new Error('no ticket');
  writeSessionFile(join(dir, 'session.json'), event.ticket);
  return JSON.parse(readFileSync(join(dir, 'session.json'), 'utf8')) as Record<string, unknown>;
})();

const junk: unknown[] = [null, true, 0, -1, 1.5, 2 ** 53, '', 'x', '00', [], [''], [0], {}, { length: 1 }, 'A'.repeat(200_000)];
const edits: Array<[string, Record<string, unknown>]> = [
  ...Object.keys(original).flatMap((field) => junk.map((value): [string, Record<string, unknown>] => [`${field} = ${JSON.stringify(value).slice(0, 20)}`, { ...original, [field]: value }])),
  ...Object.keys(original).map((field): [string, Record<string, unknown>] => [`no ${field}`, Object.fromEntries(Object.entries(original).filter(([k]) => k !== field))]),
  ['serverRawPublicKey flipped', { ...original, serverRawPublicKey: !original.serverRawPublicKey }],
  ['the chain twice over', { ...original, serverChain: [...(original.serverChain as string[]), ...(original.serverChain as string[])] }],
  ['receivedAt in the future', { ...original, receivedAt: new Date(TEST_NOW + 1e12).toISOString() }],
  ['a ticket of 65,535 bytes', { ...original, ticket: Buffer.alloc(0xffff, 1).toString('base64') }],
  ['a key of Object.prototype', JSON.parse(JSON.stringify(original).replace(/^\{/, '{"__proto__":{"psk":"00"},'))],
];

describe('a session file edited field by field', () => {
  it(`each of ${edits.length} edits is one line naming the file, or a ticket the engine takes`, () => {
    const outcomes = { refused: 0, taken: 0 };
    for (const [what, json] of edits) {
      const file = join(dir, 'edited.json');
      writeFileSync(file, JSON.stringify(json), { mode: 0o600 });
      let ticket;
      try {
        ticket = readSessionFile(file, 'localhost', nobleProvider, TEST_NOW);
      } catch (e) {
        expect(e, what).toBeInstanceOf(UsageError);
        expect((e as Error).message, what).toMatch(/^--sess-in [^\n]+ /);
        expect((e as Error).message.includes('\n'), what).toBe(false);
        outcomes.refused++;
        continue;
      }
      const pair = new InMemoryPair(clientConfig({ resumption: { ticket } }), serverConfig);
      expect(() => pair.run(), what).not.toThrow();
      expect(pair.client.isConnected, what).toBe(true);
      outcomes.taken++;
    }
    expect(outcomes.refused).toBeGreaterThan(100);
    expect(outcomes.taken).toBeGreaterThan(0);
  });
});
