// A ClientHello's extensions<8..2^16-1> (RFC 8446 §4.1.2) that would not fit. Found by the resumption attacker:
// a HelloRetryRequest whose cookie (a legal cookie<1..2^16-1>, inside a legal HelloRetryRequest) leaves no room
// in ClientHello2 made our client answer internal_error ("vector of 65542 bytes does not fit a 2-byte length"),
// an alert RFC 8446 §6.2 keeps for errors "unrelated to the peer"; and external PSK identities that fit one
// pre_shared_key extension but not the ClientHello beside the rest made Connection.client throw the same plain
// Error. The first is illegal_parameter: the HelloRetryRequest asks for a ClientHello2 that cannot exist (as
// §4.1.4 answers a HelloRetryRequest the client cannot act on); the second is the caller's config, a TypeError.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { NamedGroup } from '../../src/wire/enums.js';

const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('overflow-server'));
const clientConfig: ClientConfig = {
  trust: { kind: 'pinned-certificate', certificates: [server.der] },
  now: () => TEST_NOW,
  random: seededRandom('overflow-client'),
  keyShareGroups: [NamedGroup.x25519],
};
const retryingServer = (cookieLength: number): ServerConfig => ({
  certificate: server,
  random: seededRandom('overflow-s'),
  groups: [NamedGroup.secp256r1, NamedGroup.x25519],
  helloRetryForPreferredGroup: true,
  helloRetryCookie: () => new Uint8Array(cookieLength).fill(7),
});

describe('a ClientHello that cannot hold what it must carry', () => {
  it('a HelloRetryRequest cookie too long for ClientHello2 is illegal_parameter, not internal_error', () => {
    const pair = new InMemoryPair(clientConfig, retryingServer(65_400)).run();
    const alert = pair.events('client').find((e) => e.type === 'alert' && e.direction === 'out');
    expect(alert).toMatchObject({ description: 'illegal_parameter', detail: expect.stringMatching(/^the HelloRetryRequest asks for a ClientHello2 whose extensions would be \d+ bytes/) });
    expect(pair.client.state).toBe('CLOSED');
  });

  it('a long cookie that still fits is echoed and the handshake completes', () => {
    const pair = new InMemoryPair(clientConfig, retryingServer(65_000)).run();
    expect(pair.client.info.group).toBe('secp256r1');
    expect(pair.events('client').some((e) => e.type === 'alert')).toBe(false);
  });

  it('external PSK identities that fit pre_shared_key but not the ClientHello are a TypeError before anything is sent', () => {
    const keys = [1, 2].map((i) => ({ identity: new Uint8Array(32_700).fill(i), key: new Uint8Array(32).fill(i) }));
    expect(() => Connection.client({ ...clientConfig, externalPsks: { keys } })).toThrow(
      new TypeError('our ClientHello\'s extensions would be 65589 bytes, more than 2^16 - 1 (RFC 8446 §4.1.2): fewer or shorter externalPsks identities, ALPN protocols or clientHello extensions'),
    );
  });
});
