// Attacker's script against the server's session tickets (RFC 8446 §4.6.1: opaque ticket<1..2^16-1>). A ticket
// carries the client's certificate chain as it was presented, so that resumption can judge it again. A client
// the server trusts adds to its Certificate message a certificate nobody needs (path building ignores it, as
// it may: RFC 8446 §4.4.2 sets no count) and fills the message to our 64 KiB limit: its ticket then no longer
// fit the NewSessionTicket's 2-byte length, and the server answered the client's Finished with internal_error
// ("vector of 65561 bytes does not fit a 2-byte length") instead of connecting. A ticket that cannot be sent
// is not sent; the connection goes on.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { DEFAULT_MAX_HANDSHAKE_MESSAGE_LENGTH } from '../../src/record/handshake-buffer.js';
import { MAX_OFFERED_TICKET_LENGTH } from '../../src/handshake/tickets.js';
import { makeIdentity, TEST_NOW, type Identity } from '../../src/testing/certs.js';

const serverIdentity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('oversized-ticket server'));
const alice = makeIdentity({ subject: { CN: 'alice' } }, seededRandom('oversized-ticket alice'));

/** Body of a Certificate message (RFC 8446 §4.4.2): context<0..255>, certificate_list<0..2^24-1> of entries without extensions. */
const certificateMessageLength = (chain: Uint8Array[]) => 1 + 3 + chain.reduce((sum, der) => sum + 3 + der.length + 2, 0);

/** A valid certificate of `names` DNS names, unrelated to any path: only its size matters. */
const filler = (names: number) => makeIdentity({ subject: { CN: 'filler' }, sans: { dns: Array.from({ length: names }, (_, i) => `n${String(i).padStart(6, '0')}.example`) } }, seededRandom('oversized-ticket filler')).der;

/** The most filler names whose chain `[alice, filler]` keeps a Certificate message of at most `length` bytes. */
function fillerNamesWithin(length: number): number {
  let [low, high] = [1, 6000];
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (certificateMessageLength([alice.der, filler(mid)]) <= length) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** Alice's chain with the largest filler that keeps her Certificate message within our limit. */
const chainAtTheLimit = () => [alice.der, filler(fillerNamesWithin(DEFAULT_MAX_HANDSHAKE_MESSAGE_LENGTH))];

function handshake(client: Identity) {
  const clientConfig: ClientConfig = { trust: { kind: 'pinned-certificate', certificates: [serverIdentity.der] }, now: () => TEST_NOW, random: seededRandom('oversized-ticket c'), certificate: client };
  const serverConfig: ServerConfig = {
    certificate: serverIdentity,
    now: () => TEST_NOW,
    random: seededRandom('oversized-ticket s'),
    clientAuth: 'require',
    trust: { kind: 'pinned-certificate', certificates: [alice.der] },
    tickets: { count: 2 },
  };
  const pair = new InMemoryPair(clientConfig, serverConfig).run();
  return {
    pair,
    alerts: [...pair.events('client'), ...pair.events('server')].filter((e) => e.type === 'alert'),
    tickets: pair.events('client').flatMap((e) => (e.type === 'session-ticket' ? [e.ticket.ticket.length] : [])),
    decisions: pair.events('server').flatMap((e) => (e.type === 'decision' && e.topic === 'resumption' ? [e.value] : [])),
  };
}

describe('a trusted client whose chain fills its Certificate message to our limit', () => {
  const chain = chainAtTheLimit();

  it('connects without a ticket its chain cannot fit in (RFC 8446 §4.6.1: ticket<1..2^16-1>)', () => {
    expect(certificateMessageLength(chain)).toBeGreaterThan(DEFAULT_MAX_HANDSHAKE_MESSAGE_LENGTH - 40);
    const { pair, alerts, tickets, decisions } = handshake({ ...alice, chain });
    expect(alerts).toEqual([]);
    expect(pair.client.isConnected && pair.server.isConnected).toBe(true);
    expect(pair.server.info.peer?.subject).toBe('CN=alice');
    expect(tickets).toEqual([]);
    expect(decisions).toEqual(['no ticket', 'no ticket']);
  });

  it('gets its tickets when the chain leaves room for them (the control case)', () => {
    const { tickets, alerts } = handshake({ ...alice, chain: [alice.der, filler(3000)] });
    expect(alerts).toEqual([]);
    expect(tickets).toHaveLength(2);
    expect(Math.max(...tickets)).toBeLessThanOrEqual(2 ** 16 - 1);
  });

  it('sends only tickets a client can offer back (RFC 8446 §4.2.11), whatever the length of the chain', () => {
    // A ticket is about its Certificate message plus 70 bytes: these chains (17 bytes apart) make tickets of
    // 65,448, 65,465 and 65,482 bytes, the last over the bound and under the 2^16 - 1 of NewSessionTicket.
    const most = fillerNamesWithin(DEFAULT_MAX_HANDSHAKE_MESSAGE_LENGTH - 150);
    const lengths = [most, most + 1, most + 2].map((names) => handshake({ ...alice, chain: [alice.der, filler(names)] }).tickets);
    expect(lengths.flat().every((length) => length <= MAX_OFFERED_TICKET_LENGTH)).toBe(true);
    expect(lengths.some((tickets) => tickets.length === 0)).toBe(true);
    expect(lengths.some((tickets) => tickets.length === 2)).toBe(true);
  });
});
