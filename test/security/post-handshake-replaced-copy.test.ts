// Attacker: the application that receives the 'post-handshake-auth' event. When a client proves another identity
// after the handshake (RFC 8446 §4.6.2), the event names the one it replaced (`replaced`). That object was the
// engine's own record of the earlier peer, handed out as it was: its verdict's path ends with the trust anchor's
// DER as the server's config holds it, parsed once and shared by every connection made from that config. A caller
// that wrote into `replaced` (a wipe of what it no longer needs, a buffer reused) wrote into the server's trust
// anchor: every later connection's `info.peer.verdict.path` reported those bytes as the anchor it was judged under.
// `replaced` is now a copy (handed-out.ts handedOut), as everything else the engine hands out.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeCast, SERVER_NAME } from '../../src/scenarios/mutual-tls.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';

const cast = makeCast('post-handshake replaced copy');
const issued = (cn: string, serial: bigint) =>
  makeIdentity({ subject: { O: 'Example Org', CN: cn }, serial, issuer: cast.privateCa, keyUsage: ['digitalSignature'], extKeyUsage: ['clientAuth'] }, seededRandom(`replaced copy/${cn}`));
const erin = issued('erin', 200n);
const frank = issued('frank', 201n);
const anchor = cast.privateCa.der.slice();

/** One server config for every connection: what it parsed once (its anchors) is shared by all of them. */
const serverConfig: ServerConfig = {
  now: () => TEST_NOW,
  random: seededRandom('replaced copy/server'),
  certificate: cast.server,
  trust: { kind: 'ca', anchors: [cast.privateCa.der] },
  clientAuth: 'optional',
  tickets: { count: 0 },
};
const clientConfig = (seed: string): ClientConfig => ({
  now: () => TEST_NOW,
  random: seededRandom(`replaced copy/${seed}`),
  serverName: SERVER_NAME,
  trust: { kind: 'ca', anchors: [cast.webCa.der] },
  postHandshakeAuth: true,
  certificate: 'ask',
});

/** erin in the handshake; then frank, when given, answers a post-handshake CertificateRequest. */
function erinThen(seed: string, second?: typeof frank) {
  const pair = new InMemoryPair(clientConfig(seed), serverConfig);
  pair.run();
  pair.client.resolve({ kind: 'client-certificate', certificate: erin });
  pair.run();
  expect(pair.server.info.peer?.subject).toBe('CN=erin,O=Example Org');
  if (!second) return pair;
  pair.server.requestClientCertificate();
  pair.run();
  pair.client.resolve({ kind: 'client-certificate', certificate: second });
  pair.run();
  return pair;
}

const wipe = (bytes: Uint8Array) => bytes.fill(0xee);

describe("the 'post-handshake-auth' event's `replaced` is the caller's own", () => {
  it('writing over every byte of it reaches neither this connection, nor a later one, nor the config', () => {
    const pair = erinThen('first', frank);
    const event = pair.events('server').find((e): e is Extract<TlsEvent, { type: 'post-handshake-auth' }> => e.type === 'post-handshake-auth');
    const replaced = event!.replaced!;
    expect(replaced.subject).toBe('CN=erin,O=Example Org');
    expect(replaced.verdict.path!.at(-1)).toEqual(anchor);
    for (const bytes of [...replaced.chain, ...replaced.verdict.path!]) wipe(bytes);

    // This connection, now frank's: its path ends with the same anchor.
    expect(pair.server.info.peer?.subject).toBe('CN=frank,O=Example Org');
    expect(pair.server.info.peer?.verdict.path!.at(-1)).toEqual(anchor);
    // The next connection made from the same config is judged under, and reports, the anchor as configured.
    const next = erinThen('second');
    expect(next.server.info.peer?.verdict.path).toEqual([erin.der, anchor]);
    expect(cast.privateCa.der).toEqual(anchor);
  });

  it('control: an answer with the same identity replaces nobody', () => {
    const pair = erinThen('third', erin);
    const event = pair.events('server').find((e) => e.type === 'post-handshake-auth');
    expect(event).toMatchObject({ answer: 'certificate', info: { peer: { subject: 'CN=erin,O=Example Org' } } });
    expect(event).not.toHaveProperty('replaced');
  });
});
