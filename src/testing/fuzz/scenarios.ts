// The handshakes the stateful fuzz targets mutate: 1-RTT, HelloRetryRequest, PSK resumption, 0-RTT,
// mutual TLS and raw public keys, each as a pair of configs. Every run gets fresh configs (fresh randomness, a fresh anti-replay
// register) built from identities and tickets made once per provider. Core-safe: no node imports.
import { encodeSpki } from '../../auth/keys.js';
import type { CryptoProvider } from '../../crypto/provider.js';
import type { ClientConfig, ServerConfig } from '../../handshake/config.js';
import { Connection } from '../../handshake/connection.js';
import type { SessionTicket } from '../../handshake/events.js';
import { SingleUseTickets } from '../../handshake/tickets.js';
import { NamedGroup } from '../../wire/enums.js';
import { makeIdentity, TEST_NOW, type Identity } from '../certs.js';
import { fastRandom } from './input.js';

export const SCENARIOS = ['1rtt', 'hrr', 'resumption', '0rtt', 'mtls', 'rpk'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface ScenarioConfigs {
  client: ClientConfig;
  server: ServerConfig;
}

/** Early data the 0-RTT scenario sends (and expects to see on the server). */
export const EARLY_DATA = Uint8Array.from('GET /early', (c) => c.charCodeAt(0));

interface Material {
  server: Identity;
  client: Identity;
  ticketKey: Uint8Array;
  ticket?: SessionTicket;
}

const materials = new Map<CryptoProvider, Material>();

export function material(provider: CryptoProvider): Material {
  let m = materials.get(provider);
  if (!m) {
    const random = fastRandom(7);
    m = {
      server: makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['server.test'] } }, random, provider),
      client: makeIdentity({ subject: { CN: 'client' } }, random, provider),
      ticketKey: random(32),
    };
    materials.set(provider, m);
  }
  return m;
}

export const now = () => TEST_NOW;

/**
 * Groups named rather than defaulted: the seed corpus (test/regressions) was recorded over x25519, and a
 * 1.2 KB hybrid share would take most of the byte-level mutations away from the state machine.
 */
const GROUPS = [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1];

export function baseConfigs(provider: CryptoProvider, seed: number): ScenarioConfigs {
  const m = material(provider);
  return {
    client: {
      provider,
      random: fastRandom(seed * 2 + 1),
      now,
      groups: GROUPS,
      serverName: 'server.test',
      trust: { kind: 'pinned-certificate', certificates: [m.server.der] },
    },
    server: {
      provider,
      random: fastRandom(seed * 2 + 2),
      now,
      groups: GROUPS,
      certificate: m.server,
      tickets: { count: 1, key: m.ticketKey, maxEarlyDataSize: 1024, antiReplay: new SingleUseTickets() },
    },
  };
}

/** A ticket from a clean full handshake, made once per provider. */
export function ticketFor(provider: CryptoProvider): SessionTicket {
  const m = material(provider);
  if (!m.ticket) {
    const { client, server } = baseConfigs(provider, 0);
    const c = Connection.client(client);
    const s = Connection.server(server);
    for (let i = 0; i < 10; i++) {
      s.receive(c.takeOutput());
      c.receive(s.takeOutput());
    }
    const event = c.takeEvents().find((e) => e.type === 'session-ticket');
    if (event?.type !== 'session-ticket') throw new Error('the ticket handshake gave no session ticket');
    m.ticket = event.ticket;
  }
  return m.ticket;
}

/** Fresh configs of one scenario; `seed` varies the randomness of both sides. */
export function scenarioConfigs(name: ScenarioName, provider: CryptoProvider, seed: number): ScenarioConfigs {
  const configs = baseConfigs(provider, seed);
  switch (name) {
    case '1rtt':
      return configs;
    case 'hrr':
      // The client's only key share is for a group the server does not take: a HelloRetryRequest (RFC 8446 §4.1.4).
      configs.client.keyShareGroups = [NamedGroup.secp256r1];
      configs.server.groups = [NamedGroup.x25519];
      configs.server.helloRetryCookie = () => Uint8Array.of(1, 2, 3, 4);
      return configs;
    case 'resumption':
      configs.client.resumption = { ticket: ticketFor(provider) };
      return configs;
    case '0rtt':
      configs.client.resumption = { ticket: ticketFor(provider), earlyData: EARLY_DATA };
      return configs;
    case 'mtls':
      configs.client.certificate = material(provider).client;
      configs.server.clientAuth = 'require';
      configs.server.trust = { kind: 'pinned-certificate', certificates: [material(provider).client.der] };
      return configs;
    case 'rpk': {
      // RFC 7250 raw public keys both ways, each pinned by its SubjectPublicKeyInfo.
      const { server, client } = material(provider);
      configs.server.rawPublicKey = { privateKey: server.privateKey };
      configs.server.clientAuth = 'require';
      configs.server.clientCertificateTypes = ['raw-public-key'];
      configs.server.trust = { kind: 'pinned-key', keys: [encodeSpki(provider.publicKeyOf(client.privateKey))] };
      configs.client.rawPublicKey = { privateKey: client.privateKey };
      configs.client.serverCertificateTypes = ['raw-public-key'];
      configs.client.trust = { kind: 'pinned-key', keys: [encodeSpki(provider.publicKeyOf(server.privateKey))] };
      return configs;
    }
    default: {
      const never: never = name;
      throw new Error(`unknown scenario ${String(never)}`);
    }
  }
}
