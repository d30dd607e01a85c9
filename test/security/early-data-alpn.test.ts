// Attacker: a server that accepts our 0-RTT data under another application protocol than the one it was
// written for. "The parameters for the 0-RTT data (version, symmetric cipher suite, Application-Layer
// Protocol Negotiation (ALPN) protocol, etc.) are those associated with the PSK in use ... For PSKs
// established via a NewSessionTicket message, the associated values are those which were negotiated in the
// connection which established the PSK" (RFC 8446 §4.2.10). Our early data was written for the ticket's
// protocol (here h2); a server whose ticket store lost or rewrote that ALPN accepted it and then selected
// http/1.1, and the client went on as if its h2 bytes had been read as h2 (BoringSSL refuses this:
// ALPN_MISMATCH_ON_EARLY_DATA, illegal_parameter). The client checked the suite only; it now holds the
// server's ALPN answer to the ticket's as well when early data is accepted.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { SessionTicket, TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { decodeTicketState, encodeTicketState, SingleUseTickets } from '../../src/handshake/tickets.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { utf8 } from '../../src/wire/bytes.js';

const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('early-alpn server'));
const now = () => TEST_NOW;

/** A server whose tickets are its session state in the clear, and whose store reads back `rewrittenAlpn`. */
function serverConfig(alpnProtocols: string[], rewrittenAlpn?: string): ServerConfig {
  return {
    certificate: server,
    now,
    random: seededRandom(`early-alpn s ${alpnProtocols}`),
    alpnProtocols,
    tickets: {
      count: 1,
      maxEarlyDataSize: 1024,
      antiReplay: new SingleUseTickets(),
      seal: (state) => state,
      open: (ticket) => (rewrittenAlpn === undefined ? ticket : encodeTicketState({ ...decodeTicketState(ticket), alpn: rewrittenAlpn })),
    },
  };
}

const clientConfig = (extra: Partial<ClientConfig> = {}): ClientConfig => ({
  trust: { kind: 'pinned-certificate', certificates: [server.der] },
  now,
  random: seededRandom('early-alpn c'),
  alpnProtocols: ['h2', 'http/1.1'],
  ...extra,
});

const ticket: SessionTicket = (() => {
  const pair = new InMemoryPair(clientConfig(), serverConfig(['h2', 'http/1.1'])).run();
  const event = pair.events('client').find((e) => e.type === 'session-ticket');
  if (event?.type !== 'session-ticket') throw new Error('no ticket');
  return event.ticket;
})();

const sentAlerts = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : []));

describe('0-RTT accepted under another ALPN than the ticket was issued with (RFC 8446 §4.2.10)', () => {
  const resume = (srv: ServerConfig) => new InMemoryPair(clientConfig({ resumption: { ticket, earlyData: utf8.encode('h2 preface and HEADERS') } }), srv).run();

  it('the ticket is for h2', () => {
    expect(ticket.alpn).toBe('h2');
  });

  it('a server that accepts with h2 again: 0-RTT accepted and connected (so the refusal below is the ALPN)', () => {
    const pair = resume(serverConfig(['h2', 'http/1.1']));
    expect(pair.client.info).toMatchObject({ earlyData: 'accepted', alpn: 'h2' });
    expect(pair.client.isConnected).toBe(true);
  });

  it('an honest server that now prefers http/1.1 rejects the 0-RTT data, and the client connects', () => {
    const pair = resume(serverConfig(['http/1.1', 'h2']));
    expect(pair.client.info).toMatchObject({ earlyData: 'rejected', alpn: 'http/1.1' });
    expect(pair.client.isConnected).toBe(true);
  });

  it('a server that accepts the h2 early data and selects http/1.1 is illegal_parameter', () => {
    const pair = resume(serverConfig(['http/1.1', 'h2'], 'http/1.1'));
    // The server did accept: its ticket store says the session spoke http/1.1.
    expect(pair.events('server').some((e) => e.type === 'data' && e.early)).toBe(true);
    expect(sentAlerts(pair.events('client'))).toEqual(['illegal_parameter']);
    expect(pair.client.isConnected).toBe(false);
    expect(pair.client.info.earlyData).not.toBe('accepted');
  });

  it('a client that no longer offers h2 sends no early data with the h2 ticket (written for h2, it could only be rejected; as BoringSSL)', () => {
    const pair = new InMemoryPair(clientConfig({ alpnProtocols: ['http/1.1'], resumption: { ticket, earlyData: utf8.encode('h2 preface and HEADERS') } }), serverConfig(['http/1.1', 'h2'])).run();
    const reasons = pair.events('client').flatMap((e) => (e.type === 'decision' && e.topic === 'early_data' ? [e.reason] : []));
    expect(reasons).toEqual(['the ticket\'s ALPN protocol h2 is not among ours (RFC 8446 §4.2.10)']);
    expect(pair.events('server').some((e) => e.type === 'data' && e.early)).toBe(false);
    expect(pair.client.info).toMatchObject({ resumed: true, alpn: 'http/1.1' });
    expect(pair.client.info.earlyData).toBeUndefined();
  });

  it('a server that accepts early data for a ticket without ALPN and selects h2 is illegal_parameter', () => {
    const { alpn: _alpn, ...withoutAlpn } = ticket;
    const pair = new InMemoryPair(clientConfig({ resumption: { ticket: withoutAlpn, earlyData: utf8.encode('x') } }), serverConfig(['h2'], 'h2')).run();
    expect(sentAlerts(pair.events('client'))).toEqual(['illegal_parameter']);
  });
});
