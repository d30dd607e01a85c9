// Attacker's scripts for the memos of issue 16 ("parse once"): the configuration's certificates are parsed
// once and reused (src/auth/configured-certificates.ts), a full handshake's early secret is computed once per
// provider and hash, HkdfLabels with an empty context once per label and length (src/handshake/keyschedule.ts).
// A memo must never answer for other bytes, another policy, across a HelloRetryRequest, or for a PSK.
import { describe, expect, it } from 'vitest';
import { parseConfiguredCertificate } from '../../src/auth/configured-certificates.js';
import { base64Encode } from '../../src/auth/pem.js';
import { parseCertificate } from '../../src/auth/x509.js';
import type { TrustPolicy } from '../../src/auth/trust.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { SessionTicket, TlsEvent } from '../../src/handshake/events.js';
import { hkdfExpandLabel, KeySchedule } from '../../src/handshake/keyschedule.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SUITES } from '../../src/handshake/suites.js';
import { makeIdentity, TEST_NOW, type Identity } from '../../src/testing/certs.js';
import { hex, utf8, Writer } from '../../src/wire/bytes.js';
import { CipherSuite, NamedGroup } from '../../src/wire/enums.js';

const random = seededRandom('parse-once attacker');
// Two servers whose certificates have the same length, so one can be written over the other in place.
const serverA = makeIdentity({ subject: { CN: 'server-a' }, sans: { dns: ['a.example'] } }, random);
const serverB = makeIdentity({ subject: { CN: 'server-b' }, sans: { dns: ['b.example'] } }, random);
const sha256 = (der: Uint8Array) => hex(nobleProvider.hash('sha256', der));

const serverConfig = (certificate: Identity, extra: Partial<ServerConfig> = {}): ServerConfig => ({ certificate, now: () => TEST_NOW, random: seededRandom('s'), ...extra });
const clientConfig = (trust: TrustPolicy, extra: Partial<ClientConfig> = {}): ClientConfig => ({ trust, now: () => TEST_NOW, random: seededRandom('c'), ...extra });
const alerts = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'alert' ? [`${e.direction} ${e.description}`] : []));
const retried = (events: TlsEvent[]) => events.some((e) => e.type === 'handshake-message' && e.message.kind === 'hello_retry_request');

