// BoringSSL's pki library (Chromium's net/cert) test data, replayed (inventory: docs/x509-boringssl-pki.md).
//
// Path validation (verify_certificate_chain_unittest): each
// vectors/boringssl-pki/verify_certificate_chain_unittest/<case>/<name>.test names a chain.pem (target first,
// trust anchor last), the trust given to the last certificate, the time, the key purpose and the errors
// VerifyCertificateChain reports. The chain goes through verifyChain by path-helpers' verify(), the same harness
// as the limbo replays. Chromium's verdict is "valid" when the expected errors hold no ERROR line (a WARNING
// leaves the path valid). Each file has a row in EXPECTED: the check our failure must come from (so that removing
// it makes the test fail), or, where we answer otherwise on purpose, why (docs/x509-boringssl-pki.md,
// docs/path-validation.md).
import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { verifyChain, type ProfileName, type Purpose } from '../../src/auth/chain.js';
import { checkNameConstraints } from '../../src/auth/path/names.js';
import { sameDistinguishedName } from '../../src/auth/path/name-match.js';
import { PROFILES } from '../../src/auth/path/profile.js';
import { parsePem } from '../../src/auth/pem.js';
import { parseCertificate } from '../../src/auth/x509.js';
import { provider } from '../auth/helpers.js';
import { verify, type CaseCertificate } from './path-helpers.js';

const SUITE = new URL('../../vectors/boringssl-pki/verify_certificate_chain_unittest/', import.meta.url);
const PARSE_SUITE = new URL('../../vectors/boringssl-pki/parse_certificate_unittest/', import.meta.url);

/** PEM text without the lines Chromium's files comment out with '#' (an ASCII source of a block, say). */
const uncommented = (text: string) => text.split('\n').filter((l) => !l.startsWith('#')).join('\n');

/** Chromium's KeyPurpose as our purpose and profile: the STRICT purposes add the Web PKI leaf rules (EKU required). */
const KEY_PURPOSES: Record<string, { purpose: Purpose; profile: ProfileName }> = {
  SERVER_AUTH: { purpose: 'serverAuth', profile: 'rfc5280' },
  SERVER_AUTH_STRICT: { purpose: 'serverAuth', profile: 'webpki' },
  CLIENT_AUTH: { purpose: 'clientAuth', profile: 'rfc5280' },
  CLIENT_AUTH_STRICT: { purpose: 'clientAuth', profile: 'webpki' },
};

