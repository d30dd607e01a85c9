// Attacker's test: a pinned certificate is judged by its validity window too (RFC 5280 §4.1.2.5), and the
// engine reads no clock of its own. A config that pinned a certificate and set no `now` judged no window at
// all: a stolen key whose pinned certificate had long expired (or was not valid yet) still connected. Like
// `ca`, a `pinned-certificate` policy anywhere in `trust` (either role, inside `any-of`, the server's
// client-auth trust) now needs `now`: a one-line TypeError before anything is sent.
import { describe, expect, it } from 'vitest';
import { evaluateTrust, type TrustPolicy } from '../../src/auth/trust.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { DAY, makeIdentity, TEST_NOW, type Identity } from '../../src/testing/certs.js';

const random = seededRandom('pinned certificate clock');
const identity = (cn: string, notBefore: number, notAfter: number) => makeIdentity({ subject: { CN: cn }, keyType: 'ed25519', notBefore, notAfter }, random);
const expiredServer = identity('expired server', TEST_NOW - 400 * DAY, TEST_NOW - 30 * DAY);
const futureServer = identity('future server', TEST_NOW + 30 * DAY, TEST_NOW + 400 * DAY);
const currentServer = identity('current server', TEST_NOW - 30 * DAY, TEST_NOW + 365 * DAY);
const expiredClient = identity('expired client', TEST_NOW - 400 * DAY, TEST_NOW - 30 * DAY);
const currentClient = identity('current client', TEST_NOW - 30 * DAY, TEST_NOW + 365 * DAY);
const pinned = (id: Identity): TrustPolicy => ({ kind: 'pinned-certificate', certificates: [id.der] });
const pinnedKey: TrustPolicy = { kind: 'pinned-key', keys: [currentClient.certificate.spki] };

/** What the attacker gets: a connection (both sides connected), or what stopped it. */
function attempt(client: ClientConfig, server: ServerConfig): string {
  let pair: InMemoryPair;
  try {
    pair = new InMemoryPair({ random: seededRandom('c'), ...client }, { random: seededRandom('s'), ...server });
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
  pair.run();
  if (pair.client.isConnected && pair.server.isConnected) return 'connected';
  return pair.log.flatMap(({ side, event }) => (event.type === 'alert' && event.direction === 'out' ? [`${side} sent ${event.description}`] : [])).join(', ') || 'stalled';
}

describe('a pinned certificate outside its validity window, and no clock in the config', () => {
  it('an expired pinned server certificate does not connect', () => {
    expect(attempt({ trust: pinned(expiredServer) }, { certificate: expiredServer, now: () => TEST_NOW })).not.toBe('connected');
  });

  it('a not-yet-valid pinned server certificate does not connect', () => {
    expect(attempt({ trust: pinned(futureServer) }, { certificate: futureServer, now: () => TEST_NOW })).not.toBe('connected');
  });

  it('nor when the pin stands inside any-of', () => {
    expect(attempt({ trust: { kind: 'any-of', policies: [pinnedKey, pinned(expiredServer)] } }, { certificate: expiredServer, now: () => TEST_NOW })).not.toBe('connected');
  });

  it("an expired pinned client certificate does not pass the server's client authentication", () => {
    const client: ClientConfig = { trust: pinned(futureServer), certificate: expiredClient, now: () => TEST_NOW + 60 * DAY };
    expect(attempt(client, { certificate: futureServer, clientAuth: 'require', trust: pinned(expiredClient) })).not.toBe('connected');
  });

  it('with the clock set, the same configs are refused with certificate_expired, and a valid pin connects', () => {
    const now = () => TEST_NOW;
    expect(attempt({ trust: pinned(expiredServer), now }, { certificate: expiredServer, now })).toBe('client sent certificate_expired');
    expect(attempt({ trust: pinned(futureServer), now }, { certificate: futureServer, now })).toBe('client sent certificate_expired');
    const later = () => TEST_NOW + 60 * DAY;
    expect(attempt({ trust: pinned(futureServer), certificate: currentClient, now: later }, { certificate: futureServer, clientAuth: 'require', trust: pinned(currentClient), now: later })).toBe('connected');
  });
});

describe('a pinned-certificate policy without now is a TypeError before anything is sent', () => {
  const message = "trust { kind: 'pinned-certificate' } needs now, the clock that certificate validity is judged by (e.g. now: Date.now)";
  const cases: Array<[string, ClientConfig, ServerConfig]> = [
    ["the client's trust", { trust: pinned(expiredServer) }, { certificate: expiredServer, now: () => TEST_NOW }],
    ["the client's trust, inside any-of", { trust: { kind: 'any-of', policies: [pinnedKey, { kind: 'any-of', policies: [pinned(expiredServer)] }] } }, { certificate: expiredServer, now: () => TEST_NOW }],
    ["the server's client-auth trust", { trust: pinned(currentServer), certificate: expiredClient, now: () => TEST_NOW }, { certificate: currentServer, clientAuth: 'require', trust: pinned(expiredClient) }],
    ["the server's client-auth trust, inside any-of", { trust: pinned(currentServer), certificate: expiredClient, now: () => TEST_NOW }, { certificate: currentServer, clientAuth: 'optional', trust: { kind: 'any-of', policies: [pinned(expiredClient), pinnedKey] } }],
  ];
  for (const [where, client, server] of cases) {
    it(`in ${where}`, () => {
      const outcome = attempt(client, server);
      expect(outcome).toBe(`TypeError: ${message}`);
      expect(outcome).not.toContain('\n');
    });
  }

  it('a CA policy the same way, in either role', () => {
    const ca: TrustPolicy = { kind: 'ca', anchors: [currentClient.der] };
    expect(attempt({ trust: ca, insecureSkipServerNameCheck: true }, { certificate: expiredServer })).toMatch(/^TypeError: trust \{ kind: 'ca' \} needs now/);
    expect(attempt({ trust: pinnedKey, now: () => TEST_NOW }, { certificate: expiredServer, clientAuth: 'require', trust: ca })).toMatch(/^TypeError: trust \{ kind: 'ca' \} needs now/);
  });

  it('evaluateTrust (public API) refuses to judge a pinned certificate without a clock rather than skip its validity', () => {
    const judge = (now?: () => number) => evaluateTrust(pinned(expiredServer), [expiredServer.der], { provider: nobleProvider, purpose: 'serverAuth', now });
    expect(() => judge()).toThrow(new TypeError(message));
    expect(judge(() => TEST_NOW).verdict).toMatchObject({ trusted: false, reason: 'CertificateExpired' });
  });
});
