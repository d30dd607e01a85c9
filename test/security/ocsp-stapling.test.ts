// Attacker's scripts against OCSP stapling (RFC 8446 §4.4.2.1, RFC 6066 §8, RFC 6960 §3.2 and §4.2.2):
// a server (or a man in the middle with a CA-signed certificate) staples a response that must not make
// the client believe a status it cannot trust. Each case runs a full in-memory handshake and asserts the
// exact alert the client sends: bad_certificate_status_response for a staple it cannot believe,
// certificate_revoked for a believable "revoked" under a CA policy, unsupported_extension for a staple
// it did not ask for.
import { describe, expect, it } from 'vitest';
import { OID } from '../../src/auth/oids.js';
import type { TrustPolicy } from '../../src/auth/trust.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { DAY, makeIdentity, TEST_NOW, withUndecodableName, type Identity } from '../../src/testing/certs.js';
import { buildOcspResponse, type OcspResponseSpec } from '../../src/testing/ocsp.js';
import { editPlaintextHandshake, editServerHello, handshakeRewriter } from '../../src/testing/tamper.js';
import * as X from '../../src/wire/extensions.js';
import type { CertificateEntry, HandshakeMessage } from '../../src/wire/types.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { ContentType, ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import { rsaTestKey } from '../../src/testing/rsa-keys.js';

const random = seededRandom('ocsp stapling attacker');
const NOW = TEST_NOW;
const HOUR = 60 * 60 * 1000;
const ca = makeIdentity({ subject: { CN: 'Stapling CA' }, keyType: 'p256', isCA: true, serial: 1n }, random);
/** Another CA of the same name: what a forger would mint to pass a name comparison. */
const sameNameRogue = makeIdentity({ subject: { CN: 'Stapling CA' }, keyType: 'p256', isCA: true, serial: 1n }, random);
const rogueCa = makeIdentity({ subject: { CN: 'Rogue CA' }, keyType: 'p256', isCA: true, serial: 1n }, random);
const server = (serial: bigint) =>
  makeIdentity({ subject: { CN: 'victim.example' }, issuer: ca, serial, sans: { dns: ['victim.example'] }, extKeyUsage: ['serverAuth'], keyType: 'p256' }, random);
const leaf = server(0x1001n);
const leafWithCa: Identity = { ...leaf, chain: [leaf.der, ca.der] };
const otherLeaf = server(0x1002n);
const responder = (issuer: Identity, extKeyUsage: string[]) =>
  makeIdentity({ subject: { CN: 'Stapling CA OCSP responder' }, issuer, serial: 0x77n, extKeyUsage, keyUsage: ['digitalSignature'], keyType: 'p256' }, random);
const delegated = responder(ca, [OID.ocspSigning]);
const withoutEku = responder(ca, ['serverAuth']);
const fromRogue = responder(rogueCa, [OID.ocspSigning]);
const fromSameNameRogue = responder(sameNameRogue, [OID.ocspSigning]);
/** A responder the CA certified with a 1024-bit RSA key: below the floor path validation sets for every key. */
const weakResponder = makeIdentity({ subject: { CN: 'Weak responder' }, issuer: ca, serial: 0x78n, extKeyUsage: [OID.ocspSigning], keyUsage: ['digitalSignature'], privateKey: rsaTestKey(1024) }, random);
/** A server certificate (mis)issued with id-kp-OCSPSigning too: its own key would vouch for its own status. */
const selfResponding = makeIdentity(
  { subject: { CN: 'victim.example' }, issuer: ca, serial: 0x1003n, sans: { dns: ['victim.example'] }, extKeyUsage: ['serverAuth', OID.ocspSigning], keyType: 'p256' },
  random,
);
const caPolicy: TrustPolicy = { kind: 'ca', anchors: [ca.der] };

function staple(spec: Partial<OcspResponseSpec> = {}): Uint8Array {
  const base: OcspResponseSpec = { leaf: leaf.certificate, issuer: ca.certificate, signer: ca, status: 'good', thisUpdate: NOW - HOUR, nextUpdate: NOW + DAY };
  return buildOcspResponse({ ...base, ...spec }, nobleProvider, random);
}
const withoutNextUpdate = (thisUpdate: number) =>
  buildOcspResponse({ leaf: leaf.certificate, issuer: ca.certificate, signer: ca, status: 'good', thisUpdate }, nobleProvider, random);
