// Attacker's test (the application as attacker, through what the engine hands it): the `handshake-message`
// event of the Certificate a side sends held its entries' bytes as the config snapshot holds them
// (config-snapshot.ts), and a snapshot is shared: every connection made from an unchanged config gets the same
// one, and a node server gives its one to every connection, with no check. A careful application that zeroes
// what it logged (`entry.data.fill(0)`) then changed the certificate every later connection sends; one that
// wrote its own certificate there had a snapshot holding a certificate never checked against the private key,
// and the memo returned it, unchecked, once the caller's config held the same bytes (a key mismatch that
// Connection.server refuses with a TypeError).
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import type { Certificate } from '../../src/wire/types.js';
import { exchange } from './exchange.js';

// Mallory's certificate holds a P-256 key, which the server's Ed25519 private key does not fit: a config check
// refuses it. The server's common name is padded until both certificates have one length.
const mallory = makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['server.example'] }, keyType: 'p256' }, seededRandom('own certificate copies: mallory'));
const server = Array.from({ length: 80 }, (_, n) =>
  makeIdentity({ subject: { CN: `server${'x'.repeat(n)}` }, sans: { dns: ['server.example'] } }, seededRandom('own certificate copies: server')),
).find((identity) => identity.der.length === mallory.der.length)!;
const now = () => TEST_NOW;
const client = (seed: string) => Connection.client({ serverName: 'server.example', trust: { kind: 'pinned-certificate', certificates: [server.der] }, now, random: seededRandom(seed) });

/** The Certificate messages a connection's events say it sent. */
const sentCertificates = (events: TlsEvent[]) =>
  events.flatMap((e) => (e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'certificate' ? [e.message as Certificate] : []));

describe("the Certificate a server sends, as its events give it", () => {
  it('zeroed by the application after logging it: a connection made from the same config still sends its certificate', () => {
    const config: ServerConfig = { certificate: { ...server, chain: [server.der.slice()] }, now, random: seededRandom('own certificate copies: s') };
    const first = Connection.server(config);
    const second = Connection.server(config); // the same snapshot: the config did not change
    const c1 = client('own certificate copies: c1');
    exchange(c1, first);
    expect(c1.isConnected).toBe(true);
    const logged = sentCertificates(first.takeEvents());
    expect(logged).toHaveLength(1);
    for (const entry of logged[0]!.entries) entry.data.fill(0);
    const c2 = client('own certificate copies: c2');
    exchange(c2, second);
    expect(c2.isConnected).toBe(true);
    expect(c2.info.peer?.certificateSha256).toBe(c1.info.peer?.certificateSha256);
  });

  it("overwritten with mallory's certificate, then the config given the same bytes: the key mismatch is refused", () => {
    expect(server.der.length).toBe(mallory.der.length);
    const chain = [server.der.slice()];
    const config: ServerConfig = { certificate: { ...server, chain }, now, random: seededRandom('own certificate copies: s2') };
    expect(() => Connection.server({ ...config, certificate: { ...server, chain: [mallory.der] } })).toThrow(TypeError);
    const first = Connection.server(config);
    exchange(client('own certificate copies: c3'), first);
    const logged = sentCertificates(first.takeEvents())[0]!;
    logged.entries[0]!.data.set(mallory.der);
    chain[0]!.set(mallory.der); // the caller's config now holds mallory's certificate with the server's key
    expect(() => Connection.server(config)).toThrow(TypeError);
  });
});
