// Attacker's scripts against external PSKs (RFC 8446 §4.2.11). A PSK authenticates the peer, so every
// way of getting a server to accept a PSK it should not, or to report an identity nobody proved, is tried:
// a wrong key, an unknown identity, the right identity with a binder of the wrong hash or of a ticket's
// binder key, a truncated binders list, a PSK in ClientHello1 but not ClientHello2, psk_ke when not enabled
// (both roles), and a `require` client-auth policy that a PSK must not skip.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import type { ExternalPsk } from '../../src/handshake/external-psk.js';
import { InMemoryPair, type Flight } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { editPlaintextHandshake, editServerHello } from '../../src/testing/tamper.js';
import { fromHex, utf8 } from '../../src/wire/bytes.js';
import { CipherSuite, ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import type { ClientHello } from '../../src/wire/types.js';

const serverIdentity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('psk-attacks-server'));
const aliceClient = makeIdentity({ subject: { CN: 'alice' } }, seededRandom('psk-attacks-alice'));
const alice: ExternalPsk = { identity: 'alice', key: fromHex('00112233445566778899aabbccddeeff') };
const now = () => TEST_NOW;

function server(extra: Partial<ServerConfig> = {}): ServerConfig {
  return { now, random: seededRandom('attacked server'), externalPsks: { keys: [alice] }, ...extra };
}

function client(extra: Partial<ClientConfig> = {}): ClientConfig {
  return { now, random: seededRandom('attacking client'), externalPsks: { keys: [alice] }, ...extra };
}

const alertsSent = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : []));
const connected = (events: TlsEvent[]) => events.some((e) => e.type === 'connected');

/** A tamper hook that rewrites the client's ClientHello(s). */
function editClientHello(edit: (hello: ClientHello, index: number) => ClientHello) {
  let hellos = 0;
  return (flight: Flight) =>
    flight.from === 'client' ? editPlaintextHandshake(flight.bytes, (ms) => ms.map((m) => (m.kind === 'client_hello' ? edit(m, hellos++) : m))) : flight.bytes;
}

/** What the server's application observed. */
function serverSaw(pair: InMemoryPair) {
  return { alerts: alertsSent(pair.events('server')), connected: connected(pair.events('server')), peer: pair.server.info.peer };
}

