// docs/replay.md lists the order in which each role draws its randomness. This feeds exactly that order to
// fixedRandom, each value named, and checks that every value lands where the document says, that nothing
// more is drawn, and that the run reproduces byte for byte.
import { describe, expect, it } from 'vitest';
import type { RandomSource } from '../../src/crypto/provider.js';
import { fixedRandom, seededRandom } from '../../src/crypto/random.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { equalBytes } from '../../src/wire/bytes.js';
import { ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import type { HandshakeMessage } from '../../src/wire/types.js';

const identity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('random-order'));
const fill = (length: number, byte: number) => new Uint8Array(length).fill(byte);

/** A fixedRandom that also says how many chunks were asked for. */
function counted(chunks: Uint8Array[]): { random: RandomSource; used: () => number } {
  const source = fixedRandom(...chunks);
  let used = 0;
  return { random: (n) => (used++, source(n)), used: () => used };
}

// The documented order, value by value (docs/replay.md).
const client = { random: fill(32, 0xc1), sessionId: fill(32, 0xc2), x25519Key: fill(32, 0xc3) };
const server = { random: fill(32, 0x51), x25519Key: fill(32, 0x52), ageAdd: Uint8Array.of(0, 0, 1, 2), ticketKey: fill(32, 0x54), sealNonce: fill(12, 0x55) };

function run() {
  const c = counted([client.random, client.sessionId, client.x25519Key]);
  const s = counted([server.random, server.x25519Key, server.ageAdd, server.ticketKey, server.sealNonce]);
  const pair = new InMemoryPair(
    { trust: { kind: 'pinned-certificate', certificates: [identity.der] }, now: () => TEST_NOW, random: c.random, groups: [NamedGroup.x25519] },
    { certificate: identity, random: s.random, tickets: { count: 1 } },
  ).run();
  return { pair, clientDraws: c.used(), serverDraws: s.used() };
}

const sent = (events: TlsEvent[]): HandshakeMessage[] => events.flatMap((e) => (e.type === 'handshake-message' && e.direction === 'out' ? [e.message] : []));

describe('the documented order of randomness (docs/replay.md)', () => {
  it('client: random, legacy_session_id, one private key per key share; server: random, key share, then per ticket age_add, ticket key, seal nonce', () => {
    const { pair, clientDraws, serverDraws } = run();
    expect(pair.client.isConnected).toBe(true);
    expect(clientDraws).toBe(3);
    expect(serverDraws).toBe(5);

    const [hello] = sent(pair.events('client'));
    if (hello?.kind !== 'client_hello') throw new Error('no ClientHello');
    expect(hello.random).toEqual(client.random);
    expect(hello.legacySessionId).toEqual(client.sessionId);
    const x25519 = nobleProvider.keyExchange('x25519');
    const [share] = X.keyShareClientHello.parse(X.findExtension(hello.extensions, ExtensionType.key_share)!.data);
    // The key share is the public key of exactly the private key we fed.
    expect(share!.keyExchange).toEqual(x25519.generate(() => client.x25519Key).share);

    const [serverHello, , , , , ticket] = sent(pair.events('server'));
    if (serverHello?.kind !== 'server_hello' || ticket?.kind !== 'new_session_ticket') throw new Error('unexpected server messages');
    expect(serverHello.random).toEqual(server.random);
    const answer = X.keyShareServerHello.parse(X.findExtension(serverHello.extensions, ExtensionType.key_share)!.data);
    expect(answer.keyExchange).toEqual(x25519.generate(() => server.x25519Key).share);
    expect(ticket.ageAdd).toBe(0x0102);
    expect(equalBytes(ticket.ticket.subarray(0, 12), server.sealNonce)).toBe(true);
  });

  it('reproduces a run byte for byte', () => {
    const wire = (p: InMemoryPair) => p.events('server').flatMap((e) => (e.type === 'handshake-message' && e.direction === 'out' ? [Array.from(e.raw)] : []));
    expect(wire(run().pair)).toEqual(wire(run().pair));
  });
});
