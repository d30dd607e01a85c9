// The mutual-TLS scenarios end as the RFC says they must. Where a scenario's point is what a
// CertificateVerify signature covers, node:crypto checks the signature that crossed the wire against a
// transcript hash computed here from the raw handshake messages, independently of the engine.
import { constants, createHash, generateKeyPairSync, sign, verify, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadPrivateKey } from '../../src/auth/keys.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import {
  makeCast,
  MUTUAL_TLS_SCENARIOS,
  runMutualTlsScenario,
  SERVER_NAME,
  WORKLOAD_SPIFFE_ID,
  type MutualTlsScenarioName,
  type ScenarioResult,
} from '../../src/scenarios/mutual-tls.js';
import { makeIdentity, sendingWhatItSigns, TEST_NOW } from '../../src/testing/certs.js';
import { announcedSecret, editProtectedHandshake, suiteNamed } from '../../src/testing/tamper.js';
import { SignatureScheme } from '../../src/wire/enums.js';

const SEED = 'scenario tests';
const cast = makeCast(SEED);

function expectRefusal(result: ScenarioResult, alert: string): void {
  expect(result.actual).toMatchObject({ kind: 'alert', alert, sentBy: 'server' });
  const received = result.pair.events('client').find((e) => e.type === 'alert' && e.direction === 'in');
  expect(received).toMatchObject({ level: 'fatal', description: alert });
  expect(result.pair.server.state).toBe('CLOSED');
  expect(result.pair.client.state).toBe('CLOSED');
  expect(result.pair.server.info.peer).toBeUndefined();
  expect(result.asExpected).toBe(true);
}

type MessageEvent = Extract<TlsEvent, { type: 'handshake-message' }>;

/** The client's handshake messages in transcript order (both directions), as raw bytes with headers. */
function clientTranscript(result: ScenarioResult): MessageEvent[] {
  return result.pair.events('client').filter((e): e is MessageEvent => e.type === 'handshake-message');
}

/**
 * What the client's CertificateVerify covers, computed with node:crypto: 64 spaces, the context string,
 * a zero byte, and SHA-256 over every handshake message up to and including the client's Certificate
 * (RFC 8446 §4.4.3; the scenarios negotiate TLS_AES_128_GCM_SHA256).
 */
function signedContent(result: ScenarioResult, role: 'client' | 'server'): { content: Buffer; signature: Buffer } {
  expect(result.pair.client.info.cipherSuite).toBe('TLS_AES_128_GCM_SHA256');
  const messages = clientTranscript(result);
  const cvIndex = messages.findIndex((m) => m.direction === 'out' && m.message.kind === 'certificate_verify');
  const cv = messages[cvIndex]!.message;
  if (cv.kind !== 'certificate_verify') throw new Error('unreachable');
  const hash = createHash('sha256');
  for (const m of messages.slice(0, cvIndex)) hash.update(m.raw);
  const content = Buffer.concat([Buffer.alloc(64, 0x20), Buffer.from(`TLS 1.3, ${role} CertificateVerify`), Buffer.from([0]), hash.digest()]);
  return { content, signature: Buffer.from(cv.signature) };
}

const publicKeyOf = (der: Uint8Array) => new X509Certificate(der).publicKey;

