// Attacker: a peer whose Certificate message is as many entries as fit (RFC 8446 §4.4.2 sets no count; we set
// none of our own either, src/handshake/peer-certificate.ts): ~10,000 entries of one byte each, from a server to
// our client and from a client to our server under client auth; an empty entry among them; entries of 64 bytes;
// and ~200 parseable CA certificates of one name and one key, which every path-building step sees as issuers of
// one another. The handshake message limit (64 KiB, refused from the 4-byte header: test/fuzz/limits.test.ts)
// bounds the bytes; these tests count the work those bytes can buy: certificate parses (an entry too short to be
// a certificate is never parsed: 10,000 failed parses cost 170 ms; others at most once), candidate issuers
// considered and names compared while building paths (bounded by MAX_CANDIDATES_CONSIDERED and the signature
// budget, not by the number of entries squared), and the alert RFC 8446 names.
import { describe, expect, it, vi } from 'vitest';
import { MAX_CHAIN_ENTRIES_KEPT } from '../../src/auth/trust.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW, type Identity } from '../../src/testing/certs.js';
import { signingServer } from '../../src/testing/signing-server.js';
import { announcedSecret, editProtectedHandshake, suiteNamed } from '../../src/testing/tamper.js';
import type { Certificate } from '../../src/wire/types.js';

const counts = vi.hoisted(() => ({ parses: 0, nameComparisons: 0 }));
vi.mock('../../src/auth/x509.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/auth/x509.js')>();
  return { ...actual, parseCertificate: (der: Uint8Array) => (counts.parses++, actual.parseCertificate(der)) };
});
vi.mock('../../src/auth/path/name-match.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/auth/path/name-match.js')>();
  const sameNameAs: typeof actual.sameNameAs = (name) => {
    const same = actual.sameNameAs(name);
    return (other) => (counts.nameComparisons++, same(other));
  };
  return { ...actual, sameNameAs };
});

const random = seededRandom('resource-certificate-entries');
const ca = makeIdentity({ subject: { CN: 'entries CA' }, isCA: true, keyUsage: ['keyCertSign'] }, random);
const leaf = (cn: string) =>
  makeIdentity({ subject: { CN: cn }, issuer: ca, sans: { dns: ['server.example'] }, extKeyUsage: ['serverAuth', 'clientAuth'] }, random);
/** One-byte entries (cert_data<1..2^24-1> allows it): 6 bytes each on the wire, 10,000 in 60 KB. */
const TINY = 10_000;
const tiny = Array.from({ length: TINY }, () => Uint8Array.of(0x30));
/** Adds `extra` after the entries of a Certificate. */
const appending = (extra: Uint8Array[]) => (m: Certificate): Certificate => ({ ...m, entries: [...m.entries, ...extra.map((data) => ({ data, extensions: [] }))] });

/**
 * A server holding `identity` that sends `extra` after its chain and signs it (our server engine sends only
 * chains that parse: the attacker rewrites its flight, signing-server.ts); the client's later flights are withheld.
 */
function servingExtra(identity: Identity, extra: Uint8Array[]): InMemoryPair {
  const server = signingServer(() => p, identity.privateKey, appending(extra));
  const p: InMemoryPair = pair({}, { certificate: identity }, { tamper: server.tamper });
  return p;
}

function pair(client: Partial<ClientConfig>, server: Partial<ServerConfig>, options = {}) {
  return new InMemoryPair(
    { trust: { kind: 'ca', anchors: [ca.der] }, serverName: 'server.example', now: () => TEST_NOW, random: seededRandom('c'), ...client },
    { certificate: leaf('server'), now: () => TEST_NOW, random: seededRandom('s'), tickets: { count: 0 }, ...server },
    options,
  );
}

const alertsSent = (p: InMemoryPair, side: 'client' | 'server') =>
  p.events(side).flatMap((e: TlsEvent) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : []));

/** Runs `p` and returns the parses and name comparisons it cost. */
function measured(p: InMemoryPair): { parses: number; nameComparisons: number } {
  counts.parses = 0;
  counts.nameComparisons = 0;
  p.run();
  return { ...counts };
}