describe('a configured certificate parsed once', () => {
  it('is parsed again when the same array holds other bytes', () => {
    expect(serverB.der.length).toBe(serverA.der.length);
    const pin = serverA.der.slice();
    expect(parseConfiguredCertificate(pin).subject.text).toBe('CN=server-a');
    pin.set(serverB.der);
    const reparsed = parseConfiguredCertificate(pin);
    expect(reparsed.subject.text).toBe('CN=server-b');
    expect(sha256(reparsed.der)).toBe(sha256(serverB.der));
    // Writing over the caller's array later cannot reach the parse either: it read a private copy.
    pin.set(serverA.der);
    expect(reparsed.subject.text).toBe('CN=server-b');
    expect(sha256(reparsed.der)).toBe(sha256(serverB.der));
  });

  it('cannot be changed by whoever holds it', () => {
    const parsed = parseConfiguredCertificate(serverA.der);
    expect(() => (parsed.subjectAltName!.dns as string[]).push('evil.example')).toThrow(TypeError);
    expect(() => Object.assign(parsed.subject, { text: 'CN=evil' })).toThrow(TypeError);
    expect(parseConfiguredCertificate(serverA.der).subjectAltName!.dns).toEqual(['a.example']);
  });

  it('a pin buffer refilled with another certificate between handshakes: the new one is trusted with its own identity, the old one refused', () => {
    const pin = serverA.der.slice();
    const policy: TrustPolicy = { kind: 'pinned-certificate', certificates: [pin] };
    const first = new InMemoryPair(clientConfig(policy), serverConfig(serverA)).run();
    expect(first.client.info.peer?.certificateSha256).toBe(sha256(serverA.der));
    pin.set(serverB.der);
    const second = new InMemoryPair(clientConfig(policy), serverConfig(serverB)).run();
    expect(alerts(second.events('client'))).toEqual([]);
    expect(second.client.info.peer).toMatchObject({ subject: 'CN=server-b', dnsNames: ['b.example'], certificateSha256: sha256(serverB.der) });
    const old = new InMemoryPair(clientConfig(policy), serverConfig(serverA)).run();
    expect(old.client.isConnected).toBe(false);
    expect(alerts(old.events('client'))).toEqual(['out bad_certificate']);
  });

  it("a pinned leaf's fingerprints (hashed once per configured certificate) follow a pin refilled in place, both ways, under one config object", () => {
    const pin = serverA.der.slice();
    const config = clientConfig({ kind: 'pinned-certificate', certificates: [pin] });
    const fingerprints = (identity: Identity) => {
      const spki = nobleProvider.hash('sha256', parseCertificate(identity.der).spki);
      return { certificateSha256: sha256(identity.der), spkiSha256: hex(spki), spkiSha256Base64: base64Encode(spki) };
    };
    const peer = (server: Identity) => new InMemoryPair(config, serverConfig(server)).run().client.info.peer;
    expect(peer(serverA)).toMatchObject(fingerprints(serverA));
    expect(peer(serverA)).toMatchObject(fingerprints(serverA));
    pin.set(serverB.der);
    expect(peer(serverB)).toMatchObject(fingerprints(serverB));
    pin.set(serverA.der);
    expect(peer(serverA)).toMatchObject(fingerprints(serverA));
  });

  it("a caller who edits one handshake's reported identity does not change the next one's", () => {
    const policy: TrustPolicy = { kind: 'pinned-certificate', certificates: [serverA.der] };
    const first = new InMemoryPair(clientConfig(policy), serverConfig(serverA)).run();
    const reported = first.client.info.peer as { dnsNames: string[]; uris: string[] };
    // The copy handed out is frozen (handed-out.ts): a write is refused with a TypeError or, were it not, must stay
    // the caller's own.
    const attempt = (write: () => void) => {
      try {
        write();
      } catch (e) {
        expect(e).toBeInstanceOf(TypeError);
      }
    };
    attempt(() => reported.dnsNames.push('evil.example'));
    attempt(() => reported.uris.push('spiffe://evil'));
    const second = new InMemoryPair(clientConfig(policy), serverConfig(serverA)).run();
    expect(second.client.info.peer).toMatchObject({ dnsNames: ['a.example'], uris: [] });
  });

  it('after a HelloRetryRequest, a certificate other than the pinned one is refused as not pinned (bad_certificate), whatever was memoised before', () => {
    const policy: TrustPolicy = { kind: 'pinned-certificate', certificates: [serverA.der] };
    // The client's first key share is x25519; the server takes only secp256r1: a HelloRetryRequest each time.
    const hrr = (server: Identity) =>
      new InMemoryPair(clientConfig(policy, { keyShareGroups: [NamedGroup.x25519] }), serverConfig(server, { groups: [NamedGroup.secp256r1] })).run();
    const pinned = hrr(serverA);
    expect(retried(pinned.events('client'))).toBe(true);
    expect(pinned.client.info.peer?.certificateSha256).toBe(sha256(serverA.der));
    const swapped = hrr(serverB);
    expect(retried(swapped.events('client'))).toBe(true);
    expect(swapped.client.isConnected).toBe(false);
    expect(swapped.client.info.peer).toBeUndefined();
    expect(alerts(swapped.events('client'))).toEqual(['out bad_certificate']);
  });

  it("a ticket's server, re-judged when the same pin buffer now holds another certificate, is not resumed", () => {
    const pin = serverA.der.slice();
    const policy: TrustPolicy = { kind: 'pinned-certificate', certificates: [pin] };
    const tickets = { count: 1, key: random(32) };
    const issuing = new InMemoryPair(clientConfig(policy), serverConfig(serverA, { tickets })).run();
    const event = issuing.events('client').find((e) => e.type === 'session-ticket');
    const ticket = (event as { ticket: SessionTicket }).ticket;
    const resumed = new InMemoryPair(clientConfig(policy, { resumption: { ticket } }), serverConfig(serverA, { tickets })).run();
    expect(resumed.client.info.resumed).toBe(true);
    pin.set(serverB.der);
    const rejudged = new InMemoryPair(clientConfig(policy, { resumption: { ticket } }), serverConfig(serverA, { tickets })).run();
    expect(rejudged.client.info.resumed).toBeUndefined();
    expect(alerts(rejudged.events('client'))).toEqual(['out bad_certificate']);
  });
});