describe('external PSKs under attack (RFC 8446 §4.2.11)', () => {
  it('refuses a binder made with the wrong key for a known identity with decrypt_error ("MUST abort")', () => {
    const mallory = client({ externalPsks: { keys: [{ identity: 'alice', key: new Uint8Array(16).fill(9) }] } });
    expect(serverSaw(new InMemoryPair(mallory, server({ certificate: serverIdentity })).run())).toEqual({ alerts: ['decrypt_error'], connected: false, peer: undefined });
  });

  it('does not accept an external PSK whose binder was keyed like a ticket\'s ("res binder", RFC 8446 §7.1)', () => {
    // The same identity and key, offered as if it were a resumption ticket: only the binder label differs.
    const ticket = { lifetime: 7200, ageAdd: 0, nonce: new Uint8Array(0), ticket: utf8.encode('alice'), psk: alice.key, cipherSuite: CipherSuite.TLS_AES_128_GCM_SHA256 };
    const mallory: ClientConfig = { now, random: seededRandom('res label'), trust: { kind: 'pinned-certificate', certificates: [serverIdentity.der] }, resumption: { ticket } };
    expect(serverSaw(new InMemoryPair(mallory, server({ certificate: serverIdentity })).run())).toEqual({ alerts: ['decrypt_error'], connected: false, peer: undefined });
  });

  it('refuses a binder of the right identity computed with the wrong hash (SHA-384 for a SHA-256 PSK) as malformed', () => {
    const wrongHash = client({ externalPsks: { keys: [{ ...alice, hash: 'sha384' }] } });
    const saw = serverSaw(new InMemoryPair(wrongHash, server({ certificate: serverIdentity })).run());
    // §4.2.11.2: a binder is Hash.length bytes; 48 bytes where 32 belong is a decode_error (as OpenSSL), never accepted.
    expect(saw).toEqual({ alerts: ['decode_error'], connected: false, peer: undefined });
  });

  it('does not select a PSK bound to another hash than the suite it must use: a full handshake, not the PSK', () => {
    const sha384 = { keys: [{ ...alice, hash: 'sha384' as const }] };
    const only256 = server({ certificate: serverIdentity, externalPsks: sha384, cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256] });
    const pair = new InMemoryPair(client({ externalPsks: sha384, trust: { kind: 'pinned-certificate', certificates: [serverIdentity.der] } }), only256).run();
    expect(serverSaw(pair)).toEqual({ alerts: [], connected: true, peer: undefined });
    expect(pair.client.info.peer?.subject).toBe('CN=server');
  });

  it('answers an unknown identity with a full handshake when it has a certificate, and never reports the identity', () => {
    const stranger = client({ externalPsks: { keys: [{ identity: 'mallory', key: alice.key }] }, trust: { kind: 'pinned-certificate', certificates: [serverIdentity.der] } });
    const pair = new InMemoryPair(stranger, server({ certificate: serverIdentity })).run();
    expect(serverSaw(pair)).toEqual({ alerts: [], connected: true, peer: undefined });
  });

  it('answers an unknown identity with unknown_psk_identity when it has no certificate (RFC 8446 §6.2)', () => {
    const stranger = client({ externalPsks: { keys: [{ identity: 'mallory', key: alice.key }] } });
    expect(serverSaw(new InMemoryPair(stranger, server()).run())).toEqual({ alerts: ['unknown_psk_identity'], connected: false, peer: undefined });
  });

  it('refuses a ClientHello whose binders list is shorter than its identities list with illegal_parameter', () => {
    const tamper = editClientHello((hello) => {
      const psk = X.findExtension(hello.extensions, ExtensionType.pre_shared_key)!;
      const offered = X.preSharedKeyClientHello.parse(psk.data);
      const truncated = X.preSharedKeyClientHello.encode({ identities: [...offered.identities, { identity: utf8.encode('bob'), obfuscatedTicketAge: 0 }], binders: offered.binders });
      return { ...hello, extensions: hello.extensions.map((e) => (e === psk ? X.ext(ExtensionType.pre_shared_key, truncated) : e)) };
    });
    expect(serverSaw(new InMemoryPair(client(), server({ certificate: serverIdentity }), { tamper }).run())).toEqual({ alerts: ['illegal_parameter'], connected: false, peer: undefined });
  });

  it('does not carry a PSK of ClientHello1 over a HelloRetryRequest into a ClientHello2 without one', () => {
    // ClientHello1 from alice (valid binder, x25519 share); the server wants secp256r1; ClientHello2 lost its PSK.
    const tamper = editClientHello((hello, index) => (index === 0 ? hello : { ...hello, extensions: hello.extensions.filter((e) => e.type !== ExtensionType.pre_shared_key) }));
    const pair = new InMemoryPair(client({ trust: { kind: 'pinned-certificate', certificates: [serverIdentity.der] } }), server({ certificate: serverIdentity, groups: [NamedGroup.secp256r1] }), { tamper }).run();
    const serverEvents = pair.events('server');
    expect(serverEvents.some((e) => e.type === 'handshake-message' && e.message.kind === 'hello_retry_request')).toBe(true);
    expect(serverEvents.some((e) => e.type === 'decision' && e.topic === 'external_psk')).toBe(false);
    expect(serverEvents.some((e) => e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'certificate')).toBe(true);
    expect(pair.server.info.peer).toBeUndefined();
  });

  it('reports the PSK identity only once the client Finished verified, not after the binder alone', () => {
    const pair = new InMemoryPair(client(), server());
    pair.step('client'); // ClientHello with a valid binder
    expect(pair.server.info.peer).toBeUndefined();
    pair.step('server');
    // Mallory, who does not hold the PSK, cannot produce the client Finished: drop it and send garbage in its place.
    pair.pull('client');
    pair.queue.client.splice(0);
    pair.run();
    expect(pair.server.info.peer).toBeUndefined();
    expect(connected(pair.events('server'))).toBe(false);
  });

  it('does not use psk_ke when the server did not enable it: full handshake with a certificate, handshake_failure without', () => {
    const pskKeOnly = { externalPsks: { keys: [alice], modes: ['psk_ke' as const] } };
    const withCertificate = new InMemoryPair(client({ ...pskKeOnly, trust: { kind: 'pinned-certificate', certificates: [serverIdentity.der] } }), server({ certificate: serverIdentity })).run();
    expect(withCertificate.server.info.peer).toBeUndefined();
    expect(withCertificate.server.info.group).toBe('X25519MLKEM768');
    expect(serverSaw(new InMemoryPair(client(pskKeOnly), server()).run())).toEqual({ alerts: ['handshake_failure'], connected: false, peer: undefined });
  });

  it('refuses a ServerHello that accepts our PSK without a key_share when we offered only psk_dhe_ke (no silent loss of forward secrecy)', () => {
    const tamper = (flight: Flight) =>
      flight.from === 'server' ? editServerHello(flight.bytes, (sh) => ({ ...sh, extensions: sh.extensions.filter((e) => e.type !== ExtensionType.key_share) })) : flight.bytes;
    const pair = new InMemoryPair(client(), server(), { tamper }).run();
    expect(alertsSent(pair.events('client'))).toEqual(['missing_extension']);
    expect(pair.client.info.peer).toBeUndefined();
  });

  describe("a server that requires client authentication (clientAuth 'require')", () => {
    // Decision (docs/security.md): an external PSK the server was provisioned with is a client credential,
    // like a pinned certificate: it meets `require`. Nothing else may: no PSK means a certificate.
    const requiring = () => server({ certificate: serverIdentity, clientAuth: 'require', trust: { kind: 'pinned-certificate', certificates: [aliceClient.der] } });
    const trustServer = { trust: { kind: 'pinned-certificate' as const, certificates: [serverIdentity.der] } };

    it('accepts a client that proved a provisioned PSK, reported as that PSK', () => {
      const pair = new InMemoryPair(client(trustServer), requiring()).run();
      expect(serverSaw(pair)).toMatchObject({ alerts: [], connected: true, peer: { kind: 'psk', identity: 'alice' } });
    });

    it('sends a client with an unknown PSK identity and no certificate away with certificate_required', () => {
      const stranger = client({ ...trustServer, externalPsks: { keys: [{ identity: 'mallory', key: alice.key }] } });
      expect(serverSaw(new InMemoryPair(stranger, requiring()).run())).toEqual({ alerts: ['certificate_required'], connected: false, peer: undefined });
    });

    it('does not let a ticket from a PSK session resume once that PSK is deleted: the ticket carries no client certificate', () => {
      // While the PSK is held, its ticket resumes as that PSK (resumed-external-psk.test.ts).
      const tickets = { count: 1, key: new Uint8Array(32).fill(3) };
      const first = new InMemoryPair(client(trustServer), { ...requiring(), tickets }).run();
      const event = first.events('client').find((e) => e.type === 'session-ticket');
      if (event?.type !== 'session-ticket') throw new Error('no ticket');
      const ticketOnly: ClientConfig = { now, random: seededRandom('ticket only'), ...trustServer, resumption: { ticket: event.ticket } };
      const aliceDeleted = { ...requiring(), tickets, externalPsks: { keys: [{ identity: 'carol', key: new Uint8Array(16).fill(0xca) }] } };
      expect(serverSaw(new InMemoryPair(ticketOnly, aliceDeleted).run())).toEqual({ alerts: ['certificate_required'], connected: false, peer: undefined });
    });
  });
});
