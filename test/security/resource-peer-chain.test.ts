// Attacker: a peer the policy trusts whose Certificate carries 10,000 one-byte entries after its leaf (RFC 8446
// §4.4.2 sets no count; a 64 KiB message holds ~10,900). Path building skips them unparsed
// (resource-certificate-entries.test.ts), but the identity kept them all: `info.peer.chain` held 10,001 views of
// the message, each an object, for the connection's life (1.1-1.5 MB against 0.2 MB for a plain connection), and
// every read of `info` copied them. The identity now keeps the first MAX_CHAIN_ENTRIES_KEPT entries, as sent, and
// counts the others (`chainEntriesOmitted`); the `verify-peer` decision still gets them all.
import { describe, expect, it } from 'vitest';
import { MAX_CHAIN_ENTRIES_KEPT } from '../../src/auth/trust.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW, type Identity } from '../../src/testing/certs.js';
import { signingServer } from '../../src/testing/signing-server.js';
import { hex } from '../../src/wire/bytes.js';

const random = seededRandom('resource peer chain');
const root = makeIdentity({ subject: { CN: 'chain root' }, isCA: true, keyUsage: ['keyCertSign'] }, random);
const intermediate = makeIdentity({ subject: { CN: 'chain intermediate' }, issuer: root, isCA: true, keyUsage: ['keyCertSign'] }, random);
const server = makeIdentity({ subject: { CN: 'server' }, issuer: intermediate, sans: { dns: ['server.example'] }, extKeyUsage: ['serverAuth'] }, random);
const stranger = makeIdentity({ subject: { CN: 'unrelated' } }, random);
const TINY = 10_000;
const tiny = Array.from({ length: TINY }, () => Uint8Array.of(0x30));

const clientConfig = (extra: Partial<ClientConfig> = {}): ClientConfig => ({
  trust: { kind: 'ca', anchors: [root.der] }, serverName: 'server.example', now: () => TEST_NOW, random: seededRandom('c'), ...extra,
});
const serverConfig = (certificate: Identity, extra: Partial<ServerConfig> = {}): ServerConfig => ({
  certificate, now: () => TEST_NOW, random: seededRandom('s'), ...extra,
});
const hexes = (chain: readonly Uint8Array[] | undefined) => chain?.map(hex);

describe(`a trusted server whose Certificate carries ${TINY} one-byte entries after its chain`, () => {
  const sent = [server.der, intermediate.der, ...tiny];
  function run(client: Partial<ClientConfig> = {}) {
    const attacker = signingServer(() => pair, server.privateKey, (m) => ({ ...m, entries: [...m.entries, ...tiny.map((data) => ({ data, extensions: [] }))] }));
    const pair: InMemoryPair = new InMemoryPair(clientConfig(client), serverConfig({ ...server, chain: [server.der, intermediate.der] }, { tickets: { count: 0 } }), { tamper: attacker.tamper });
    return pair;
  }

  it(`info.peer keeps the first ${MAX_CHAIN_ENTRIES_KEPT} entries as sent and counts the others; each read of info copies no more`, () => {
    const pair = run().run();
    expect(pair.client.isConnected).toBe(true);
    const peer = pair.client.info.peer!;
    expect(peer.verdict).toMatchObject({ trusted: true, rule: 'ca' });
    // Lengths first: a failure's diff of 10,001 entries would exhaust the worker's memory.
    expect(peer.chain?.length).toBe(MAX_CHAIN_ENTRIES_KEPT);
    expect(hexes(peer.chain)).toEqual(hexes(sent.slice(0, MAX_CHAIN_ENTRIES_KEPT)));
    expect(peer.chainEntriesOmitted).toBe(sent.length - MAX_CHAIN_ENTRIES_KEPT);
    // A second read is a copy of its own (handed-out.ts), of the same 16 entries.
    expect(pair.client.info.peer!.chain).toHaveLength(MAX_CHAIN_ENTRIES_KEPT);
  });

  it("the caller asked to judge the server (policy 'ask') is given every entry; the identity it accepts keeps 16", () => {
    const pair = run({ trust: { kind: 'ask' } }).run();
    const decision = pair.client.pendingDecision;
    expect(decision?.kind === 'verify-peer' && decision.chain.length).toBe(sent.length);
    pair.client.resolve({ kind: 'verify-peer', verdict: { trusted: true, rule: 'caller', detail: 'the test trusts it' } });
    pair.run();
    expect(pair.client.isConnected).toBe(true);
    const peer = pair.client.info.peer!;
    expect(peer.chain?.length).toBe(MAX_CHAIN_ENTRIES_KEPT);
    expect(peer.chainEntriesOmitted).toBe(sent.length - MAX_CHAIN_ENTRIES_KEPT);
    expect(peer.verdict).toMatchObject({ trusted: true, rule: 'caller' });
  });
});

/** A connection to a server sending `chain`, and one resuming with its first ticket (one ticket key for both). */
function resumption(chain: Uint8Array[]) {
  const key = seededRandom('ticket key')(32);
  const first = new InMemoryPair(clientConfig(), serverConfig({ ...server, chain }, { tickets: { count: 1, key } })).run();
  const ticket = first.events('client').flatMap((e) => (e.type === 'session-ticket' ? [e.ticket] : []))[0] as SessionTicket;
  const second = new InMemoryPair(clientConfig({ resumption: { ticket } }), serverConfig({ ...server, chain }, { tickets: { count: 0, key } })).run();
  return { first, ticket, second };
}

describe('a chain of no more than 16 entries', () => {
  it('is kept whole, with no count of omitted entries, and resumes', () => {
    const chain = [server.der, ...Array.from({ length: MAX_CHAIN_ENTRIES_KEPT - 2 }, () => stranger.der), intermediate.der];
    const { first, ticket, second } = resumption(chain);
    expect(hexes(first.client.info.peer?.chain)).toEqual(hexes(chain));
    expect(first.client.info.peer).not.toHaveProperty('chainEntriesOmitted');
    expect(hexes(ticket.peer?.chain)).toEqual(hexes(chain));
    expect(second.client.info.resumed).toBe(true);
  });
});

describe('a server that sends its intermediate after 16 other certificates (legal: RFC 8446 §4.4.2 lets it add any)', () => {
  const chain = [server.der, ...Array.from({ length: MAX_CHAIN_ENTRIES_KEPT - 1 }, () => stranger.der), intermediate.der];

  it('is trusted (path building sees every entry); its tickets name it by the first 16, which no longer reach the anchor, so the next connection is a full handshake', () => {
    const { first, ticket, second } = resumption(chain);
    expect(first.client.info.peer).toMatchObject({ verdict: { trusted: true, rule: 'ca' }, chainEntriesOmitted: 1 });
    expect(ticket.peer?.chain).toHaveLength(MAX_CHAIN_ENTRIES_KEPT);
    expect(second.client.isConnected).toBe(true);
    expect(second.client.info.resumed).toBeFalsy();
    expect(second.client.info.peer).toMatchObject({ verdict: { trusted: true, rule: 'ca' } });
  });
});
