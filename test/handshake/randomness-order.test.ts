// The order and sizes in which each role draws from `random` (docs/randomness.md): what a replay must feed
// fixedRandom, in order. A change to this order breaks every recorded replay, so it is pinned here.
import { describe, expect, it } from 'vitest';
import type { RandomSource } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { NamedGroup } from '../../src/wire/enums.js';

const server = makeIdentity({ subject: { CN: 'server' }, keyType: 'p256' }, seededRandom('randomness-server'));
const alice = makeIdentity({ subject: { CN: 'alice' }, extKeyUsage: ['clientAuth'] }, seededRandom('randomness-alice'));

/** A RandomSource that records the size of each draw. */
function recording(seed: string): { random: RandomSource; draws: number[] } {
  const inner = seededRandom(seed);
  const draws: number[] = [];
  return { random: (n) => (draws.push(n), inner(n)), draws };
}

function run(client: Partial<ClientConfig>, serverExtra: Partial<ServerConfig>) {
  const c = recording('client');
  const s = recording('server');
  const pair = new InMemoryPair(
    { now: () => TEST_NOW, random: c.random, trust: { kind: 'pinned-certificate', certificates: [server.der] }, ...client },
    { now: () => TEST_NOW, random: s.random, certificate: server, ...serverExtra },
  ).run();
  expect(pair.client.isConnected && pair.server.isConnected).toBe(true);
  return { client: c.draws, server: s.draws, pair };
}

describe('the order of random draws (docs/randomness.md)', () => {
  it('1-RTT: client random, legacy_session_id, x25519 key; server random, x25519 key, then per ticket age_add, ticket key once, seal nonce', () => {
    const { client, server } = run({}, { tickets: { count: 2 } });
    expect(client).toEqual([32, 32, 32]);
    // ECDSA (RFC 6979) draws nothing; the ticket key (32) is drawn when the first ticket is sealed.
    expect(server).toEqual([32, 32, 4, 32, 12, 4, 12]);
  });

  it('GREASE: six bytes after legacy_session_id; a HelloRetryRequest: the new group key (P-256: 48 bytes)', () => {
    expect(run({ clientHello: { grease: true } }, { tickets: { count: 0 } }).client).toEqual([32, 32, 6, 32]);
    const retried = run({}, { groups: [NamedGroup.secp256r1], tickets: { count: 1, key: new Uint8Array(32) } });
    expect(retried.client).toEqual([32, 32, 32, 48]);
    expect(retried.server).toEqual([32, 48, 4, 12]);
  });

  it('client authentication with Ed25519 draws nothing; a post-handshake CertificateRequest draws a 16-byte context', () => {
    const trust = { kind: 'pinned-certificate' as const, certificates: [alice.der] };
    const { client, server, pair } = run({ certificate: alice, postHandshakeAuth: true }, { clientAuth: 'require', trust, tickets: { count: 0 } });
    expect(client).toEqual([32, 32, 32]);
    expect(server).toEqual([32, 32]);
    pair.server.requestClientCertificate();
    pair.run();
    expect(server).toEqual([32, 32, 16]);
  });
});