/** What our verdict must be for each file: the failure's detail, or the reason we differ from Chromium. */
const EXPECTED: Record<string, { detail?: RegExp; differs?: string }> = {
  'target-and-intermediate/main.test': {},
  'target-and-intermediate/ta-with-constraints.test': {},
  // A distrusted or unspecified root is one our store does not hold: its self-signature makes it no anchor.
  'target-and-intermediate/distrusted-root.test': { detail: /no trust anchor issued the chain/ },
  'target-and-intermediate/unspecified-trust-root.test': { detail: /no trust anchor issued the chain/ },
  'intermediate-basic-constraints-ca-false/main.test': { detail: /"CN=Intermediate" is not a CA/ },
  'intermediate-lacks-signing-key-usage/main.test': { detail: /"CN=Intermediate" keyUsage .* does not allow keyCertSign/ },
  'intermediate-unknown-critical-extension/main.test': { detail: /"CN=Intermediate" has an unsupported critical extension 1\.2\.3\.4/ },
  'target-has-keycertsign-but-not-ca/main.test': { detail: /keyUsage keyCertSign without basicConstraints cA/ },
  'target-not-end-entity/main.test': {
    detail: /end-entity certificate "CN=Target" is a CA certificate/,
    differs: 'a CA certificate is never the end entity (BR §7.1.2.7.8); Chromium only warns outside its STRICT purposes',
  },
  'target-not-end-entity/strict.test': { detail: /end-entity certificate "CN=Target" is a CA certificate/ },
  'target-has-pathlen-but-not-ca/main.test': { detail: /"CN=Target": pathLenConstraint without cA .*rule path-len-needs-ca/ },
  'root-lacks-basic-constraints/main.test': {
    detail: /issuer "CN=Root" is not a CA/,
    differs: 'a v3 anchor binds by its basicConstraints (DESIGN.md, as rustls-webpki, Go, OpenSSL, pyca; limbo rfc5280::root-missing-basic-constraints)',
  },
  'root-lacks-basic-constraints/ta-with-constraints.test': { detail: /issuer "CN=Root" is not a CA/ },
  // Each certificate names (AKI) a key other than its issuer's (SKI): no candidate issuer, so the signatures that
  // Chromium reports as failing are never tried (build.ts candidateIssuers).
  'intermediate-and-target-wrong-signature/main.test': { detail: /no trust anchor issued the chain of "CN=Target"/ },
  'intermediate-eku-clientauth/serverauth.test': { detail: /"CN=Intermediate": CA extKeyUsage \[clientAuth\] does not include serverAuth/ },
  'violates-basic-constraints-pathlen-0/main.test': { detail: /"CN=Intermediate1" has pathLenConstraint 0 but 1 CA certificates follow it/ },
  'basic-constraints-pathlen-0-self-issued/main.test': {},
  'target-signed-with-md5/main.test': { detail: /"CN=Target": unsupported signature algorithm 1\.2\.840\.113549\.1\.1\.4/ },
  'intermediate-signed-with-md5/main.test': { detail: /"CN=Intermediate": unsupported signature algorithm 1\.2\.840\.113549\.1\.1\.4/ },
  'constrained-root-lacks-basic-constraints/main.test': {
    detail: /issuer "CN=Root" is not a CA/,
    differs:
      'a v3 anchor binds by its basicConstraints (as root-lacks-basic-constraints above); this older generation of the case took such a root WITH_CONSTRAINTS, the newer root-lacks-basic-constraints/ta-with-constraints.test refuses it',
  },
  // The leaf signs the handshake (CertificateVerify), so its keyUsage must allow digitalSignature (RFC 8446 §4.4.2.2),
  // whatever its key; this generation of Chromium's verifier did not look at a TLS leaf's keyUsage.
  'target-serverauth-various-keyusages/ec-digitalSignature.test': {},
  'target-serverauth-various-keyusages/rsa-digitalSignature.test': {},
  ...Object.fromEntries(
    ['ec', 'rsa'].flatMap((key) =>
      ['decipherOnly', 'keyAgreement', 'keyEncipherment'].map((usage) => [
        `target-serverauth-various-keyusages/${key}-${usage}.test`,
        {
          detail: new RegExp(`"CN=Target" keyUsage \\[${usage}\\] does not allow digitalSignature`),
          differs: 'a TLS 1.3 leaf signs the handshake: its keyUsage must allow digitalSignature (RFC 8446 §4.4.2.2); Chromium did not check it then',
        },
      ]),
    ),
  ),
  'root-eku-clientauth/serverauth.test': {
    detail: /"CN=Root": CA extKeyUsage \[clientAuth\] does not include serverAuth/,
    differs: "an anchor's EKU binds what it issues (rule ca-eku-purpose, as Go); Chromium applies it only WITH_CONSTRAINTS",
  },
  'root-eku-clientauth/serverauth-ta-with-constraints.test': { detail: /"CN=Root": CA extKeyUsage \[clientAuth\] does not include serverAuth/ },
  'expired-target/not-after.test': { detail: /"CN=Target" expired at 2015-09-01T12:00:00\.000Z/ },
  'target-eku-clientauth/serverauth.test': { detail: /extKeyUsage \[clientAuth\] does not include serverAuth/ },
  'target-eku-clientauth/clientauth-strict.test': {
    differs: 'Chromium STRICT client auth asks every CA for an EKU with clientAuth; RFC 5280 §4.2.1.12 reads an absent EKU as no restriction',
  },
  'expired-intermediate/not-after.test': { detail: /"CN=Intermediate" expired at 2015-09-01T12:00:00\.000Z/ },
  'expired-intermediate/not-before.test': { detail: /"CN=Intermediate" is not valid before 2015-03-01T12:00:00\.000Z/ },
  'expired-target/not-before.test': { detail: /"CN=Target" is not valid before 2015-03-01T12:00:00\.000Z/ },
  // Chromium checks an anchor's dates only when told (TRUSTED_ANCHOR_WITH_EXPIRATION); we always do.
  ...Object.fromEntries(
    ['not-after.test', 'not-before.test', 'not-after-ta-with-constraints.test'].map((f) => [
      `expired-root/${f}`,
      {
        detail: /"CN=Root" (expired at 2015-09-01|is not valid before 2015-03-01)/,
        differs: "an anchor outside its validity is refused (as OpenSSL and Go); Chromium checks an anchor's dates only WITH_EXPIRATION",
      },
    ]),
  ),
  'expired-root/not-after-ta-with-expiration.test': { detail: /"CN=Root" expired at 2015-09-01T12:00:00\.000Z/ },
  'expired-root/not-before-ta-with-expiration.test': { detail: /"CN=Root" is not valid before 2015-03-01T12:00:00\.000Z/ },
  'expired-root/not-after-ta-with-expiration-and-constraints.test': { detail: /"CN=Root" expired at 2015-09-01T12:00:00\.000Z/ },
  'intermediate-lacks-basic-constraints/main.test': { detail: /issuer "CN=Intermediate" is not a CA/ },
  // The root's subject is not the intermediate's issuer: no candidate issuer, so no signature is tried.
  'incorrect-trust-anchor/main.test': { detail: /no trust anchor issued the chain of "CN=Target"/ },
  'intermediate-signed-with-sha1/main.test': { detail: /"CN=Intermediate": unsupported signature algorithm sha1WithRSAEncryption/ },
  // Refused before its signature is tried: a certificate that is not self-issued needs an AKI keyIdentifier.
  'intermediate-wrong-signature-no-authority-key-identifier/main.test': { detail: /"CN=Intermediate": no authorityKeyIdentifier keyIdentifier .*rule aki-present/ },
  'target-has-512bit-rsa-key/main.test': { detail: /"CN=Target": RSA key of 512 bits is below our minimum of 2048/ },
  'key-rollover/rolloverchain.test': {},
  'target-has-ca-basic-constraints/main.test': {
    detail: /end-entity certificate "CN=Target" is a CA certificate/,
    differs: 'a CA certificate is never the end entity (BR §7.1.2.7.8); Chromium only warns outside its STRICT purposes',
  },
  'target-has-ca-basic-constraints/strict.test': { detail: /end-entity certificate "CN=Target" is a CA certificate/ },
  // A pinned leaf may be a CA certificate (openssl req -x509 makes them), as Chromium's TRUSTED_LEAF.
  'target-has-ca-basic-constraints/target_only-trusted_leaf.test': {},
  'target-has-ca-basic-constraints/target_only-trusted_leaf-strict.test': {},
  'root-lacks-keycertsign-key-usage/main.test': {
    detail: /issuer "CN=Root" keyUsage \[digitalSignature, keyEncipherment\] does not allow keyCertSign/,
    differs: "an anchor's keyUsage binds what it signs (RFC 5280 §4.2.1.3, as OpenSSL); Chromium applies it only WITH_CONSTRAINTS",
  },
  'root-lacks-keycertsign-key-usage/ta-with-constraints.test': { detail: /issuer "CN=Root" keyUsage .* does not allow keyCertSign/ },
  'root-basic-constraints-ca-false/ta-with-constraints.test': { detail: /issuer "CN=Root" is not a CA/ },
  'target-unknown-critical-extension/main.test': { detail: /"CN=Target" has an unsupported critical extension 1\.2\.3\.4/ },
  // An anchor is trusted as configured (RFC 5280 §6.1.1(d)), whoever issued it.
  'non-self-signed-root/main.test': {},
  'target-eku-many/serverauth.test': {},
  'target-eku-many/clientauth.test': {},
  'target-eku-many/serverauth-strict.test': { detail: /"CN=Target": .*rule leaf-eku-tls-server-only/ },
  'target-eku-many/clientauth-strict.test': {
    differs: 'the Baseline Requirements restrict the EKU of TLS server certificates (BR §7.1.2.7.10), not of client ones; an absent CA EKU restricts nothing (RFC 5280 §4.2.1.12)',
  },
  'target-eku-none/clientauth.test': {},
  'target-eku-none/clientauth-strict.test': { detail: /"CN=Target": no extKeyUsage on the end-entity certificate/ },
  'target-eku-none/serverauth-strict.test': { detail: /"CN=Target": no extKeyUsage on the end-entity certificate/ },
  // Chains from the CT logs, SHA-1 signed with 1024- and 2047-bit RSA keys: refused for those, before any name is
  // compared. Their names are checked on their own below (each link by RFC 5280 §7.1, one not byte for byte).
  'issuer-and-subject-not-byte-for-byte-equal/anchor.test': {
    detail: /"CN=\*\.daejin\.or\.kr,.*": RSA key of 1024 bits is below our minimum of 2048/,
    differs: 'a 1024-bit RSA leaf key and SHA-1 signatures are refused (RFC 9155, BR §6.1.5); the names chain (test below)',
  },
  'issuer-and-subject-not-byte-for-byte-equal/target.test': {
    detail: /"CN=community\.trendmicro\.com,.*": unsupported signature algorithm sha1WithRSAEncryption/,
    differs: 'SHA-1 signatures are refused (RFC 9155, BR §7.1.3.2); the names chain (test below)',
  },
};

