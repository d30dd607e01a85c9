// Differential tests: every certificate is parsed by node:crypto's X509Certificate as well, and the
// two parsers must agree (fingerprint, names, SANs, validity, key type, signature check).
import { execFileSync } from 'node:child_process';
import { createPublicKey, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from '../../src/testing/interop.js';
import { describe, expect, it } from 'vitest';
import { parseIpAddress } from '../../src/auth/hostname.js';
import { encodeSpki } from '../../src/auth/keys.js';
import { parsePem } from '../../src/auth/pem.js';
import { DerReader } from '../../src/auth/der.js';
import { der } from '../../src/auth/der-writer.js';
import { certificateSha256, formatIp, parseCertificate } from '../../src/auth/x509.js';
import type { Certificate } from '../../src/auth/x509.js';
import { TlsError } from '../../src/wire/errors.js';
import type { Span } from '../../src/wire/bytes.js';
import { buildCertificate } from '../../src/auth/builder.js';
import type { KeyKind } from './helpers.js';
import { DAY, issue, KEY_KINDS, makeChain, nodeKey, NOW, provider, random } from './helpers.js';

/** node's subjectAltName text, e.g. "DNS:a, IP Address:1.2.3.4", rebuilt from our parse. */
function sanText(cert: Certificate): string[] {
  const san = cert.subjectAltName;
  if (!san) return [];
  return [
    ...san.email.map((e) => `email:${e}`),
    ...san.dns.map((d) => `DNS:${d}`),
    ...san.uri.map((u) => `URI:${u}`),
    ...san.ip.map((ip) => `IP:${ip.text}`),
  ].sort();
}

/** node's SAN string normalised: IP addresses re-read as bytes so IPv6 spellings compare. */
function nodeSanText(x: X509Certificate): string[] {
  if (!x.subjectAltName) return [];
  return x.subjectAltName
    .split(', ')
    .map((entry) => {
      if (!entry.startsWith('IP Address:')) return entry;
      const bytes = parseIpAddress(entry.slice('IP Address:'.length));
      if (!bytes) throw new Error(`node printed an IP we cannot read: ${entry}`);
      return `IP:${formatIp(bytes)}`;
    })
    .sort();
}

/** node prints names one attribute a line, in encoding order. */
function forwardName(cert: Certificate, which: 'subject' | 'issuer'): string {
  return cert[which].rdns.map((rdn) => rdn.map((a) => `${a.label}=${a.value}`).join('+')).join('\n');
}

function expectAgreement(cert: Certificate, derBytes: Uint8Array, issuerDer?: Uint8Array) {
  const x = new X509Certificate(derBytes);
  expect(certificateSha256(derBytes, provider).hex.toUpperCase().match(/../g)!.join(':')).toBe(x.fingerprint256);
  expect(forwardName(cert, 'subject')).toBe(x.subject);
  expect(forwardName(cert, 'issuer')).toBe(x.issuer);
  expect(sanText(cert)).toEqual(nodeSanText(x));
  expect(cert.notBefore).toBe(Date.parse(x.validFrom));
  expect(cert.notAfter).toBe(Date.parse(x.validTo));
  expect(cert.serialNumber.toUpperCase().replace(/^0+(?=.)/, '')).toBe(x.serialNumber.replace(/^0+(?=.)/, ''));
  expect(cert.basicConstraints?.cA ?? false).toBe(x.ca);
  expect(cert.extKeyUsage?.oids ?? []).toEqual(x.keyUsage ?? []);
  const nodeType = x.publicKey.asymmetricKeyType;
  expect(cert.publicKey?.kind).toBe(nodeType === 'ec' ? 'ecdsa' : nodeType);
  // The SPKI we extracted is the one node sees, and re-encoding our parsed key gives the same bytes.
  const nodeSpki = new Uint8Array(x.publicKey.export({ format: 'der', type: 'spki' }));
  expect(Buffer.from(cert.spki).equals(nodeSpki)).toBe(true);
  expect(Buffer.from(encodeSpki(cert.publicKey!)).equals(nodeSpki)).toBe(true);
  const issuerKey = issuerDer ? new X509Certificate(issuerDer).publicKey : x.publicKey;
  expect(x.verify(issuerKey)).toBe(true);
}

describe('certificates made by our builder, read by node:crypto and by us', () => {
  for (const kind of KEY_KINDS) {
    it(`agree on a self-signed ${kind} certificate`, () => {
      const self = issue({ CN: `self ${kind}`, O: 'Example Inc', C: 'NL' }, nodeKey(kind), undefined, {
        sans: { dns: ['a.example', 'b.example'], ip: ['10.0.0.1', '::1'], uri: ['spiffe://example.org/svc'], email: ['ops@example.org'] },
        extKeyUsage: ['clientAuth', 'serverAuth'],
      });
      expectAgreement(self.cert, self.der);
    });
  }

  it('agree on every certificate of a CA-signed chain of three with mixed key types', () => {
    const { root, intermediate, leaf } = makeChain({}, ['rsa2048', 'p384', 'ed25519']);
    expectAgreement(root.cert, root.der);
    expectAgreement(intermediate.cert, intermediate.der, root.der);
    expectAgreement(leaf.cert, leaf.der, intermediate.der);
    expect(leaf.cert.authorityKeyIdentifier?.keyIdentifier).toEqual(intermediate.cert.subjectKeyIdentifier);
  });

  it('agree on every certificate of chains with RSASSA-PSS, Ed448 and P-521 keys at each position', () => {
    for (const kinds of [['rsa-pss-sha384', 'ed448', 'p521'], ['p521', 'rsa-pss', 'ed448'], ['ed448', 'p521', 'rsa-pss-sha384']] as [KeyKind, KeyKind, KeyKind][]) {
      const { root, intermediate, leaf } = makeChain({}, kinds);
      expectAgreement(root.cert, root.der);
      expectAgreement(intermediate.cert, intermediate.der, root.der);
      expectAgreement(leaf.cert, leaf.der, intermediate.der);
    }
  });

  it('agree on an RSA-PSS signed certificate', () => {
    const ca = issue({ CN: 'PSS CA' }, nodeKey('rsa2048'), undefined, { isCA: true, signatureAlgorithm: { kind: 'rsa-pss', hash: 'sha256', saltLength: 32 } });
    const leaf = issue({ CN: 'pss leaf' }, nodeKey('p256'), ca, { signatureAlgorithm: { kind: 'rsa-pss', hash: 'sha384', saltLength: 48 } });
    expect(leaf.cert.signatureAlgorithm.algorithm).toEqual({ kind: 'rsa-pss', hash: 'sha384', saltLength: 48 });
    expectAgreement(leaf.cert, leaf.der, ca.der);
  });

  it('writes the subject in RFC 4514 order with special characters escaped, as node escapes them', () => {
    const c = issue({ CN: ' lead+trail ', O: 'Example, Inc.', C: 'NL' }, nodeKey('p256'), undefined);
    // RFC 4514 §2.4: escape , + and a leading or trailing space; last RDN first.
    expect(c.cert.subject.text).toBe('CN=\\ lead\\+trail\\ ,O=Example\\, Inc.,C=NL');
    expect(new X509Certificate(c.der).subject).toContain('O=Example\\, Inc.');
  });

  it('reads keyUsage bits the way node reads them', () => {
    const c = issue({ CN: 'ku' }, nodeKey('p256'), undefined, { keyUsage: ['digitalSignature', 'keyEncipherment', 'decipherOnly'] });
    expect(c.cert.keyUsage).toEqual(['digitalSignature', 'keyEncipherment', 'decipherOnly']);
    // node:crypto exposes no keyUsage bits; openssl's text form is the independent reading.
    const text = opensslText(c.der);
    if (text !== undefined) expect(text).toMatch(/Digital Signature, Key Encipherment, Decipher Only/);
  });
});

function opensslText(derBytes: Uint8Array): string | undefined {
  if (!existsSync('/usr/bin/openssl')) return undefined;
  return execFileSync('openssl', ['x509', '-inform', 'DER', '-noout', '-text'], { input: derBytes }).toString();
}

describe('certificates made by openssl req -x509', () => {

  const cases: [string, string[]][] = [
    ['ec P-256', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']],
    ['ec P-384', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-sha384']],
    ['rsa 2048', ['-newkey', 'rsa:2048']],
    ['rsa 2048 with PSS', ['-newkey', 'rsa:2048', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32']],
    ['ed25519', ['-newkey', 'ed25519']],
    ['ed448', ['-newkey', 'ed448']],
    ['ec P-521', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-521', '-sha512']],
    ['rsa-pss 2048 without parameters', ['-newkey', 'rsa-pss', '-pkeyopt', 'rsa_keygen_bits:2048']],
    ['rsa-pss 2048 restricted to SHA-384', ['-newkey', 'rsa-pss', '-pkeyopt', 'rsa_keygen_bits:2048', '-pkeyopt', 'rsa_pss_keygen_md:sha384', '-pkeyopt', 'rsa_pss_keygen_mgf1_md:sha384', '-pkeyopt', 'rsa_pss_keygen_saltlen:48']],
  ];
  for (const [name, args] of cases) {
    it(`parse an openssl ${name} certificate and agree with node`, (test) => {
      requireBinary('openssl', test);
      const dir = mkdtempSync(join(tmpdir(), 'tls13-auth-'));
      try {
        const certPath = join(dir, 'cert.pem');
        execFileSync('openssl', [
          'req', '-x509', ...args, '-nodes', '-keyout', join(dir, 'key.pem'), '-out', certPath, '-days', '30',
          '-subj', '/C=DE/O=Open SSL/CN=openssl.example',
          '-addext', 'subjectAltName=DNS:openssl.example,IP:127.0.0.1,IP:fe80::1:2,URI:spiffe://x/y,email:a@b.example',
          '-addext', 'extendedKeyUsage=serverAuth',
        ], { stdio: 'pipe' });
        const [block] = parsePem(readFileSync(certPath, 'utf8'));
        const cert = parseCertificate(block!.der);
        expect(cert.subject.text).toBe('CN=openssl.example,O=Open SSL,C=DE');
        expect(cert.signatureAlgorithm.algorithm).toBeDefined();
        expectAgreement(cert, block!.der);
        // The key file loads too, and its public half is the certificate's.
        const keyPem = readFileSync(join(dir, 'key.pem'), 'utf8');
        const nodeSpki = createPublicKey(keyPem).export({ format: 'der', type: 'spki' });
        expect(Buffer.from(cert.spki).equals(nodeSpki)).toBe(true);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

/** Rebuilds a certificate with its tbsCertificate elements changed by `edit` (signature left as is). */
function rewriteTbs(derBytes: Uint8Array, edit: (elements: Uint8Array[]) => Uint8Array[]): Uint8Array {
  const outer = new DerReader(derBytes).sequence();
  const tbs = outer.sequence();
  const elements: Uint8Array[] = [];
  while (!tbs.atEnd) elements.push(tbs.any().raw);
  const rest: Uint8Array[] = [];
  while (!outer.atEnd) rest.push(outer.any().raw);
  return der.sequence(der.sequence(...edit(elements)), ...rest);
}

function expectBadCertificate(derBytes: Uint8Array, message: RegExp) {
  let error: unknown;
  try {
    parseCertificate(derBytes);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(TlsError);
  expect((error as TlsError).reason).toBe('BadCertificate');
  expect((error as TlsError).message).toMatch(message);
}

describe('strict parsing', () => {
  const base = issue({ CN: 'strict' }, nodeKey('p256'), undefined, { sans: { dns: ['strict.example'] } });

  it('rejects trailing bytes after the certificate', () => {
    expectBadCertificate(Uint8Array.from([...base.der, 0]), /trailing/);
  });

  it('rejects extensions in a version 1 certificate', () => {
    const v1 = rewriteTbs(base.der, (e) => e.slice(1)); // drop [0] version: the default is v1
    expectBadCertificate(v1, /extensions in a version 1 certificate/);
  });

  it('rejects a duplicate extension', () => {
    const key = nodeKey('p256');
    const dup = buildCertificate({
      subject: { CN: 'dup' }, publicKey: key.publicKey, signingKey: key.privateKey, serial: 7n, notBefore: NOW, notAfter: NOW + DAY,
      sans: { dns: ['a.example'] },
      extraExtensions: [{ oid: '2.5.29.17', value: der.sequence(der.implicit(2, new TextEncoder().encode('b.example'))) }],
    }, provider, random);
    expectBadCertificate(dup, /duplicate extension subjectAltName/);
  });

  it('rejects a certificate whose inner and outer signature algorithms differ', () => {
    const outer = new DerReader(base.der).sequence();
    const tbs = outer.any().raw;
    outer.any();
    const signature = outer.any().raw;
    const swapped = der.sequence(tbs, der.sequence(der.oid('1.2.840.10045.4.3.3')), signature);
    expectBadCertificate(swapped, /signatureAlgorithm differs/);
  });

  it('records spans down to tbsCertificate.validity.notAfter when asked', () => {
    const spans: Span[] = [];
    parseCertificate(base.der, spans);
    const notAfter = spans.find((s) => s.path === 'certificate.tbsCertificate.validity.notAfter');
    expect(notAfter?.value).toBe(new Date(Date.parse(new X509Certificate(base.der).validTo)).toISOString());
    // The span points at the UTCTime element in the DER: tag 0x17, then 13 content bytes.
    expect(base.der[notAfter!.offset]).toBe(0x17);
    expect(notAfter!.length).toBe(15);
    expect(spans.some((s) => s.path.endsWith('subjectAltName[0]') && s.value === 'strict.example')).toBe(true);
  });
});
