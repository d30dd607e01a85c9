// The OCSP response parser and judge on their own (RFC 6960 §4.2.1, §3.2): annotation spans, the bounds
// on what a staple may make us read and verify, and the signature budget shared with path validation.
// The attacker's handshakes are in test/security/ocsp-stapling.test.ts; openssl's responses in
// test/interop/ocsp.test.ts.
import { describe, expect, it } from 'vitest';
import { OCSP_LIMITS, parseOcspResponse } from '../../src/auth/ocsp.js';
import { judgeStaple } from '../../src/auth/ocsp-status.js';
import { OID } from '../../src/auth/oids.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { Span } from '../../src/wire/bytes.js';
import { hexDump } from '../../src/trace/text.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { DAY, makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { buildOcspResponse, type OcspResponseSpec } from '../../src/testing/ocsp.js';

const random = seededRandom('ocsp unit');
const ca = makeIdentity({ subject: { CN: 'Unit CA' }, keyType: 'p256', isCA: true }, random);
const leaf = makeIdentity({ subject: { CN: 'unit.example' }, issuer: ca, serial: 0x42n, sans: { dns: ['unit.example'] }, keyType: 'p256' }, random);
const responder = makeIdentity({ subject: { CN: 'Unit responder' }, issuer: ca, serial: 7n, extKeyUsage: [OID.ocspSigning], keyType: 'p256' }, random);

function response(spec: Partial<OcspResponseSpec> = {}): Uint8Array {
  return buildOcspResponse({ leaf: leaf.certificate, issuer: ca.certificate, signer: ca, status: 'good', thisUpdate: TEST_NOW - DAY / 2, nextUpdate: TEST_NOW + DAY, ...spec }, nobleProvider, random);
}

const judge = (der: Uint8Array, signatureBudget = 12) =>
  judgeStaple(parseOcspResponse(der), leaf.certificate, ca.certificate, { now: TEST_NOW, provider: nobleProvider, signatureBudget });

describe('parsing', () => {
  it('annotates every field, with the status and the RFC section', () => {
    const spans: Span[] = [];
    parseOcspResponse(response({ status: { revokedAt: TEST_NOW - DAY, reason: 4 } }), spans);
    const byPath = new Map(spans.map((s) => [s.path, s]));
    expect(byPath.get('OCSPResponse.responseStatus')).toMatchObject({ value: 0, meaning: 'successful', rfc: 'RFC 6960 §4.2.1' });
    const single = 'OCSPResponse.responseBytes.ResponseBytes.response.BasicOCSPResponse.tbsResponseData.responses[0]';
    expect(byPath.get(`${single}.certID.serialNumber`)?.value).toBe('42');
    expect(byPath.get(`${single}.certStatus.revocationTime`)?.value).toBe('2025-12-31T00:00:00.000Z');
    expect(byPath.get(`${single}.certStatus.revocationReason.CRLReason`)).toMatchObject({ value: 4, meaning: 'superseded' });
  });

  it('explains a staple byte by byte inside a traced Certificate message', () => {
    const staple = response({ signer: responder, certs: [responder.der] });
    const pair = new InMemoryPair(
      { trust: { kind: 'ca', anchors: [ca.der] }, serverName: 'unit.example', now: () => TEST_NOW, statusRequest: true, trace: true, random: seededRandom('c') },
      { certificate: leaf, now: () => TEST_NOW, ocspResponse: staple, random: seededRandom('s') },
    ).run();
    const message = pair.events('client').find((e) => e.type === 'handshake-message' && e.message.kind === 'certificate');
    if (message?.type !== 'handshake-message') throw new Error('no Certificate');
    const status = message.spans?.find((s) => s.path.endsWith('.ocsp_response.OCSPResponse.responseStatus'));
    expect(status?.path).toBe('certificate.certificate_list[0].extensions[0].status_request.ocsp_response.OCSPResponse.responseStatus');
    // The span points at the ENUMERATED in the message body: tag 0x0a, length 1, value 0.
    const body = message.raw.subarray(4);
    expect([...body.subarray(status!.offset, status!.offset + status!.length)]).toEqual([0x0a, 0x01, 0x00]);
    expect(hexDump(message.raw, message.spans!).filter((line) => line.includes('(not annotated)'))).toEqual([]);
  });

  it(`refuses more than ${OCSP_LIMITS.maxResponses} SingleResponses, ${OCSP_LIMITS.maxCertificates} certificates or ${OCSP_LIMITS.maxBytes} bytes before reading them`, () => {
    expect(() => parseOcspResponse(response({ copies: OCSP_LIMITS.maxResponses }))).not.toThrow();
    expect(() => parseOcspResponse(response({ copies: OCSP_LIMITS.maxResponses + 1 }))).toThrow(/BadCertificateStatusResponse.*more than 16 SingleResponses/);
    expect(() => parseOcspResponse(response({ certs: Array.from({ length: 5 }, () => responder.der) }))).toThrow(/more than 4 certificates/);
    expect(() => parseOcspResponse(new Uint8Array(OCSP_LIMITS.maxBytes + 1))).toThrow(/of 16385 bytes; at most 16384 are read/);
  });

  it('refuses a UTCTime where RFC 6960 asks for GeneralizedTime, and trailing bytes', () => {
    const good = response();
    expect(() => parseOcspResponse(Uint8Array.of(...good, 0))).toThrow(/BadCertificateStatusResponse.*trailing/);
    const utc = good.slice();
    // producedAt, the first GeneralizedTime: tag 0x18, 15 bytes (YYYYMMDDHHMMSSZ).
    const at = utc.findIndex((b, i) => b === 0x18 && utc[i + 1] === 0x0f && utc[i + 16] === 0x5a);
    utc[at] = 0x17;
    expect(() => parseOcspResponse(utc)).toThrow(/expected GeneralizedTime/);
  });
});

describe('the signature budget shared with path validation', () => {
  it('spends one check on an issuer-signed response and two on a delegated one', () => {
    expect(judge(response())).toMatchObject({ ok: true, signatureChecks: 1 });
    expect(judge(response({ signer: responder, certs: [responder.der] }))).toMatchObject({ ok: true, signatureChecks: 2 });
  });

  it('refuses when path validation left too little', () => {
    expect(judge(response(), 0)).toMatchObject({ ok: false, reason: 'BadCertificateStatusResponse', detail: expect.stringMatching(/exceed the 0 that path validation left \(bounded work\)/) });
    expect(judge(response({ signer: responder, certs: [responder.der] }), 1)).toMatchObject({ ok: false, detail: expect.stringMatching(/exceed the 1 that/) });
  });

  it('never verifies more signatures than the budget allows', () => {
    let verified = 0;
    const counting: CryptoProvider = Object.create(nobleProvider, { verify: { value: (...args: Parameters<CryptoProvider['verify']>) => (verified++, nobleProvider.verify(...args)) } });
    for (const der of [response(), response({ signer: responder, certs: [responder.der] })]) {
      for (const signatureBudget of [0, 1, 2]) {
        verified = 0;
        judgeStaple(parseOcspResponse(der), leaf.certificate, ca.certificate, { now: TEST_NOW, provider: counting, signatureBudget });
        expect(verified).toBeLessThanOrEqual(signatureBudget);
      }
    }
  });
});