const signedBy = (r: Identity): Partial<OcspResponseSpec> => ({ signer: r, certs: [r.der] });

interface Run {
  pair: InMemoryPair;
  alerts: string[];
  decisions: string[];
}

interface Options {
  statusRequest?: boolean;
  trust?: TrustPolicy;
  /** The server's certificate chain (default: the leaf alone). */
  certificate?: Identity;
  /** An attacker with the server's handshake keys rewrites the server's first encrypted flight. */
  editServerFlight?: (message: HandshakeMessage) => HandshakeMessage;
}

function handshake(ocspResponse: Uint8Array | undefined, options: Options = {}): Run {
  const client: ClientConfig = { trust: options.trust ?? caPolicy, serverName: 'victim.example', now: () => NOW, random: seededRandom('c'), statusRequest: options.statusRequest ?? true };
  const serverConfig: ServerConfig = { certificate: options.certificate ?? leaf, now: () => NOW, random: seededRandom('s'), ...(ocspResponse ? { ocspResponse } : {}) };
  const rewriter = options.editServerFlight && handshakeRewriter(() => pair, 'server', options.editServerFlight);
  const pair: InMemoryPair = new InMemoryPair(client, serverConfig, rewriter ? { tamper: rewriter.tamper } : {});
  pair.run();
  const events = pair.events('client');
  return {
    pair,
    alerts: events.flatMap((e: TlsEvent) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : [])),
    decisions: events.flatMap((e: TlsEvent) => (e.type === 'decision' && e.topic === 'ocsp' ? [`${e.value}: ${e.reason}`] : [])),
  };
}

/** Rewrites the CertificateEntry list of the server's Certificate. */
const editEntries = (edit: (entries: CertificateEntry[]) => CertificateEntry[]) => (m: HandshakeMessage): HandshakeMessage =>
  m.kind === 'certificate' ? { ...m, entries: edit(m.entries) } : m;

function refused(run: Run, alert: string, detail: RegExp): void {
  expect(run.alerts).toEqual([alert]);
  expect(run.pair.client.isConnected).toBe(false);
  expect(run.pair.client.info.peer).toBeUndefined();
  const sent = run.pair.events('client').find((e) => e.type === 'alert' && e.direction === 'out');
  expect(sent?.type === 'alert' && sent.detail).toMatch(detail);
}

describe('a staple the client can believe', () => {
  it('reports good for a response the issuer signed, in the verdict and the trace', () => {
    const run = handshake(staple());
    expect(run.pair.client.isConnected).toBe(true);
    expect(run.pair.client.info.peer?.verdict).toMatchObject({ trusted: true, rule: 'ca', ocsp: { status: 'good', responder: 'the issuer "CN=Stapling CA"' } });
    expect(run.decisions).toEqual([expect.stringMatching(/^good: good, signed by the issuer "CN=Stapling CA", thisUpdate 2025-12-31T23:00:00.000Z, nextUpdate 2026-01-02/)]);
  });

  it('accepts a delegated responder the issuer certified for OCSPSigning, named by key', () => {
    const run = handshake(staple({ ...signedBy(delegated), responderId: 'byKey', hash: 'sha256' }));
    expect(run.pair.client.info.peer?.verdict.ocsp).toMatchObject({ status: 'good', responder: 'delegated responder "CN=Stapling CA OCSP responder"' });
  });

  it('reports unknown without failing (no revocation information is not revocation)', () => {
    const run = handshake(staple({ status: 'unknown' }));
    expect(run.pair.client.isConnected).toBe(true);
    expect(run.pair.client.info.peer?.verdict.ocsp?.status).toBe('unknown');
  });

  it('accepts a response without nextUpdate while thisUpdate is under a day old (RFC 6960 §4.2.2.1)', () => {
    const run = handshake(withoutNextUpdate(NOW - HOUR));
    expect(run.pair.client.info.peer?.verdict.ocsp).toMatchObject({ status: 'good', detail: expect.stringContaining('no nextUpdate') });
  });

  it('staples only when the client asked: nothing in the Certificate otherwise', () => {
    const run = handshake(staple(), { statusRequest: false });
    expect(run.pair.client.isConnected).toBe(true);
    const certificate = run.pair.events('client').find((e) => e.type === 'handshake-message' && e.message.kind === 'certificate');
    expect(certificate?.type === 'handshake-message' && certificate.message.kind === 'certificate' && certificate.message.entries.map((e) => e.extensions.length)).toEqual([0]);
    expect(run.pair.client.info.peer?.verdict.ocsp).toBeUndefined();
  });

  it('connects as before when the server has no staple to give', () => {
    const run = handshake(undefined);
    expect(run.pair.client.isConnected).toBe(true);
    expect(run.pair.client.info.peer?.verdict.ocsp).toBeUndefined();
  });
});

