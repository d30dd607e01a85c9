// The application as attacker, against the memo of signatures a trust anchor verified
// (src/auth/configured-certificates.ts): the memo answers "this anchor's key verified these bytes before", and
// nothing else. A policy narrowed since (the schemes accepted in certificates, the smallest RSA key) must still
// refuse a leaf the memo holds: these checks sit outside the memo (path/build.ts checkIssuer, checkSignatureScheme)
// and would be skipped if they moved behind it. test/auth/verified-signatures.test.ts covers the rest (another
// anchor of the same name, the anchors changed in place, a forgery of the same length, time, host name, budget).
import { describe, expect, it } from 'vitest';
import { evaluateTrust, type TrustContext } from '../../src/auth/trust.js';
import { generateKeyPairSync } from 'node:crypto';
import { loadPrivateKey } from '../../src/auth/keys.js';
import { seededRandom } from '../../src/crypto/random.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { SignatureScheme } from '../../src/wire/enums.js';

const random = seededRandom('verified signature memo: policy');
const HOST = 'memo-policy.test';
const rsaKey = loadPrivateKey(new Uint8Array(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'der' })));
const anchor = makeIdentity({ subject: { CN: 'Memo policy CA' }, isCA: true, keyUsage: ['keyCertSign'], privateKey: rsaKey }, random);
const leaf = makeIdentity({ subject: { CN: HOST }, sans: { dns: [HOST] }, extKeyUsage: ['serverAuth'], keyType: 'ed25519', issuer: anchor }, random);
const policy = { kind: 'ca' as const, anchors: [anchor.der] };

function judge(narrowed: Partial<TrustContext> = {}) {
  const ctx: TrustContext = { provider: nodeCryptoProvider, now: () => TEST_NOW, purpose: 'serverAuth', hostname: HOST, ...narrowed };
  return evaluateTrust(policy, leaf.chain, ctx).verdict;
}

describe('a leaf whose signature the anchor verified before, under a policy narrowed since', () => {
  it('is refused when the anchor signs with a scheme no longer accepted in certificates', () => {
    expect(judge().trusted).toBe(true);
    expect(judge().trusted).toBe(true); // remembered now
    const verdict = judge({ certificateSignatureSchemes: [SignatureScheme.ed25519, SignatureScheme.ecdsa_secp256r1_sha256] });
    expect(verdict.trusted).toBe(false);
    expect(verdict.detail).toMatch(/certificateSignatureSchemes/);
  });

  it("is refused when the anchor's RSA key is now smaller than the smallest accepted", () => {
    expect(judge().trusted).toBe(true);
    const verdict = judge({ minimumRsaKeyBits: 3072 });
    expect(verdict.trusted).toBe(false);
    expect(verdict.detail).toMatch(/2048/);
  });
});