describe('a server that pins one self-signed client certificate', () => {
  it('accepts the client holding that certificate and its key, and shows who it is', () => {
    const result = runMutualTlsScenario('pinned-self-signed', SEED);
    const x509 = new X509Certificate(cast.alice.der);
    expect(result.actual.kind).toBe('connected');
    expect(result.pair.server.state).toBe('CONNECTED');
    expect(result.clientIdentity).toMatchObject({
      subject: 'CN=alice',
      certificateSha256: x509.fingerprint256.replace(/:/g, '').toLowerCase(),
      keyType: 'Ed25519',
      verdict: { trusted: true, rule: 'pinned-certificate' },
    });
    expect(result.pair.server.info.clientAuth).toBe('authenticated');
    expect(result.asExpected).toBe(true);
  });

  it('refuses a client that presents the copied certificate but signs with another key, with decrypt_error', () => {
    const result = runMutualTlsScenario('stolen-certificate', SEED);
    expectRefusal(result, 'decrypt_error');
    // The pin matched: the certificate alone was "trusted", and still the client is refused.
    expect(result.serverTrustDecision).toMatch(/^trusted: pinned-certificate/);
    const { content, signature } = signedContent(result, 'client');
    expect(verify(null, content, publicKeyOf(cast.mallory.der), signature)).toBe(true);
    expect(verify(null, content, publicKeyOf(cast.alice.der), signature)).toBe(false);
  });

  it('refuses a CertificateVerify replayed from an earlier handshake, with decrypt_error, because the transcript differs', () => {
    const result = runMutualTlsScenario('replayed-certificate-verify', SEED);
    expectRefusal(result, 'decrypt_error');
    const { content, signature } = signedContent(result, 'client');
    expect(verify(null, content, publicKeyOf(cast.alice.der), signature)).toBe(false);
  });

  it('refuses a CertificateVerify signed by the right key over this transcript with the server context string, with decrypt_error', () => {
    const result = runMutualTlsScenario('wrong-context', SEED);
    expectRefusal(result, 'decrypt_error');
    const alice = publicKeyOf(cast.alice.der);
    const asServer = signedContent(result, 'server');
    const asClient = signedContent(result, 'client');
    expect(verify(null, asServer.content, alice, asServer.signature)).toBe(true);
    expect(verify(null, asClient.content, alice, asClient.signature)).toBe(false);
  });

  it('refuses another self-signed certificate with bad_certificate, before reading its CertificateVerify', () => {
    const result = runMutualTlsScenario('unpinned-self-signed', SEED);
    expectRefusal(result, 'bad_certificate');
    expect(result.serverTrustDecision).toBeUndefined();
    expect(result.pair.events('server').some((e) => e.type === 'handshake-message' && e.message.kind === 'certificate_verify' && e.direction === 'in')).toBe(false);
  });

  it('refuses a client that has no certificate with certificate_required', () => {
    const result = runMutualTlsScenario('no-certificate-when-required', SEED);
    expectRefusal(result, 'certificate_required');
    const sent = clientTranscript(result).find((m) => m.direction === 'out' && m.message.kind === 'certificate');
    expect(sent?.message).toMatchObject({ kind: 'certificate', entries: [] });
  });
});

