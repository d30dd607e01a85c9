// Attacker's script against the server's session tickets (RFC 8446 §4.6.1: opaque ticket<1..2^16-1>). A ticket
// carries the client's certificates its trust verdict judged, so that resumption can judge them again (the
// leaf, under a pin; certificates nobody needs no longer ride along: ticket-client-path.test.ts). A client the
// server trusts whose own certificate fills its Certificate message to our 64 KiB limit (RFC 8446 §4.4.2 bounds
// neither its names nor its extensions) had a ticket that no longer fit the NewSessionTicket's 2-byte length,
// and the server answered the client's Finished with internal_error ("vector of 65561 bytes does not fit a
// 2-byte length") instead of connecting. A ticket that cannot be sent is not sent; the connection goes on.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { DEFAULT_MAX_HANDSHAKE_MESSAGE_LENGTH } from '../../src/record/handshake-buffer.js';
import { MAX_OFFERED_TICKET_LENGTH } from '../../src/handshake/tickets.js';
import { makeIdentity, TEST_NOW, type Identity } from '../../src/testing/certs.js';
import { hex } from '../../src/wire/bytes.js';

const serverIdentity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('oversized-ticket server'));

/** Body of a Certificate message (RFC 8446 §4.4.2): context<0..255>, certificate_list<0..2^24-1> of entries without extensions. */
const certificateMessageLength = (chain: Uint8Array[]) => 1 + 3 + chain.reduce((sum, der) => sum + 3 + der.length + 2, 0);

/** Alice with a certificate of `names` DNS names, always the same key (pinned by the server). */
const alice = (names: number) => makeIdentity({ subject: { CN: 'alice' }, sans: { dns: Array.from({ length: names }, (_, i) => `n${String(i).padStart(6, '0')}.example`) } }, seededRandom('oversized-ticket alice'));
const aliceKey = alice(1).certificate.spki;

/** The most names whose certificate keeps alice's Certificate message within `length` bytes. */
function namesWithin(length: number): number {
  let [low, high] = [1, 6000];
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (certificateMessageLength(alice(mid).chain) <= length) low = mid;
    else high = mid - 1;
  }
  return low;
}

function handshake(client: Identity) {
  const clientConfig: ClientConfig = { trust: { kind: 'pinned-certificate', certificates: [serverIdentity.der] }, now: () => TEST_NOW, random: seededRandom('oversized-ticket c'), certificate: client };
  const serverConfig: ServerConfig = {
    certificate: serverIdentity,
    now: () => TEST_NOW,
    random: seededRandom('oversized-ticket s'),
    clientAuth: 'require',
    trust: { kind: 'pinned-key', keys: [aliceKey] },
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

describe('a trusted client whose certificate fills its Certificate message to our limit', () => {
  const atTheLimit = alice(namesWithin(DEFAULT_MAX_HANDSHAKE_MESSAGE_LENGTH));

  it('connects without a ticket its certificate cannot fit in (RFC 8446 §4.6.1: ticket<1..2^16-1>)', () => {
    expect(certificateMessageLength(atTheLimit.chain)).toBeGreaterThan(DEFAULT_MAX_HANDSHAKE_MESSAGE_LENGTH - 40);
    const { pair, alerts, tickets, decisions } = handshake(atTheLimit);
    expect(alerts).toEqual([]);
    expect(pair.client.isConnected && pair.server.isConnected).toBe(true);
    // Reported by its pinned key: a key pin vouches for no name (pinned-key-names.test.ts).
    expect(pair.server.info.peer?.certificateSha256).toBe(hex(nobleProvider.hash('sha256', atTheLimit.der)));
    expect(tickets).toEqual([]);
    expect(decisions).toEqual(['no ticket', 'no ticket']);
  });

  it('gets its tickets when the certificate leaves room for them (the control case)', () => {
    const { tickets, alerts } = handshake(alice(3000));
    expect(alerts).toEqual([]);
    expect(tickets).toHaveLength(2);
    expect(Math.max(...tickets)).toBeLessThanOrEqual(2 ** 16 - 1);
  });

  it('sends only tickets a client can offer back (RFC 8446 §4.2.11), whatever the length of the certificate', () => {
    // A ticket is about alice's certificate plus 80 bytes: these certificates (17 bytes apart) make tickets on
    // both sides of the bound, each under the 2^16 - 1 of NewSessionTicket.
    const most = namesWithin(DEFAULT_MAX_HANDSHAKE_MESSAGE_LENGTH - 150);
    const lengths = [most, most + 1, most + 2].map((names) => handshake(alice(names)).tickets);
    expect(lengths.flat().every((length) => length <= MAX_OFFERED_TICKET_LENGTH)).toBe(true);
    expect(lengths.some((tickets) => tickets.length === 0)).toBe(true);
    expect(lengths.some((tickets) => tickets.length === 2)).toBe(true);
  });
});
