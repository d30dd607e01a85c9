// Attacker: a server (any server the client trusts; it needs no one else's key) that floods the client with
// NewSessionTickets after the handshake. RFC 8446 §4.6.1 lets a server send several and sets no number. Each
// ticket became a `session-ticket` event carrying a PSK derivation and its own copy of the server's identity,
// chain included (the application may write over what it is given, test/security/handed-out-memory), for the
// 18 bytes a NewSessionTicket needs at least: a server whose Certificate message is near our 64 KiB limit made
// the client copy 64 KiB per 18 bytes received, and the node adapter queues a whole socket read's events (a 64
// KiB read: 3,600 tickets, over 200 MB) before it delivers the first. Past MAX_SESSION_TICKETS a connection's
// tickets are read and ignored: the work is bounded per connection, not per byte the server sends.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { MAX_SESSION_TICKETS } from '../../src/handshake/client/post-handshake.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { announcedSecret, editProtectedHandshake, suiteNamed } from '../../src/testing/tamper.js';

const random = seededRandom('resource-ticket-flood');
/**
 * Certificates nobody needs, sent after the leaf (legal, RFC 8446 §4.4.2): a chain of about 25 KB in the 16 entries
 * an identity keeps (MAX_CHAIN_ENTRIES_KEPT), so that every ticket's copy of it is that large.
 */
const extra = Array.from({ length: 15 }, (_, i) => makeIdentity({ subject: { CN: `extra ${i}` }, sans: { dns: Array.from({ length: 60 }, (_, j) => `name-${j}.extra-${i}.example`) } }, random).der);
const server = makeIdentity({ subject: { CN: 'server' }, chainExtra: extra }, random);
const chainBytes = server.chain.reduce((n, der) => n + der.length, 0);
const TICKETS_SENT = 2_000;

/** The client's events after the server's ticket flight was replaced by `count` copies of its first ticket. */
function flooded(count: number): { pair: InMemoryPair; tickets: Array<Extract<TlsEvent, { type: 'session-ticket' }>> } {
  let flights = 0;
  const holder: { pair?: InMemoryPair } = {};
  const pair = new InMemoryPair(
    { trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom('c') },
    { certificate: server, now: () => TEST_NOW, random: seededRandom('s'), tickets: { count: 1 } },
    {
      tamper: ({ from, bytes }) => {
        if (from !== 'server' || flights++ !== 1) return bytes;
        // The tickets are the first records under the server's application keys (sequence numbers from 0).
        const p = holder.pair!;
        const keys = { suite: suiteNamed(p.server.info.cipherSuite), secret: announcedSecret(p.events('server'), 'server_application_traffic_secret_0') };
        return editProtectedHandshake(bytes, keys, (messages) => Array.from({ length: count }, () => messages[0]!));
      },
    },
  );
  holder.pair = pair;
  pair.run();
  const tickets = pair.events('client').filter((e): e is Extract<TlsEvent, { type: 'session-ticket' }> => e.type === 'session-ticket');
  return { pair, tickets };
}

/** Bytes of the server's chain the client handed out in ticket events: what it copied for them. */
const chainBytesCopied = (tickets: Array<Extract<TlsEvent, { type: 'session-ticket' }>>) =>
  tickets.reduce((n, e) => n + (e.ticket.peer && 'chain' in e.ticket.peer ? (e.ticket.peer.chain ?? []).reduce((m, der) => m + der.length, 0) : 0), 0);

describe('a server flooding the client with NewSessionTickets', () => {
  it('the control: a few tickets are each a session-ticket event with the server\'s chain', () => {
    const { tickets } = flooded(3);
    expect(tickets).toHaveLength(3);
    expect(chainBytesCopied(tickets)).toBe(3 * chainBytes);
  });

  it(`${TICKETS_SENT} tickets: ${MAX_SESSION_TICKETS} events, the rest read and ignored; the connection goes on`, () => {
    const { pair, tickets } = flooded(TICKETS_SENT);
    expect(chainBytes).toBeGreaterThan(20_000);
    expect(tickets).toHaveLength(MAX_SESSION_TICKETS);
    // Bounded per connection: 32 copies of the chain (about 0.8 MB here), not 2,000 (50 MB).
    expect(chainBytesCopied(tickets)).toBe(MAX_SESSION_TICKETS * chainBytes);
    expect(pair.events('client').filter((e) => e.type === 'alert')).toEqual([]);
    expect(pair.events('client').filter((e) => e.type === 'decision' && e.value === 'tickets ignored')).toHaveLength(1);
    // (The flood came in more records than the server sealed, so the server's next record is out of sequence: no data after it.)
    expect(pair.client.isConnected).toBe(true);
  });
});