describe('a server that trusts a private CA for client certificates', () => {
  it('accepts a client certificate issued by the CA and reads its SPIFFE ID', () => {
    const result = runMutualTlsScenario('private-ca', SEED);
    const x509 = new X509Certificate(cast.workload.der);
    expect(x509.subjectAltName).toBe(`URI:${WORKLOAD_SPIFFE_ID}`);
    expect(x509.verify(publicKeyOf(cast.privateCa.der))).toBe(true);
    expect(result.actual.kind).toBe('connected');
    expect(result.clientIdentity).toMatchObject({ spiffeId: WORKLOAD_SPIFFE_ID, uris: [WORKLOAD_SPIFFE_ID], verdict: { trusted: true, rule: 'ca' } });
    expect(result.asExpected).toBe(true);
  });

  const refusals: Array<[MutualTlsScenarioName, string, string]> = [
    ['unpinned-self-signed-ca-policy', 'unknown_ca', 'a self-signed certificate no anchor issued'],
    ['missing-client-auth-eku', 'unsupported_certificate', 'a leaf whose extKeyUsage lists only serverAuth'],
    ['expired-client-certificate', 'certificate_expired', 'a leaf that expired 30 days ago'],
    ['ca-leaf', 'bad_certificate', 'a leaf that carries basicConstraints cA=TRUE'],
  ];
  for (const [name, alert, what] of refusals) {
    it(`refuses ${what} with ${alert}`, () => expectRefusal(runMutualTlsScenario(name, SEED), alert));
  }

  it('issues test certificates whose properties node:crypto reads the same way', () => {
    const ca = new X509Certificate(cast.privateCa.der);
    expect(ca.ca).toBe(true);
    expect(new X509Certificate(cast.caLeaf.der).ca).toBe(true);
    expect(new X509Certificate(cast.workload.der).ca).toBe(false);
    expect(Date.parse(new X509Certificate(cast.expiredLeaf.der).validTo)).toBeLessThan(TEST_NOW);
    expect(new X509Certificate(cast.serverOnlyLeaf.der).keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
  });
});

describe('every scenario', () => {
  it('ends as it expects, for another seed too', () => {
    for (const name of Object.keys(MUTUAL_TLS_SCENARIOS) as MutualTlsScenarioName[]) {
      expect({ name, asExpected: runMutualTlsScenario(name, 'another seed').asExpected }).toEqual({ name, asExpected: true });
    }
  });
});

describe('a CertificateVerify whose scheme the CertificateRequest did not offer', () => {
  // Our client never picks such a scheme itself (it chooses among the server's offer), so this test plays
  // a client that does: its RSA key signs the right content with RSA-PSS-SHA384 (node:crypto), a valid
  // signature, and the CertificateVerify is relabelled rsa_pss_rsae_sha384, which the server left out of
  // its CertificateRequest. The only fault is the unoffered scheme.
  it('is refused with illegal_parameter even though the signature is valid', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsaClient = makeIdentity(
      { subject: { CN: 'rsa client' }, extKeyUsage: ['clientAuth'], privateKey: loadPrivateKey(new Uint8Array(rsa.privateKey.export({ type: 'pkcs8', format: 'der' }))) },
      seededRandom('rsa client'),
    );
    const signed: Buffer[] = [];
    // Signed under SHA-384 while the engine asks for rsa_pss_rsae_sha256: the client runs a copy that sends it unverified.
    const client = sendingWhatItSigns({
      chain: rsaClient.chain,
      signer: (_scheme: number, content: Uint8Array) => {
        signed.push(Buffer.from(content));
        return sign('sha384', content, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 });
      },
    });
    let clientFlights = 0;
    const pair: InMemoryPair = new InMemoryPair(
      { now: () => TEST_NOW, random: seededRandom('c'), serverName: SERVER_NAME, trust: { kind: 'ca', anchors: [cast.webCa.der] }, ...client },
      {
        now: () => TEST_NOW,
        random: seededRandom('s'),
        certificate: cast.server,
        clientAuth: 'require',
        trust: { kind: 'pinned-certificate', certificates: [rsaClient.der] },
        signatureSchemes: [SignatureScheme.ecdsa_secp256r1_sha256, SignatureScheme.rsa_pss_rsae_sha256],
      },
      {
        tamper: ({ from, bytes }) => {
          if (from !== 'client' || ++clientFlights !== 2) return bytes;
          const keys = { suite: suiteNamed(pair.client.info.cipherSuite), secret: announcedSecret(pair.events('client'), 'client_handshake_traffic_secret') };
          return editProtectedHandshake(bytes, keys, (messages) =>
            messages.map((m) => (m.kind === 'certificate_verify' ? { ...m, scheme: SignatureScheme.rsa_pss_rsae_sha384 } : m)),
          );
        },
      },
    );
    pair.run();

    const sentAlert = pair.events('server').find((e) => e.type === 'alert' && e.direction === 'out');
    expect(sentAlert).toMatchObject({ description: 'illegal_parameter', reason: 'CertificateVerifySchemeNotOffered' });
    expect(pair.server.state).toBe('CLOSED');
    expect(pair.client.state).toBe('CLOSED');
    // The signature itself was good under the scheme it claimed.
    expect(signed).toHaveLength(1);
    expect(verify('sha384', signed[0]!, { key: rsa.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }, signerOutput(pair))).toBe(true);
  });
});

/** The signature in the client's CertificateVerify as it sent it. */
function signerOutput(pair: InMemoryPair): Buffer {
  const cv = pair.events('client').find((e): e is MessageEvent => e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'certificate_verify');
  if (cv?.message.kind !== 'certificate_verify') throw new Error('the client sent no CertificateVerify');
  return Buffer.from(cv.message.signature);
}