describe('our own certificate, read once per configured bytes', () => {
  it('a CertifiedKey whose certificate and key are replaced between handshakes signs with a scheme of the new key', () => {
    const ed = makeIdentity({ subject: { CN: 'own' }, sans: { dns: ['own.example'] } }, random);
    const p256 = makeIdentity({ subject: { CN: 'own' }, sans: { dns: ['own.example'] }, keyType: 'p256' }, random);
    const own = { chain: [ed.der], privateKey: ed.privateKey };
    const server: ServerConfig = { certificate: own, now: () => TEST_NOW, random: seededRandom('s') };
    const scheme = (pair: InMemoryPair) =>
      pair.events('server').flatMap((e) => (e.type === 'decision' && e.topic === 'signature_scheme' ? [e.value] : []));
    const first = new InMemoryPair(clientConfig({ kind: 'pinned-certificate', certificates: [ed.der] }), server).run();
    expect(scheme(first)).toEqual(['ed25519']);
    own.chain = [p256.der];
    own.privateKey = p256.privateKey;
    const second = new InMemoryPair(clientConfig({ kind: 'pinned-certificate', certificates: [p256.der] }), server).run();
    expect(alerts(second.events('client'))).toEqual([]);
    expect(scheme(second)).toEqual(['ecdsa_secp256r1_sha256']);
    expect(second.client.info.peer?.certificateSha256).toBe(sha256(p256.der));
  });
});

describe('key schedule constants', () => {
  const suite = SUITES.get(CipherSuite.TLS_AES_128_GCM_SHA256)!;
  const zeros = new Uint8Array(32);

  it('a schedule with a PSK never starts from the memoised full-handshake early secret', () => {
    const full = new KeySchedule(nobleProvider, suite);
    const psk = random(32);
    const resumed = new KeySchedule(nobleProvider, suite, psk);
    expect(hex(full.earlySecret)).toBe(hex(nobleProvider.hkdfExtract('sha256', zeros, zeros)));
    expect(hex(resumed.earlySecret)).toBe(hex(nobleProvider.hkdfExtract('sha256', zeros, psk)));
    // Its handshake secret's salt comes from its own early secret too (RFC 8446 §7.1).
    const emptyHash = nobleProvider.hash('sha256', new Uint8Array(0));
    const salt = hkdfExpandLabel(nobleProvider, suite, resumed.earlySecret, 'derived', emptyHash, 32);
    const shared = random(32);
    expect(hex(resumed.enterHandshake(shared))).toBe(hex(nobleProvider.hkdfExtract('sha256', salt, shared)));
  });

  it('an HkdfLabel with an empty context is the one for its own length, whatever length came before', () => {
    const secret = random(32);
    const reference = (label: string, length: number) => {
      const info = new Writer().u16(length).vec(1, utf8.encode(`tls13 ${label}`)).vec(1, new Uint8Array(0)).finish();
      return hex(nobleProvider.hkdfExpand('sha256', secret, info, length));
    };
    for (const length of [16, 32, 16, 12, 32]) {
      expect(hex(hkdfExpandLabel(nobleProvider, suite, secret, 'key', new Uint8Array(0), length))).toBe(reference('key', length));
    }
  });

  it('an HkdfLabel with a context, written into one reused array, is whole each time: a longer label or context before leaves nothing behind', () => {
    const secret = random(32);
    const reference = (label: string, context: Uint8Array, length: number) => {
      const info = new Writer().u16(length).vec(1, utf8.encode(`tls13 ${label}`)).vec(1, context).finish();
      return hex(nobleProvider.hkdfExpand('sha256', secret, info, length));
    };
    // The same total length after a different label, context and output length: every byte must be rewritten.
    const calls: [string, Uint8Array, number][] = [
      ['c hs traffic', random(32), 32],
      ['s hs traffic', random(32), 32],
      ['res master', random(34), 48],
      ['resumption', random(36), 32],
      ['exp master', random(2), 32],
      ['c hs traffic', random(32), 32],
    ];
    for (const [label, context, length] of calls) {
      expect(hex(hkdfExpandLabel(nobleProvider, suite, secret, label, context, length))).toBe(reference(label, context, length));
    }
    // What the provider was lent is read during the call only; a later derivation does not change an earlier result.
    const first = hkdfExpandLabel(nobleProvider, suite, secret, 'c ap traffic', calls[0]![1], 32);
    const before = hex(first);
    hkdfExpandLabel(nobleProvider, suite, secret, 's ap traffic', calls[1]![1], 32);
    expect(hex(first)).toBe(before);
  });
});
