// Attacker (or an upgrade): a client, or a node adapter `session`, holding a ticket our server sealed in an
// older state format, with the same ticket key. Format 4 added the server name, format 5 the ticket's
// max_early_data_size, format 6 the external PSK of the session; a ticket of format 3, 4 or 5 is offered back
// after the upgrade. Each must be a clean refusal of the ticket (a full handshake, no alert, no exception), its
// 0-RTT rejected and skipped, whether the server seals tickets itself or through `tickets.seal`/`open`. Found defended.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig, TicketConfig } from '../../src/handshake/config.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { encodeTicketState, openTicket, SingleUseTickets } from '../../src/handshake/tickets.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { concat } from '../../src/wire/bytes.js';

const key = new Uint8Array(32).fill(3);
const serverIdentity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('ticket-old-format server'));
const serverConfig = (tickets: TicketConfig = {}): ServerConfig => ({
  certificate: serverIdentity,
  now: () => TEST_NOW,
  random: seededRandom('ticket-old-format s'),
  tickets: { count: 1, key, maxEarlyDataSize: 1000, antiReplay: new SingleUseTickets(), ...tickets },
});
const clientConfig = (extra: Partial<ClientConfig> = {}): ClientConfig => ({
  trust: { kind: 'pinned-certificate', certificates: [serverIdentity.der] },
  now: () => TEST_NOW,
  random: seededRandom('ticket-old-format c'),
  serverName: 'a.example',
  ...extra,
});
const ticket: SessionTicket = new InMemoryPair(clientConfig(), serverConfig()).run().events('client').flatMap((e) => (e.type === 'session-ticket' ? [e.ticket] : []))[0]!;
const state = openTicket(nobleProvider, key, ticket.ticket)!;

/**
 * The state as format `version` wrote it: format 5 had no external PSK (two empty vectors in format 6), format 4 no
 * max_early_data_size either, format 3 no server name either.
 */
function oldPlaintext(version: 3 | 4 | 5): Uint8Array {
  const v5 = encodeTicketState(state).slice(0, -3);
  const v4 = v5.slice(0, -4);
  const bytes = version === 5 ? v5 : version === 4 ? v4 : v4.slice(0, v4.length - 2 - 'a.example'.length);
  bytes[0] = version;
  return bytes;
}
const sealed = (plaintext: Uint8Array) => {
  const nonce = new Uint8Array(12).fill(1);
  return concat(nonce, nobleProvider.createAead('AES-256-GCM', key).seal(nonce, new Uint8Array(0), plaintext));
};

function resume(offered: SessionTicket, tickets: TicketConfig = {}) {
  const pair = new InMemoryPair(clientConfig({ resumption: { ticket: offered, earlyData: new Uint8Array(100) } }), serverConfig(tickets)).run();
  return { pair, alerts: [...pair.events('client'), ...pair.events('server')].filter((e) => e.type === 'alert') };
}

describe('a ticket sealed in an older state format', () => {
  it('the current format resumes with 0-RTT (the control case)', () => {
    expect(state.serverName).toBe('a.example');
    const { pair, alerts } = resume(ticket);
    expect(alerts).toEqual([]);
    expect(pair.server.info.resumed).toBe(true);
    expect(pair.server.info.earlyData).toBe('accepted');
  });

  for (const version of [3, 4, 5] as const) {
    it(`format ${version}, sealed with our key: a full handshake, its 0-RTT rejected and skipped, no alert`, () => {
      const { pair, alerts } = resume({ ...ticket, ticket: sealed(oldPlaintext(version)) });
      expect(alerts).toEqual([]);
      expect(pair.client.isConnected && pair.server.isConnected).toBe(true);
      expect(pair.server.info.resumed).toBeUndefined();
      expect(pair.client.info.earlyData).toBe('rejected');
    });

    it(`format ${version} through tickets.open: the same`, () => {
      const { pair, alerts } = resume(ticket, { seal: (plaintext) => plaintext, open: () => oldPlaintext(version) });
      expect(alerts).toEqual([]);
      expect(pair.client.isConnected && pair.server.isConnected).toBe(true);
      expect(pair.server.info.resumed).toBeUndefined();
    });
  }
});
