// Attacker: a passive observer of 0-RTT under a cipher suite the client has since given up. 0-RTT data is
// protected with the ticket's suite (RFC 8446 §4.2.10), chosen in the session that issued it. A client that
// drops a suite from `cipherSuites` (TLS_AES_128_CCM_8_SHA256 and its 8-byte tags, say) still wrote its early
// data under that suite with every old ticket, though an honest server cannot accept it (§4.2.10: the selected
// suite must be the ticket's, and the client no longer offers it): the data went on the wire for nothing,
// under a cipher the configuration refuses. And a ticket whose hash no offered suite has cannot be resumed at
// all (§4.2.11), yet was offered with its binder. Early data goes only with a ticket of a suite we still
// offer; a ticket goes only where an offered suite shares its hash.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { utf8 } from '../../src/wire/bytes.js';
import { CipherSuite, ExtensionType } from '../../src/wire/enums.js';

const { TLS_AES_128_CCM_8_SHA256: CCM_8, TLS_AES_128_GCM_SHA256: GCM, TLS_AES_256_GCM_SHA384: GCM_384 } = CipherSuite;
const serverIdentity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('early-data-dropped-suite server'));
const serverConfig = (): ServerConfig => ({
  certificate: serverIdentity,
  now: () => TEST_NOW,
  random: seededRandom('early-data-dropped-suite s'),
  cipherSuites: [CCM_8, GCM, GCM_384],
  tickets: { count: 3, key: new Uint8Array(32).fill(5), maxEarlyDataSize: 1024, antiReplay: new SingleUseTickets() },
});
const clientConfig = (cipherSuites: number[], extra: Partial<ClientConfig> = {}): ClientConfig => ({
  trust: { kind: 'pinned-certificate', certificates: [serverIdentity.der] },
  now: () => TEST_NOW,
  random: seededRandom('early-data-dropped-suite c'),
  cipherSuites,
  ...extra,
});
const tickets: SessionTicket[] = new InMemoryPair(clientConfig([CCM_8]), serverConfig()).run().events('client').flatMap((e) => (e.type === 'session-ticket' ? [e.ticket] : []));

function resume(ticket: SessionTicket, cipherSuites: number[]) {
  const pair = new InMemoryPair(clientConfig(cipherSuites, { resumption: { ticket, earlyData: utf8.encode('pay 10') } }), serverConfig()).run();
  const hello = pair.events('client').find((e) => e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'client_hello');
  const extensions = hello?.type === 'handshake-message' && hello.message.kind === 'client_hello' ? hello.message.extensions.map((e) => e.type) : [];
  return {
    pair,
    alerts: [...pair.events('client'), ...pair.events('server')].filter((e) => e.type === 'alert'),
    earlyDataSent: extensions.includes(ExtensionType.early_data),
    pskOffered: extensions.includes(ExtensionType.pre_shared_key),
    decisions: pair.events('client').flatMap((e) => (e.type === 'decision' && (e.topic === 'early_data' || e.topic === 'resumption') ? [`${e.topic} ${e.value}: ${e.reason}`] : [])),
  };
}

describe('0-RTT with a ticket of a cipher suite the client no longer offers', () => {
  it('the ticket is of TLS_AES_128_CCM_8_SHA256 (so each case below is the suite)', () => {
    expect(tickets[0]!.cipherSuite).toBe(CCM_8);
    const { earlyDataSent, pair } = resume(tickets[0]!, [CCM_8, GCM]);
    expect(earlyDataSent).toBe(true);
    expect(pair.server.info.earlyData).toBe('accepted');
  });

  it('CCM_8 dropped, GCM (same hash) offered: no early data on the wire, the session resumes under GCM', () => {
    const { pair, alerts, earlyDataSent, decisions } = resume(tickets[1]!, [GCM]);
    expect(alerts).toEqual([]);
    expect(earlyDataSent).toBe(false);
    expect(pair.client.info).toMatchObject({ resumed: true, cipherSuite: 'TLS_AES_128_GCM_SHA256' });
    expect(decisions).toContain('early_data not sent: the ticket is of TLS_AES_128_CCM_8_SHA256, which we no longer offer (RFC 8446 §4.2.10)');
  });

  it('only a SHA-384 suite offered: the ticket is not offered at all (§4.2.11), a full handshake', () => {
    const { pair, alerts, earlyDataSent, pskOffered } = resume(tickets[2]!, [GCM_384]);
    expect(alerts).toEqual([]);
    expect(earlyDataSent || pskOffered).toBe(false);
    expect(pair.client.isConnected && !pair.client.info.resumed).toBe(true);
  });
});
