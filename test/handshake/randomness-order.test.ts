// The order and sizes in which each role draws from `random` (docs/randomness.md): what a replay must feed
// fixedRandom, in order. A change to this order breaks every recorded replay, so it is pinned here.
import { describe, expect, it } from 'vitest';
import type { RandomSource } from '../../src/crypto/provider.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { fixedRandom, seededRandom } from '../../src/crypto/random.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { equalBytes } from '../../src/wire/bytes.js';
import { ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import type { HandshakeMessage } from '../../src/wire/types.js';

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
    // Classical groups, so that the first key share is x25519 alone (the default adds X25519MLKEM768 first: 64 + 32).
    { now: () => TEST_NOW, random: c.random, trust: { kind: 'pinned-certificate', certificates: [server.der] }, groups: [NamedGroup.x25519, NamedGroup.secp256r1], ...client },
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
    const retried = run({}, { groups: [NamedGroup.secp256r1], tickets: { count: 1, key: new Uint8Array(32).fill(1) } });
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

const valueIdentity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('random-order'));
/** `length` bytes of `byte`, so that each value is recognisable where it lands. */
const fill = (length: number, byte: number) => new Uint8Array(length).fill(byte);

/** A fixedRandom that also says how many chunks were asked for. */
function counted(chunks: Uint8Array[]): { random: RandomSource; used: () => number } {
  const source = fixedRandom(...chunks);
  let used = 0;
  return { random: (n) => (used++, source(n)), used: () => used };
}

// The documented order, value by value: what a replay feeds fixedRandom.
const clientValues = { random: fill(32, 0xc1), sessionId: fill(32, 0xc2), x25519Key: fill(32, 0xc3) };
const serverValues = { random: fill(32, 0x51), x25519Key: fill(32, 0x52), ageAdd: Uint8Array.of(0, 0, 1, 2), ticketKey: fill(32, 0x54), sealNonce: fill(12, 0x55) };

function runFixed() {
  const c = counted([clientValues.random, clientValues.sessionId, clientValues.x25519Key]);
  const s = counted([serverValues.random, serverValues.x25519Key, serverValues.ageAdd, serverValues.ticketKey, serverValues.sealNonce]);
  const pair = new InMemoryPair(
    { trust: { kind: 'pinned-certificate', certificates: [valueIdentity.der] }, now: () => TEST_NOW, random: c.random, groups: [NamedGroup.x25519] },
    { certificate: valueIdentity, random: s.random, tickets: { count: 1 } },
  ).run();
  return { pair, clientDraws: c.used(), serverDraws: s.used() };
}

const sent = (events: TlsEvent[]): HandshakeMessage[] => events.flatMap((e) => (e.type === 'handshake-message' && e.direction === 'out' ? [e.message] : []));

describe('each value lands where docs/randomness.md says, fed by name to fixedRandom', () => {
  it('client: random, legacy_session_id, one private key per key share; server: random, key share, then per ticket age_add, ticket key, seal nonce', () => {
    const { pair, clientDraws, serverDraws } = runFixed();
    expect(pair.client.isConnected).toBe(true);
    expect(clientDraws).toBe(3);
    expect(serverDraws).toBe(5);

    const [hello] = sent(pair.events('client'));
    if (hello?.kind !== 'client_hello') throw new Error('no ClientHello');
    expect(hello.random).toEqual(clientValues.random);
    expect(hello.legacySessionId).toEqual(clientValues.sessionId);
    const x25519 = nobleProvider.keyExchange('x25519');
    const [share] = X.keyShareClientHello.parse(X.findExtension(hello.extensions, ExtensionType.key_share)!.data);
    // The key share is the public key of exactly the private key we fed.
    expect(share!.keyExchange).toEqual(x25519.generate(() => clientValues.x25519Key).share);

    const [serverHello, , , , , ticket] = sent(pair.events('server'));
    if (serverHello?.kind !== 'server_hello' || ticket?.kind !== 'new_session_ticket') throw new Error('unexpected server messages');
    expect(serverHello.random).toEqual(serverValues.random);
    const answer = X.keyShareServerHello.parse(X.findExtension(serverHello.extensions, ExtensionType.key_share)!.data);
    expect(answer.keyExchange).toEqual(x25519.generate(() => serverValues.x25519Key).share);
    expect(ticket.ageAdd).toBe(0x0102);
    expect(equalBytes(ticket.ticket.subarray(0, 12), serverValues.sealNonce)).toBe(true);
  });

  it('reproduces a run byte for byte', () => {
    const wire = (p: InMemoryPair) => p.events('server').flatMap((e) => (e.type === 'handshake-message' && e.direction === 'out' ? [Array.from(e.raw)] : []));
    expect(wire(runFixed().pair)).toEqual(wire(runFixed().pair));
  });
});
