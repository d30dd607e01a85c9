// Attacker's script against getPeerCertificate() of the node adapter: node:tls's view of the peer's leaf is
// made by OpenSSL (X509Certificate), so a leaf our parser takes and OpenSSL refuses made it throw, in the
// 'secureConnect' handler of a client with rejectUnauthorized: false (node's "connect anyway"), where node:tls
// itself would have refused the handshake. The certificate: a subjectUniqueID ([2] IMPLICIT BIT STRING,
// RFC 5280 §4.1.2.8) whose content is no BIT STRING (8 unused bits, or no unused-bits octet at all). Our
// parser skipped it unread; now it reads it as the BIT STRING it is and refuses what X.690 §8.6.2 forbids.
import { X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { der } from '../../src/auth/der-writer.js';
import { parseCertificate } from '../../src/auth/x509.js';
import { seededRandom } from '../../src/crypto/random.js';
import { connect, createServer, type Tls13Server } from '../../src/node/adapter.js';
import { DAY, makeIdentity } from '../../src/testing/certs.js';
import { hex } from '../../src/wire/bytes.js';
import { listen } from '../node/fixtures.js';

// The attacker's server does not judge its own certificate: it parses the valid twin of the odd leaf (same
// key, same length) wherever it reads its configured certificate. The client parses what arrives.
const twins = vi.hoisted(() => new Map<string, Uint8Array>());
vi.mock('../../src/auth/configured-certificates.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/auth/configured-certificates.js')>();
  return { ...actual, parseConfiguredCertificate: (bytes: Uint8Array) => actual.parseConfiguredCertificate(twins.get(hex(bytes)) ?? bytes) };
});

/** The DER elements inside one constructed element (short or long definite lengths). */
function elementsIn(tlv: Uint8Array): Uint8Array[] {
  const lengthOctets = (at: number) => (tlv[at + 1]! & 0x80 ? 1 + (tlv[at + 1]! & 0x7f) : 1);
  const inner = tlv.subarray(1 + lengthOctets(0));
  const out: Uint8Array[] = [];
  for (let i = 0; i < inner.length; ) {
    const n = inner[i + 1]! & 0x80 ? inner[i + 1]! & 0x7f : 0;
    const length = n === 0 ? inner[i + 1]! : inner.subarray(i + 2, i + 2 + n).reduce((a, b) => a * 256 + b, 0);
    out.push(inner.subarray(i, i + 2 + n + length));
    i += 2 + n + length;
  }
  return out;
}

/** `base` with a subjectUniqueID of these content octets after its subjectPublicKeyInfo (the signature no longer matches: nobody checks it under rejectUnauthorized: false). */
function withSubjectUniqueId(base: Uint8Array, content: number[]): Uint8Array {
  const [tbs, algorithm, signature] = elementsIn(base);
  const fields = elementsIn(tbs!);
  return der.sequence(der.sequence(...fields.slice(0, 7), Uint8Array.of(0x82, content.length, ...content), ...fields.slice(7)), algorithm!, signature!);
}

const random = seededRandom('peer certificate view');
const validity = { notBefore: Date.now() - DAY, notAfter: Date.now() + 30 * DAY };
const server = makeIdentity({ subject: { CN: 'odd.example' }, sans: { dns: ['odd.example'] }, keyType: 'p256', ...validity }, random);

describe('subjectUniqueID is a BIT STRING (RFC 5280 §4.1.2.8, X.690 §8.6.2)', () => {
  it.each([
    ['8 unused bits', [0x08, 0x00]],
    ['no unused-bits octet', []],
  ])('%s: refused by our parser as by OpenSSL', (_name, content) => {
    const odd = withSubjectUniqueId(server.der, content);
    expect(() => new X509Certificate(odd)).toThrow();
    expect(() => parseCertificate(odd)).toThrow(/subjectUniqueID/);
  });

  it('a well-formed one is read by both', () => {
    const fine = withSubjectUniqueId(server.der, [0x07, 0x80]);
    expect(new X509Certificate(fine).subject).toBe('CN=odd.example');
    expect(parseCertificate(fine).subject.text).toBe('CN=odd.example');
  });
});

describe('a client with rejectUnauthorized: false meets that leaf', () => {
  let listening: Tls13Server | undefined;
  afterEach(() => listening?.close());

  it('refuses it in the handshake (bad_certificate), as node:tls would, instead of connecting to a peer getPeerCertificate() throws on', async () => {
    const odd = withSubjectUniqueId(server.der, [0x08, 0x00]);
    const twin = withSubjectUniqueId(server.der, [0x00, 0x00]);
    twins.set(hex(odd), twin);
    listening = createServer({ certificate: { ...server, chain: [odd] } }, (socket) => socket.end('hello'));
    listening.on('tlsClientError', () => {});
    const port = await listen(listening);
    const client = connect({ host: '127.0.0.1', port, servername: 'odd.example', rejectUnauthorized: false });
    const outcome = await new Promise<{ error?: Error; viewed?: unknown }>((resolve) => {
      client.on('error', (error) => resolve({ error }));
      client.on('secureConnect', () => {
        try {
          resolve({ viewed: client.getPeerCertificate() });
        } catch (error) {
          resolve({ viewed: error });
        }
      });
    });
    expect(outcome.viewed).toBeUndefined();
    expect(outcome.error).toMatchObject({ direction: 'sent', alert: 'bad_certificate' });
    expect(outcome.error?.message).toMatch(/subjectUniqueID/);
  });
});
