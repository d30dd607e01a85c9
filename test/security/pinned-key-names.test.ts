// Attacker's test: a `pinned-key` policy proves the key and nothing else. The certificate around a pinned key
// is written by whoever holds the key: nobody's signature over its names is checked (a self-signed one, or one
// "issued" by any name at all). A server that pins alice's and bob's keys took alice's certificate for her own
// key with the subject CN=bob and bob's SPIFFE ID, and reported the client as bob: `info.peer.subject`,
// `spiffeId`, the SANs, what an application authorizes by. Under `pinned-key` the identity carries the key
// (spkiSha256, keyType) and the certificate's hash, no name; a CA or a pinned certificate vouches for names.
import { describe, expect, it } from 'vitest';
import type { PeerIdentity, TrustPolicy } from '../../src/auth/trust.js';
import { seededRandom } from '../../src/crypto/random.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';

const random = seededRandom('pinned key names');
const server = makeIdentity({ subject: { CN: 'server' }, keyType: 'ed25519' }, random);
const alice = makeIdentity({ subject: { CN: 'alice' }, sans: { uri: ['spiffe://example.org/alice'] }, keyType: 'ed25519' }, random);
const bob = makeIdentity({ subject: { CN: 'bob' }, sans: { uri: ['spiffe://example.org/bob'] }, keyType: 'ed25519' }, random);
// Alice's own key, in a certificate she made herself that names bob.
const aliceAsBob = makeIdentity(
  { subject: { CN: 'bob' }, sans: { uri: ['spiffe://example.org/bob'], dns: ['bob.example'], email: ['bob@example.org'], ip: ['192.0.2.7'] }, privateKey: alice.privateKey },
  random,
);
const bothKeys: TrustPolicy = { kind: 'pinned-key', keys: [alice.certificate.spki, bob.certificate.spki] };

function serverSees(client: typeof alice, trust: TrustPolicy): PeerIdentity | undefined {
  const pair = new InMemoryPair(
    { trust: { kind: 'pinned-certificate', certificates: [server.der] }, certificate: client, now: () => TEST_NOW, random: seededRandom('c') },
    { certificate: server, clientAuth: 'require', trust, now: () => TEST_NOW, random: seededRandom('s') },
  ).run();
  expect(pair.server.isConnected).toBe(true);
  return pair.server.info.peer as PeerIdentity | undefined;
}

/** The names the identity reports, absent ones as undefined. */
const namesOf = (peer: PeerIdentity) => ({ subject: peer.subject, spiffeId: peer.spiffeId, dns: peer.dnsNames, ip: peer.ipAddresses, email: peer.emails, uri: peer.uris });
const NO_NAMES = { subject: undefined, spiffeId: undefined, dns: [], ip: [], email: [], uri: [] };

describe('a pinned key vouches for no name its certificate carries', () => {
  it('alice, with a certificate for her own key naming bob, is reported by her key and no name', () => {
    const peer = serverSees(aliceAsBob, bothKeys)!;
    expect(peer.verdict.rule).toBe('pinned-key');
    expect(namesOf(peer)).toEqual(NO_NAMES);
    expect(peer.spkiSha256).toBe(serverSees(alice, bothKeys)!.spkiSha256);
    expect(peer.spkiSha256).not.toBe(serverSees(bob, bothKeys)!.spkiSha256);
  });

  it('inside any-of too, when the key pin is the rule that accepted', () => {
    const peer = serverSees(aliceAsBob, { kind: 'any-of', policies: [{ kind: 'pinned-certificate', certificates: [bob.der] }, bothKeys] })!;
    expect(peer.verdict.rule).toBe('pinned-key');
    expect(namesOf(peer)).toEqual(NO_NAMES);
  });

  it('a pinned certificate reports the names it pins', () => {
    const peer = serverSees(bob, { kind: 'any-of', policies: [{ kind: 'pinned-certificate', certificates: [bob.der] }, bothKeys] })!;
    expect(peer.verdict.rule).toBe('pinned-certificate');
    expect(peer).toMatchObject({ subject: 'CN=bob', spiffeId: 'spiffe://example.org/bob', uris: ['spiffe://example.org/bob'] });
  });
});
