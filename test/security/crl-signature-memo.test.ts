// Attacker's scripts against the CRL signature memo (revocation.ts CrlSignatureChecks): successes are remembered
// across handshakes by CRL object, provider object and the issuer's whole SubjectPublicKeyInfo. A success must
// never answer for other bytes (a CRL of the same issuer and signature with another list), for another provider
// (a permissive one used elsewhere in the process), for an answer that is not `true`, nor be free of the budget;
// and a failure must not be kept past its validation (an honest peer's handshake after a provider's bad moment).
import { describe, expect, it } from 'vitest';
import { buildCrl } from '../../src/auth/builder.js';
import { verifyChain } from '../../src/auth/chain.js';
import { parseCrl, type Crl } from '../../src/auth/path/revocation.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { equalBytes } from '../../src/wire/bytes.js';
import { issue, nodeKey, NOW, provider, random } from '../auth/helpers.js';

const root = issue({ CN: 'Memo Root' }, nodeKey('ed25519'), undefined, { isCA: true });
const ca = issue({ CN: 'Memo CA' }, nodeKey('ed25519'), root, { isCA: true });
const leaf = issue({ CN: 'leaf' }, nodeKey('ed25519'), ca, { extKeyUsage: ['serverAuth'], keyUsage: ['digitalSignature'], sans: { dns: ['a.example'] } });
const serial = BigInt(`0x${leaf.cert.serialNumber}`);
const crlDer = (revoked: bigint[], signer = ca) =>
  buildCrl({ issuer: ca.cert, signingKey: signer.key.privateKey, thisUpdate: NOW - 60_000, nextUpdate: NOW + 86_400_000, revoked: revoked.map((s) => ({ serial: s })) }, provider, random);

/** `provider`, but answering `answer(...)` for the signature of `crl` and counting those calls. */
function answering(crl: Crl, answer: (...args: Parameters<CryptoProvider['verify']>) => unknown) {
  const calls = { crl: 0 };
  const meter: CryptoProvider = {
    ...provider,
    verify: (...args) => {
      if (!equalBytes(args[2], crl.tbs)) return provider.verify(...args);
      calls.crl++;
      return answer(...args) as boolean;
    },
  };
  return { calls, meter };
}

const judge = (crls: Crl[], using: CryptoProvider, signatureBudget?: number) =>
  verifyChain({ leaf: leaf.cert, intermediates: [ca.cert], anchors: [root.cert], now: NOW, purpose: 'serverAuth', provider: using, hostname: 'a.example', crls, ...(signatureBudget ? { signatureBudget } : {}) });

describe('the CRL signature memo answers only for its own CRL, provider and answer', () => {
  it("a provider's truthy answer that is not true does not verify a CRL, nor is it remembered", () => {
    const crl = parseCrl(crlDer([]));
    for (const answer of [1, 'true', {}, [true]]) {
      expect(judge([crl], answering(crl, () => answer).meter), String(answer)).toMatchObject({ ok: false, reason: 'CertificateUnknown', detail: expect.stringMatching(/signature does not verify/) });
    }
  });

  it("a permissive provider's success is not another provider's: a forged CRL verified by one stays forged for the other", () => {
    const attacker = issue({ CN: 'Memo CA' }, nodeKey('ed25519'), undefined, { isCA: true });
    const forged = parseCrl(crlDer([], attacker));
    const permissive = answering(forged, () => true).meter;
    expect(judge([forged], permissive)).toMatchObject({ ok: true });
    expect(judge([forged], { ...provider })).toMatchObject({ ok: false, reason: 'CertificateUnknown', detail: expect.stringMatching(/signature does not verify/) });
  });

  it("a success is not another CRL's: the same issuer's signature over other bytes, after the real CRL was verified", () => {
    const real = parseCrl(crlDer([serial]));
    expect(judge([real], provider)).toMatchObject({ ok: false, reason: 'CertificateRevoked' });
    // The list emptied, the signature kept (Ed25519: the DER's last 64 bytes): same issuer name, algorithm, signature.
    const emptied = crlDer([]);
    const spliced = parseCrl(Uint8Array.from([...emptied.subarray(0, emptied.length - 64), ...real.signature]));
    expect(spliced.signature).toEqual(real.signature);
    expect(judge([spliced], provider)).toMatchObject({ ok: false, reason: 'CertificateUnknown', detail: expect.stringMatching(/signature does not verify/) });
    expect(judge([spliced, real], provider)).toMatchObject({ ok: false, reason: 'CertificateRevoked' });
  });

  it('a remembered success is still paid from the budget', () => {
    const crl = parseCrl(crlDer([]));
    const { calls, meter } = answering(crl, (...args) => provider.verify(...args));
    expect(judge([crl], meter)).toMatchObject({ ok: true });
    expect(judge([crl], meter)).toMatchObject({ ok: true });
    expect(calls.crl).toBe(1);
    // The leaf's and the CA's signatures use the two checks: none is left for the CRL, remembered or not.
    expect(judge([crl], meter, 2)).toMatchObject({ ok: false, reason: 'CertificateUnknown', detail: expect.stringMatching(/would exceed the 2 signature checks/) });
    expect(judge([crl], meter, 3)).toMatchObject({ ok: true });
  });

  it("a failure is not kept past its validation: the issuer's key verifies its CRL in the next handshake", () => {
    const crl = parseCrl(crlDer([]));
    let failing = true;
    const { calls, meter } = answering(crl, (...args) => !failing && provider.verify(...args));
    expect(judge([crl], meter)).toMatchObject({ ok: false, reason: 'CertificateUnknown' });
    failing = false;
    expect(judge([crl], meter)).toMatchObject({ ok: true });
    expect(calls.crl).toBe(2);
  });
});