describe(`a Certificate message of ${TINY} one-byte entries after a valid leaf`, () => {
  it('from a server: no entry parsed, none a candidate issuer, and the client connects (unusable entries are skipped, as in rustls)', () => {
    const p = servingExtra(leaf('server'), tiny);
    const cost = measured(p);
    expect(p.client.isConnected).toBe(true);
    // The identity keeps the first 16 entries and counts the rest (resource-peer-chain.test.ts).
    expect(p.client.info.peer?.chain?.length).toBe(MAX_CHAIN_ENTRIES_KEPT);
    expect(p.client.info.peer?.chainEntriesOmitted).toBe(TINY + 1 - MAX_CHAIN_ENTRIES_KEPT);
    // The leaf alone: an entry too short to be a certificate is never parsed (a failed parse costs ~17 µs: 10,000 of
    // them were 170 ms of CPU, several handshakes' worth, for 60 KB).
    expect(cost.parses).toBeLessThanOrEqual(1);
    // Only the one anchor is ever compared as an issuer: junk never reaches path building.
    expect(cost.nameComparisons).toBeLessThanOrEqual(2);
  });

  it('from a client under client auth: no entry parsed on the server, then its CertificateVerify judged', () => {
    // Our client will not send a chain it cannot parse itself, so a man in the middle holding the client's
    // handshake keys appends the entries to its Certificate: the server does all the work the attacker's own
    // client would cost it (which would also sign them), then refuses the signature over the edited transcript.
    const holder: { p?: InMemoryPair } = {};
    let edited = false;
    const p = pair({ certificate: leaf('client') }, { clientAuth: 'require', trust: { kind: 'ca', anchors: [ca.der] } }, {
      tamper: ({ from, bytes }: { from: string; bytes: Uint8Array }) => {
        if (from !== 'client' || edited || !holder.p!.events('client').some((e) => e.type === 'secret' && e.name === 'client_handshake_traffic_secret')) return bytes;
        edited = true;
        const keys = { suite: suiteNamed(holder.p!.client.info.cipherSuite), secret: announcedSecret(holder.p!.events('client'), 'client_handshake_traffic_secret') };
        return editProtectedHandshake(bytes, keys, (messages) => messages.map((m) => (m.kind === 'certificate' ? appending(tiny)(m) : m)));
      },
    });
    holder.p = p;
    const cost = measured(p);
    expect(edited).toBe(true);
    expect(alertsSent(p, 'server')).toEqual(['decrypt_error']);
    // The leaf and the client's own certificate (parsed once, as configuration); none of the entries.
    expect(cost.parses).toBeLessThanOrEqual(2);
  });

  it('a leaf no anchor issued: unknown_ca, with none of the entries parsed', () => {
    const stranger = makeIdentity({ subject: { CN: 'stranger' }, sans: { dns: ['server.example'] }, extKeyUsage: ['serverAuth'] }, random);
    const p = servingExtra(stranger, tiny);
    const cost = measured(p);
    expect(alertsSent(p, 'client')).toEqual(['unknown_ca']);
    expect(cost.parses).toBeLessThanOrEqual(1);
  });

  it('entries of 64 bytes, as short as a certificate can nearly be: each parsed once, so at most ~900 parses a message', () => {
    const junk = Array.from({ length: Math.floor(60_000 / 69) }, () => Uint8Array.from({ length: 64 }, (_, i) => (i === 0 ? 0x30 : i === 1 ? 62 : 0)));
    const p = servingExtra(leaf('server'), junk);
    const cost = measured(p);
    expect(p.client.isConnected).toBe(true);
    expect(cost.parses).toBeLessThanOrEqual(junk.length + 1);
    expect(cost.parses).toBeGreaterThan(junk.length);
  });

  it('an empty entry among them: decode_error (cert_data<1..2^24-1>, RFC 8446 §4.4.2, §6.2), before any certificate is parsed', () => {
    const holder: { p?: InMemoryPair } = {};
    let edited = false;
    const p = pair({}, { certificate: leaf('server') }, {
      tamper: ({ from, bytes }: { from: string; bytes: Uint8Array }) => {
        if (from !== 'server' || edited) return bytes;
        edited = true;
        const keys = { suite: suiteNamed(holder.p!.server.info.cipherSuite), secret: announcedSecret(holder.p!.events('server'), 'server_handshake_traffic_secret') };
        const withEmpty = tiny.map((data, i) => (i === TINY / 2 ? new Uint8Array(0) : data));
        return editProtectedHandshake(bytes, keys, (messages) => messages.map((m) => (m.kind === 'certificate' ? appending(withEmpty)(m) : m)));
      },
    });
    holder.p = p;
    const cost = measured(p);
    expect(alertsSent(p, 'client')).toEqual(['decode_error']);
    expect(cost.parses).toBe(0);
  });
});

describe('~200 CA certificates of one name and one key (each an issuer of every other), under a CA policy', () => {
  // Self-issued CAs (subject = issuer) of one key, so one key identifier: every step of path building finds all
  // of them as candidate issuers, and a certificate's signature once verified with that key is free the next time.
  const malloryKey = makeIdentity({ subject: { CN: 'mallory' } }, random).privateKey;
  const sameCa = (serial: bigint): Identity =>
    makeIdentity({ subject: { CN: 'mallory CA' }, serial, isCA: true, keyUsage: ['keyCertSign'], privateKey: malloryKey }, random);
  const intermediates: Uint8Array[] = [];
  for (let serial = 1n, bytes = 0; ; serial++) {
    const der = sameCa(serial).der;
    if (bytes + der.length + 5 > 60_000) break;
    intermediates.push(der);
    bytes += der.length + 5;
  }
  const fakeLeaf = () => makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['server.example'] }, extKeyUsage: ['serverAuth'], issuer: sameCa(0n), chainExtra: intermediates }, random);

  it('the client refuses with bad_certificate once its budget is spent; candidates and name comparisons stay bounded', () => {
    expect(intermediates.length).toBeGreaterThan(150);
    const p = pair({}, { certificate: fakeLeaf() });
    const cost = measured(p);
    expect(alertsSent(p, 'client')).toEqual(['bad_certificate']);
    expect(cost.parses).toBeLessThanOrEqual(intermediates.length + 1);
    console.log(`path building over ${intermediates.length} look-alike CAs: ${cost.nameComparisons} name comparisons`);
    // 4,096 candidates at most (MAX_CANDIDATES_CONSIDERED), each found by one pass over the pool per step.
    expect(cost.nameComparisons).toBeLessThanOrEqual(4096 * 4);
  });
});
