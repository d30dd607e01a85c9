// The server's resumption_master_secret (RFC 8446 §7.1) is derived only for what uses it: the tickets it sends, or the
// `secret` event the application asked for (server/machine.ts onFinished). The attacker is memory read after the fact
// (a heap dump, a later bug reading stale memory): the secret every ticket's PSK comes from must not be left in an
// array of its own once the tickets are made, and skipping it must never lose a ticket nor a key-log line.
//
// A provider that passes every call through and keeps each array its hkdfExpand returns for the "res master" label
// (the server's own, as the engine holds it) shows whether it was derived and what is left of it afterwards.
import { describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { SessionTicket, TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { hex, utf8 } from '../../src/wire/bytes.js';

const random = seededRandom('server resumption secret');
const ca = makeIdentity({ subject: { CN: 'Resumption CA' }, isCA: true, keyUsage: ['keyCertSign'] }, random);
const server = makeIdentity({ subject: { CN: 'server' }, issuer: ca, sans: { dns: ['server.example'] }, extKeyUsage: ['serverAuth'] }, random);
const ticketKey = random(32);

/** `base`, keeping every hkdfExpand result whose HkdfLabel's label is "tls13 res master". */
function keepingResumptionSecrets(base: CryptoProvider): { provider: CryptoProvider; derived: Uint8Array[] } {
  const derived: Uint8Array[] = [];
  const provider: CryptoProvider = {
    ...base,
    hkdfExpand(hash, prk, info, length, output) {
      const result = base.hkdfExpand(hash, prk, info, length, output);
      // struct { uint16 length; opaque label<7..255>; ... } HkdfLabel (RFC 8446 §7.1)
      if (utf8.decode(info.subarray(3, 3 + info[2]!)) === 'tls13 res master') derived.push(result);
      return result;
    },
  };
  return { provider, derived };
}

const clientConfig = (extra: Partial<ClientConfig> = {}): ClientConfig => ({
  trust: { kind: 'ca', anchors: [ca.der] },
  serverName: 'server.example',
  now: () => TEST_NOW,
  random: seededRandom('c'),
  ...extra,
});
const serverConfig = (provider: CryptoProvider, extra: Partial<ServerConfig>): ServerConfig => ({
  certificate: server,
  now: () => TEST_NOW,
  random: seededRandom('s'),
  provider,
  ...extra,
});

const secretEvent = (events: TlsEvent[]) => events.find((e) => e.type === 'secret' && e.name === 'resumption_master_secret');
const tickets = (events: TlsEvent[]): SessionTicket[] => events.flatMap((e) => (e.type === 'session-ticket' ? [e.ticket] : []));

describe.each([
  ['noble', nobleProvider],
  ['node:crypto', nodeCryptoProvider],
])("the server's resumption master secret (%s)", (_name, base) => {
  it('sending tickets: derived once, every ticket resumes, and the array is all zeros once they are made', () => {
    const { provider, derived } = keepingResumptionSecrets(base);
    const pair = new InMemoryPair(clientConfig({ secretEvents: false }), serverConfig(provider, { secretEvents: false, tickets: { count: 2, key: ticketKey } })).run();
    expect(pair.server.isConnected).toBe(true);
    expect(derived).toHaveLength(1);
    expect(derived[0]!.length).toBe(32);
    expect(derived[0]!.every((b) => b === 0)).toBe(true);
    const issued = tickets(pair.events('client'));
    expect(issued).toHaveLength(2);
    for (const ticket of issued) {
      const resumed = new InMemoryPair(clientConfig({ resumption: { ticket } }), serverConfig(base, { tickets: { count: 0, key: ticketKey } })).run();
      expect(resumed.client.info.resumed).toBe(true);
      expect(resumed.server.info.resumed).toBe(true);
    }
  });

  it('no ticket and no secret events: none derived (the client, which may yet get a ticket, still derives its own)', () => {
    const server = keepingResumptionSecrets(base);
    const client = keepingResumptionSecrets(base);
    const pair = new InMemoryPair(clientConfig({ secretEvents: false, provider: client.provider }), serverConfig(server.provider, { secretEvents: false, tickets: { count: 0 } })).run();
    expect(pair.server.isConnected).toBe(true);
    expect(server.derived).toHaveLength(0);
    expect(client.derived).toHaveLength(1);
  });

  it('no ticket, secret events asked for: the event still carries it, the same value as the client derived, and ours is wiped', () => {
    const { provider, derived } = keepingResumptionSecrets(base);
    const pair = new InMemoryPair(clientConfig(), serverConfig(provider, { tickets: { count: 0 } })).run();
    const [ours, theirs] = [secretEvent(pair.events('server')), secretEvent(pair.events('client'))];
    expect(ours?.type === 'secret' && theirs?.type === 'secret').toBe(true);
    if (ours?.type !== 'secret' || theirs?.type !== 'secret') return;
    expect(hex(ours.secret)).toBe(hex(theirs.secret));
    expect(ours.secret.some((b) => b !== 0)).toBe(true);
    expect(derived).toHaveLength(1);
    expect(derived[0]).not.toBe(ours.secret);
    expect(derived[0]!.every((b) => b === 0)).toBe(true);
  });
});
