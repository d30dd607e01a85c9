import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { generateKeyPair } from '../../src/auth/builder.js';
import { encodeSpki } from '../../src/auth/keys.js';
import type { TlsEvent } from '../../src/handshake/events.js';

const certificateEvent = (events: TlsEvent[]) => {
  const event = events.find((e) => e.type === 'handshake-message' && e.message.kind === 'certificate');
  if (event?.type !== 'handshake-message' || !event.spans) throw new Error('no traced Certificate');
  return event;
};

describe('certificate annotation in traces', () => {
  it('explains the certificate inside a Certificate message field by field, at the right bytes', () => {
    const server = makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['a.example'] } }, seededRandom('annotate'));
    const pair = new InMemoryPair({ trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, trace: true }, { certificate: server }).run();
    const { raw, spans } = certificateEvent(pair.events('client'));
    const body = raw.subarray(4);
    for (const span of spans!) expect(span.offset + span.length).toBeLessThanOrEqual(body.length);
    const notAfter = spans!.find((s) => s.path.endsWith('cert_data.certificate.tbsCertificate.validity.notAfter'));
    expect(notAfter).toBeDefined();
    // The annotated bytes hold the same instant node:crypto reads from the certificate.
    const text = Buffer.from(body.subarray(notAfter!.offset, notAfter!.offset + notAfter!.length)).toString('latin1');
    const validTo = new Date(new X509Certificate(server.der).validTo);
    expect(text).toContain(validTo.toISOString().slice(2, 10).replace(/-/g, ''));
    expect(spans!.some((s) => s.path.includes('subjectAltName'))).toBe(true);
  });

  it('explains a raw public key as a SubjectPublicKeyInfo', () => {
    const { privateKey } = generateKeyPair('ed25519', seededRandom('annotate-rpk'), nobleProvider);
    const spki = encodeSpki(nobleProvider.publicKeyOf(privateKey));
    const pair = new InMemoryPair(
      { serverCertificateTypes: ['raw-public-key'], trust: { kind: 'pinned-key', keys: [spki] }, trace: true },
      { rawPublicKey: { privateKey } },
    ).run();
    const { spans } = certificateEvent(pair.events('client'));
    expect(spans!.some((s) => s.path.includes('cert_data.subjectPublicKeyInfo'))).toBe(true);
  });
});
