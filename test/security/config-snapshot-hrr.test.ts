// Attacker (a careless caller, or code sharing its ticket store): the bytes of `resumption.ticket` changed in
// place after Connection.client, before the server's HelloRetryRequest. ClientHello2 read the ticket and its PSK
// from the caller's object again, so it offered another identity than ClientHello1 (or a binder under other
// PSK bytes): the server refused the handshake with illegal_parameter (RFC 8446 §4.1.2: "the same ClientHello"
// with only the listed changes), and a wiped PSK made binders nobody could check. The client now keeps copies of
// the ticket's bytes from the moment it chooses the ticket (when the connection is made): the config is a snapshot.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { NamedGroup } from '../../src/wire/enums.js';

const identity = makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['server.example'] } }, seededRandom('snapshot server'));
const server = (): ServerConfig => ({
  certificate: identity,
  now: () => TEST_NOW,
  random: seededRandom('snapshot s'),
  tickets: { count: 1, key: new Uint8Array(32).fill(7) },
  // Asks for P-256 when the client's key share is X25519: a HelloRetryRequest.
  groups: [NamedGroup.secp256r1, NamedGroup.x25519],
  helloRetryForPreferredGroup: true,
});
const client = (extra: Partial<ClientConfig> = {}): ClientConfig => ({
  trust: { kind: 'pinned-certificate', certificates: [identity.der] },
  serverName: 'server.example',
  now: () => TEST_NOW,
  random: seededRandom('snapshot c'),
  groups: [NamedGroup.x25519, NamedGroup.secp256r1],
  ...extra,
});

function ticket(): SessionTicket {
  const first = new InMemoryPair(client(), server()).run();
  return first.events('client').flatMap((e) => (e.type === 'session-ticket' ? [e.ticket] : []))[0]!;
}

describe('a resumption ticket changed by its caller between ClientHello1 and a HelloRetryRequest', () => {
  it('unchanged: resumed across the HelloRetryRequest (the control)', () => {
    const pair = new InMemoryPair(client({ resumption: { ticket: ticket() } }), server()).run();
    expect(pair.events('server').some((e) => e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'hello_retry_request')).toBe(true);
    expect(pair.client.info.resumed).toBe(true);
  });

  for (const field of ['ticket', 'psk'] as const) {
    it(`its ${field} bytes overwritten after the connection was made: ClientHello2 still offers what ClientHello1 did, and resumes`, () => {
      const stored = ticket();
      const pair = new InMemoryPair(client({ resumption: { ticket: stored } }), server());
      stored[field].fill(0);
      pair.run();
      const alerts = [...pair.events('client'), ...pair.events('server')].filter((e) => e.type === 'alert');
      expect(alerts).toEqual([]);
      expect(pair.client.info.resumed).toBe(true);
    });
  }
});

describe('an external PSK changed by its caller between ClientHello1 and a HelloRetryRequest', () => {
  const psk = () => ({ identity: new Uint8Array(16).fill(1), key: new Uint8Array(32).fill(9) });
  function run(change?: (own: ReturnType<typeof psk>) => void) {
    const own = psk();
    const pair = new InMemoryPair(
      { now: () => TEST_NOW, random: seededRandom('snapshot psk c'), groups: [NamedGroup.x25519, NamedGroup.secp256r1], externalPsks: { keys: [own] } },
      { now: () => TEST_NOW, random: seededRandom('snapshot psk s'), groups: [NamedGroup.secp256r1, NamedGroup.x25519], helloRetryForPreferredGroup: true, externalPsks: { keys: [psk()] } },
    );
    change?.(own);
    pair.run();
    return pair;
  }

  it('unchanged: connected with the PSK across the HelloRetryRequest (the control)', () => {
    const pair = run();
    expect(pair.events('server').some((e) => e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'hello_retry_request')).toBe(true);
    expect(pair.client.isConnected).toBe(true);
  });

  it('its identity or key overwritten after the connection was made: ClientHello2 still offers what ClientHello1 did', () => {
    expect(run((own) => own.identity.fill(2)).client.isConnected).toBe(true);
    expect(run((own) => own.key.fill(3)).client.isConnected).toBe(true);
  });
});