interface ChainTest {
  file: string;
  chain: CaseCertificate[];
  trust: string;
  now: number;
  keyPurpose: string;
  expectedErrors: string;
}

/** UTCTime YYMMDDHHMMSSZ (RFC 5280 §4.1.2.5.1: YY < 50 is 20YY); DEFAULT is the suite's 2021-10-05 12:00:00Z. */
function utcTime(text: string): number {
  const m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(text === 'DEFAULT' ? '211005120000Z' : text);
  if (!m) throw new Error(`bad utc_time ${text}`);
  const [yy, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return Date.UTC(yy < 50 ? 2000 + yy : 1900 + yy, mo - 1, d, h, mi, s);
}

/** Reads one .test file in Chromium's format (test_helpers.cc); lines starting with '#' are our provenance notes. */
function readTest(dir: string, name: string): ChainTest {
  const lines = uncommented(readFileSync(new URL(`${dir}/${name}`, SUITE), 'utf8')).split('\n');
  const field = (key: string) => {
    const line = lines.find((l) => l.startsWith(`${key}: `));
    if (!line) throw new Error(`${dir}/${name} has no ${key}`);
    return line.slice(key.length + 2);
  };
  const pem = readFileSync(new URL(`${dir}/${field('chain')}`, SUITE), 'utf8');
  return {
    file: `${dir}/${name}`,
    chain: parsePem(pem).map((block) => ({ cert: parseCertificate(block.der) })),
    trust: field('last_cert_trust'),
    now: utcTime(field('utc_time')),
    keyPurpose: field('key_purpose'),
    expectedErrors: lines.slice(lines.indexOf('expected_errors:') + 1).join('\n'),
  };
}

/**
 * The chain as verifyChain takes it: a trusted last certificate is the anchor; otherwise it is only sent along.
 * TRUSTED_LEAF (a one-certificate chain trusted as itself) is a pinned leaf: the anchor is the leaf.
 */
function replay(t: ChainTest) {
  const [leaf, ...rest] = t.chain;
  const trusted = t.trust.startsWith('TRUSTED_ANCHOR');
  const { purpose, profile } = KEY_PURPOSES[t.keyPurpose]!;
  return verify({
    leaf: leaf!,
    intermediates: trusted ? rest.slice(0, -1) : rest,
    anchors: t.trust === 'TRUSTED_LEAF' ? [leaf!] : trusted ? rest.slice(-1) : [],
    now: t.now,
    purpose,
    profile,
  });
}

const tests = readdirSync(SUITE, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(new URL(`${d.name}/`, SUITE)).filter((f) => f.endsWith('.test')).map((f) => readTest(d.name, f)));

describe('BoringSSL pki verify_certificate_chain_unittest, replayed', () => {
  it('every .test file has an expectation row, and every row a file', () => {
    expect(tests.map((t) => t.file).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  // Node's X.509 code, not ours, checks that every copied certificate is signed by the next one: a byte lost in
  // copying would otherwise hide behind a check that runs before the signature.
  it('every copied chain is intact: each certificate verifies under the next one\'s key', () => {
    for (const t of tests.filter((x) => !x.expectedErrors.includes('VerifySignedData failed'))) {
      const node = t.chain.map((c) => new X509Certificate(c.cert.der));
      // The last certificate is checked against itself when it is self-issued (a root), not when it is a lone leaf.
      node.forEach((cert, i) => {
        const issuer = node[i + 1] ?? (cert.checkIssued(cert) ? cert : undefined);
        if (issuer) expect(cert.verify(issuer.publicKey), `${t.file} certificate ${i}`).toBe(true);
      });
    }
  });

  // What the case is about, which its SHA-1 signatures keep the replay above from reaching: path building's name step.
  it('issuer-and-subject-not-byte-for-byte-equal: each issuer is the next certificate\'s subject as RFC 5280 §7.1 compares names, one link (UTF8String against PrintableString) not byte for byte', () => {
    for (const file of ['anchor.test', 'target.test']) {
      const { chain } = tests.find((t) => t.file === `issuer-and-subject-not-byte-for-byte-equal/${file}`)!;
      const links = chain.slice(0, -1).map((c, i) => ({ issuer: c.cert.issuer, subject: chain[i + 1]!.cert.subject }));
      for (const link of links) expect(sameDistinguishedName(link.issuer, link.subject), file).toBe(true);
      const bytesDiffer = links.map((l) => Buffer.compare(l.issuer.raw, l.subject.raw) !== 0);
      expect(bytesDiffer, file).toEqual(file === 'anchor.test' ? [false, true] : [false, true, false]);
    }
  });

  for (const t of tests) {
    const chromiumValid = !/^ERROR:/m.test(t.expectedErrors);
    const { detail, differs } = EXPECTED[t.file] ?? {};
    const oursValid = differs ? !chromiumValid : chromiumValid;
    it(`${t.file}: Chromium ${chromiumValid ? 'valid' : 'invalid'}, ours ${oursValid ? 'valid' : 'invalid'}${differs ? ` (differs: ${differs})` : ''}`, () => {
      const verdict = replay(t);
      expect(verdict.ok).toBe(oursValid);
      if (!verdict.ok) expect(verdict.detail).toMatch(detail ?? /a failure needs an expected detail/);
    });
  }
});

// Malformed certificates (parse_certificate_unittest, ParsedCertificate::Create): each file is one certificate
// Chromium refuses to parse, with the errors it gives. We refuse each one: most at parse time (parseCertificate
// throws, so the handshake sends bad_certificate), two when the certificate is used, because keyUsage bits and
// nameConstraints are judged where they matter (x509.ts keeps an extension it need not decode as bytes).
const readParseCase = (file: string) => parsePem(uncommented(readFileSync(new URL(file, PARSE_SUITE), 'utf8')))[0]!.der;
const REFUSED_AT_PARSE: Record<string, RegExp> = {
  // The case aims at the trailing NULL after the signature; its TBSCertificate (a NULL) already fails.
  'cert_data_after_signature.pem': /tbsCertificate: expected INTEGER \(serialNumber\), found NULL/,
  'authority_key_identifier_not_sequence.pem': /authorityKeyIdentifier: expected SEQUENCE/,
  'subject_key_identifier_not_octet_string.pem': /subjectKeyIdentifier: expected OCTET_STRING/,
  'subjectaltname_bad_ip.pem': /subjectAltName.*iPAddress of 8 bytes \(must be 4 or 16\)/,
  'subjectaltname_trailing_data.pem': /subjectAltName: 1 unexpected trailing bytes/,
};
const REFUSED_IN_USE = ['bad_key_usage.pem', 'name_constraints_bad_ip.pem'];

describe('BoringSSL pki parse_certificate_unittest (malformed certificates), replayed', () => {
  it('every file has an expectation', () => {
    expect(readdirSync(PARSE_SUITE).sort()).toEqual([...Object.keys(REFUSED_AT_PARSE), ...REFUSED_IN_USE].sort());
  });

  for (const [file, detail] of Object.entries(REFUSED_AT_PARSE)) {
    it(`${file}: Chromium refuses to parse it, so do we`, () => {
      expect(() => parseCertificate(readParseCase(file))).toThrow(detail);
    });
  }

  it('bad_key_usage.pem (keyUsage a BIT STRING with no bit set, RFC 5280 §4.2.1.3): parsed as "no usage allowed", so it signs nothing', () => {
    const cert = parseCertificate(readParseCase('bad_key_usage.pem'));
    expect(cert.keyUsage).toEqual([]);
    // Pinned as its own anchor, at a time inside its validity (2009-09-22 to 2014-09-22).
    const verdict = verifyChain({ leaf: cert, intermediates: [], anchors: [cert], now: Date.UTC(2012, 0, 1), purpose: 'serverAuth', provider, profile: 'rfc5280' });
    expect(verdict).toMatchObject({ ok: false, detail: expect.stringMatching(/keyUsage \[\] does not allow digitalSignature/) });
  });

  it('name_constraints_bad_ip.pem (an empty iPAddress subtree): a CA whose nameConstraints do not parse breaks every path through it', () => {
    const ca = parseCertificate(readParseCase('name_constraints_bad_ip.pem'));
    const below = tests.find((t) => t.file === 'target-and-intermediate/main.test')!.chain[0]!.cert;
    expect(checkNameConstraints([below, ca], PROFILES.rfc5280.nameConstraintBudget)).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/malformed nameConstraints: iPAddress constraint of 0 bytes/),
    });
  });
});
