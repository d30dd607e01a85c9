// Attacker's script: a certificate validly signed with SHA-1 (sha1WithRSAEncryption, RFC 3279 §2.2.1), the
// hash whose chosen-prefix collisions (SHAttered, Shambles) let a forger get a CA's SHA-1 signature onto a
// certificate of their own. The signature verifies; the path must still be refused, as rustls-webpki, Go
// crypto/x509 and browsers refuse SHA-1 in certificates (docs/path-validation.md: unsupported_certificate).
import { sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/auth/chain.js';
import { der } from '../../src/auth/der-writer.js';
import { readSingle } from '../../src/auth/der.js';
import { OID } from '../../src/auth/oids.js';
import { parseCertificate } from '../../src/auth/x509.js';
import { issue, nodeKey, NOW, provider } from '../auth/helpers.js';
import { leaf, root } from './path-helpers.js';

const rsaCa = issue({ CN: 'RSA CA' }, nodeKey('rsa2048'), root, { isCA: true });
const genuine = leaf(rsaCa, { dns: ['a.example'] });

/** The same tbsCertificate with its signature field saying sha1WithRSAEncryption, signed with SHA-1 by the CA's key. */
function resignedWithSha1(): Uint8Array {
  const sha256Rsa = der.sequence(der.oid(OID.sha256WithRSAEncryption), der.null());
  const sha1Rsa = der.sequence(der.oid(OID.sha1WithRSAEncryption), der.null());
  const tbs = readSingle(genuine.der, (r) => r.sequence().any().raw).slice();
  const at = tbs.findIndex((_, i) => sha256Rsa.every((b, j) => tbs[i + j] === b));
  expect(at).toBeGreaterThan(0);
  tbs.set(sha1Rsa, at); // same length: only the last OID octet differs (0x0b -> 0x05)
  const signature = new Uint8Array(sign('sha1', tbs, rsaCa.key.node.privateKey));
  return der.sequence(tbs, sha1Rsa, der.bitString(signature));
}

describe('a certificate signed with SHA-1 is refused even when its signature verifies', () => {
  it('control: the SHA-256 original is accepted', () => {
    expect(verifyChain({ leaf: genuine.cert, intermediates: [rsaCa.cert], anchors: [root.cert], now: NOW, purpose: 'serverAuth', provider, hostname: 'a.example' })).toMatchObject({ ok: true });
  });

  it('the SHA-1 copy parses, names the algorithm, and is unsupported_certificate', () => {
    const forged = parseCertificate(resignedWithSha1());
    expect(forged.signatureAlgorithm).toMatchObject({ oid: OID.sha1WithRSAEncryption, name: 'sha1WithRSAEncryption' });
    expect(verifyChain({ leaf: forged, intermediates: [rsaCa.cert], anchors: [root.cert], now: NOW, purpose: 'serverAuth', provider, hostname: 'a.example' })).toMatchObject({
      ok: false,
      reason: 'UnsupportedCertificate',
      detail: expect.stringMatching(/unsupported signature algorithm sha1WithRSAEncryption/),
    });
  });
});