describe('a staple the client must not believe: bad_certificate_status_response', () => {
  it('refuses a staple for another certificate of the same CA (another serial)', () => {
    refused(handshake(staple({ leaf: otherLeaf.certificate })), 'bad_certificate_status_response', /does not name "CN=victim.example" \(serial 1001.*it names serial 1002/);
  });

  it.each(['sha1', 'sha256'] as const)("refuses a %s CertID with the leaf's serial but another issuer's name or key hash, though the issuer signed it", (hash) => {
    const rogueLeaf = makeIdentity({ subject: { CN: 'victim.example' }, issuer: rogueCa, serial: 0x1001n, keyType: 'p256' }, random);
    refused(handshake(staple({ hash, leaf: rogueLeaf.certificate })), 'bad_certificate_status_response', new RegExp(`it names serial 1001 \\(${hash}\\)`));
    refused(handshake(staple({ hash, issuer: sameNameRogue.certificate })), 'bad_certificate_status_response', /does not name "CN=victim.example" \(serial 1001/);
  });

  it('refuses a staple that names the leaf but is signed by an unrelated key', () => {
    refused(handshake(staple({ signer: { certificate: ca.certificate, privateKey: rogueCa.privateKey } })), 'bad_certificate_status_response', /signature does not verify with the key of "CN=Stapling CA"/);
  });

  it('refuses a delegated responder without the id-kp-OCSPSigning extKeyUsage', () => {
    refused(handshake(staple(signedBy(withoutEku))), 'bad_certificate_status_response', /lacks the id-kp-OCSPSigning extKeyUsage/);
  });

  it('refuses a delegated responder another CA issued', () => {
    refused(handshake(staple(signedBy(fromRogue))), 'bad_certificate_status_response', /was not issued by "CN=Stapling CA"/);
  });

  it('refuses a delegated responder from another CA of the same name (its signature, not its name, decides)', () => {
    refused(handshake(staple(signedBy(fromSameNameRogue))), 'bad_certificate_status_response', /is not signed by the key of "CN=Stapling CA"/);
  });

  it('refuses an expired staple (nextUpdate in the past)', () => {
    refused(handshake(staple({ thisUpdate: NOW - 3 * DAY, nextUpdate: NOW - DAY })), 'bad_certificate_status_response', /nextUpdate 2025-12-31T00:00:00.000Z has passed/);
  });

  it('refuses a staple from the future (thisUpdate after now)', () => {
    refused(handshake(staple({ thisUpdate: NOW + HOUR, nextUpdate: NOW + 2 * DAY })), 'bad_certificate_status_response', /thisUpdate 2026-01-01T01:00:00.000Z is in the future/);
  });

  it('refuses a staple without nextUpdate that is older than a day', () => {
    refused(handshake(withoutNextUpdate(NOW - 2 * DAY)), 'bad_certificate_status_response', /no nextUpdate and thisUpdate .* is older than 24 hours/);
  });

  it('refuses a truncated staple and garbage (which a ServerConfig refuses up front: a hostile server sends them)', () => {
    const good = staple();
    expect(() => handshake(good.subarray(0, good.length - 7))).toThrow(/ocspResponse must be a DER OCSPResponse/);
    for (const bad of [good.subarray(0, good.length - 7), random(300)]) {
      const replaced = X.ext(ExtensionType.status_request, X.statusRequestCertificate.encode(bad));
      const replaceStaple = editEntries(([first, ...rest]) => [{ ...first!, extensions: [replaced] }, ...rest]);
      refused(handshake(good, { editServerFlight: replaceStaple }), 'bad_certificate_status_response', /malformed OCSP response/);
    }
  });

  it('refuses a responder error stapled as if it were a status', () => {
    refused(handshake(staple({ responseStatus: 3 })), 'bad_certificate_status_response', /answered tryLater/);
  });

  it('refuses a delegated responder whose RSA key is below our floor (a forger who factors it says good for revoked certificates)', () => {
    refused(handshake(staple(signedBy(weakResponder))), 'bad_certificate_status_response', /delegated responder "CN=Weak responder".*RSA key of 1024 bits is below our minimum of 2048/);
  });

  it("refuses a staple signed by the leaf's own key, even when its certificate carries id-kp-OCSPSigning (a revoked key would vouch for itself)", () => {
    const own = staple({ leaf: selfResponding.certificate, ...signedBy(selfResponding) });
    // The webpki profile (the default) refuses such a server certificate before its staple (BR §7.1.2.7.10);
    // under rfc5280 the certificate passes and the staple must be the one refused.
    refused(handshake(own, { certificate: selfResponding }), 'unsupported_certificate', /OCSPSigning is not allowed in a TLS server certificate/);
    refused(handshake(own, { certificate: selfResponding, trust: { ...caPolicy, profile: 'rfc5280' } }), 'bad_certificate_status_response', /is the leaf itself: a certificate cannot vouch for its own status/);
  });

  it('refuses a staple whose certs hold a certificate with an undecodable name: the staple alert, not internal_error', () => {
    const poisoned = staple({ certs: [withUndecodableName(rogueCa.der, 'Rogue CA')] });
    expect(() => handshake(poisoned)).toThrow(TypeError);
    const replaced = X.ext(ExtensionType.status_request, X.statusRequestCertificate.encode(poisoned));
    const replaceStaple = editEntries(([first, ...rest]) => [{ ...first!, extensions: [replaced] }, ...rest]);
    refused(handshake(staple(), { editServerFlight: replaceStaple }), 'bad_certificate_status_response', /OCSP response: malformed certificate: .*UniversalString code point 110000 beyond U\+10FFFF/);
  });
});

describe('revocation and solicitation', () => {
  it('fails a revoked staple under the ca policy with certificate_revoked, naming time and reason', () => {
    refused(handshake(staple({ status: { revokedAt: NOW - 2 * DAY, reason: 1 } })), 'certificate_revoked', /revoked per its OCSP staple: revoked at 2025-12-30T00:00:00.000Z \(keyCompromise\)/);
  });

  it('finds the revoked status of the leaf among SingleResponses that say good for other certificates', () => {
    refused(handshake(staple({ others: [otherLeaf.certificate, ca.certificate], status: { revokedAt: NOW - DAY } })), 'certificate_revoked', /revoked per its OCSP staple/);
  });

  it('reports, but does not act on, a revoked staple under a pinned-certificate policy', () => {
    const run = handshake(staple({ status: { revokedAt: NOW - 2 * DAY } }), { trust: { kind: 'pinned-certificate', certificates: [leaf.der] }, certificate: leafWithCa });
    expect(run.pair.client.isConnected).toBe(true);
    expect(run.pair.client.info.peer?.verdict).toMatchObject({ rule: 'pinned-certificate', ocsp: { status: 'revoked' } });
  });

  it('aborts with unsupported_extension when a staple arrives that the client did not ask for (RFC 8446 §4.2)', () => {
    const unsolicited = X.ext(ExtensionType.status_request, X.statusRequestCertificate.encode(staple()));
    const addStaple = editEntries(([first, ...rest]) => [{ ...first!, extensions: [unsolicited] }, ...rest]);
    refused(handshake(undefined, { statusRequest: false, editServerFlight: addStaple }), 'unsupported_extension', /CertificateEntry carries status_request, which we did not offer/);
  });

  it('ignores (and traces) a solicited staple on a non-leaf entry: it speaks of the intermediate, not of the leaf', () => {
    // Moved from the leaf to the CA's entry in flight: the client ignores it, then the transcript the
    // server signed no longer matches (decrypt_error), not a staple alert.
    const moveStaple = editEntries(([first, second]) => [{ ...first!, extensions: [] }, { ...second!, extensions: first!.extensions }]);
    const run = handshake(staple(), { certificate: leafWithCa, editServerFlight: moveStaple });
    expect(run.decisions).toEqual([expect.stringMatching(/^ignored: an OCSP staple on certificate_list\[1\], not the leaf/)]);
    expect(run.alerts).toEqual(['decrypt_error']);
  });
});

describe('status_request where RFC 8446 §4.2 does not put it (ClientHello, CertificateRequest, Certificate only)', () => {
  const emptyStatusRequest = X.ext(ExtensionType.status_request, new Uint8Array(0));

  it('in ServerHello: illegal_parameter, though the client offered it', () => {
    const tamper = (flight: { from: string; bytes: Uint8Array }) =>
      flight.from === 'server' && flight.bytes[0] === ContentType.handshake ? editServerHello(flight.bytes, (sh) => ({ ...sh, extensions: [...sh.extensions, emptyStatusRequest] })) : flight.bytes;
    const pair = new InMemoryPair({ trust: caPolicy, serverName: 'victim.example', now: () => NOW, random: seededRandom('c'), statusRequest: true }, { certificate: leaf, now: () => NOW, random: seededRandom('s'), ocspResponse: staple() }, { tamper });
    pair.run();
    expect(pair.events('client').flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [`${e.description}: ${e.detail}`] : []))).toEqual(['illegal_parameter: status_request is not allowed in SH']);
  });

  it('in a HelloRetryRequest: illegal_parameter', () => {
    const tamper = (flight: { from: string; bytes: Uint8Array }) =>
      flight.from === 'server' && flight.bytes[0] === ContentType.handshake
        ? editPlaintextHandshake(flight.bytes, (messages) => messages.map((m) => (m.kind === 'hello_retry_request' ? { ...m, extensions: [...m.extensions, emptyStatusRequest] } : m)))
        : flight.bytes;
    const pair = new InMemoryPair(
      { trust: caPolicy, serverName: 'victim.example', now: () => NOW, random: seededRandom('c'), statusRequest: true, groups: [NamedGroup.x25519, NamedGroup.secp256r1], keyShareGroups: [NamedGroup.x25519] },
      { certificate: leaf, now: () => NOW, random: seededRandom('s'), ocspResponse: staple(), groups: [NamedGroup.secp256r1] },
      { tamper },
    );
    pair.run();
    // The HelloRetryRequest (the server has no share for x25519) is refused as it is parsed.
    expect(pair.events('client').flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [`${e.description}: ${e.detail}`] : []))).toEqual(['illegal_parameter: status_request is not allowed in HRR']);
  });

  it('in EncryptedExtensions, where TLS 1.2 acknowledged it: illegal_parameter', () => {
    const addToEncryptedExtensions = (m: HandshakeMessage) => (m.kind === 'encrypted_extensions' ? { ...m, extensions: [...m.extensions, emptyStatusRequest] } : m);
    refused(handshake(staple(), { editServerFlight: addToEncryptedExtensions }), 'illegal_parameter', /status_request is not allowed in EE/);
  });

  it("in the client's Certificate, which our CertificateRequest did not ask for: unsupported_extension", () => {
    const client = makeIdentity({ subject: { CN: 'client' }, issuer: ca, serial: 0x2001n, extKeyUsage: ['clientAuth'], keyType: 'p256' }, random);
    const clientStaple = X.ext(ExtensionType.status_request, X.statusRequestCertificate.encode(staple({ leaf: client.certificate })));
    const addStaple = editEntries(([first, ...rest]) => [{ ...first!, extensions: [clientStaple] }, ...rest]);
    const rewriter = handshakeRewriter(() => pair, 'client', addStaple);
    const pair: InMemoryPair = new InMemoryPair(
      { trust: caPolicy, serverName: 'victim.example', now: () => NOW, random: seededRandom('c'), certificate: client },
      { certificate: leaf, now: () => NOW, random: seededRandom('s'), clientAuth: 'require', trust: caPolicy },
      { tamper: rewriter.tamper },
    );
    pair.run();
    expect(rewriter.edited()).toBe(true);
    expect(pair.events('server').flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [`${e.description}: ${e.detail}`] : []))).toEqual([
      'unsupported_extension: CertificateEntry carries status_request, which we did not request',
    ]);
    expect(pair.server.info.peer).toBeUndefined();
  });
});
