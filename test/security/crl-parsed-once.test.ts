// Attacker's scripts against the CRLs of a `ca` trust policy being parsed once (auth/configured-crls.ts) and
// their signatures checked once (auth/path/revocation.ts): a peer must not make the server re-read a huge CRL
// on every connection, and the memo must never answer for a CRL it did not read: a buffer refilled with
// another CRL of the same size and issuer, an equal-length PEM text, a CRL object whose source bytes changed.
import { describe, expect, it } from 'vitest';
import { buildCrl } from '../../src/auth/builder.js';
import { verifyChain } from '../../src/auth/chain.js';
import { parseConfiguredCrlList, parseConfiguredCrls } from '../../src/auth/configured-crls.js';
import { toPem } from '../../src/auth/pem.js';
import { parseCrl } from '../../src/auth/path/revocation.js';
import { evaluateTrust, type TrustPolicy } from '../../src/auth/trust.js';
import { seededRandom } from '../../src/crypto/random.js';
import { fromHex } from '../../src/wire/bytes.js';
import { issue, nodeKey, NOW, provider } from '../auth/helpers.js';
import type { Issued } from '../auth/helpers.js';
import { leaf, root } from './path-helpers.js';

const random = seededRandom('crl-parsed-once');
// Ed25519 signatures are all 64 bytes, so two CRLs that differ in one serial are exactly as long.
const int = issue({ CN: 'CRL Issuer CA' }, nodeKey('ed25519'), root, { isCA: true });
const victim = leaf(int, { dns: ['a.example'] });
const bystander = leaf(int, { dns: ['a.example'] });
const serialOf = (x: Issued) => BigInt('0x' + x.cert.serialNumber);
/** A CRL of `int` revoking `who`: same issuer, same size, for both leaves (their serials are as long). */
const crlRevoking = (who: Issued) => buildCrl({ issuer: int.cert, signingKey: int.key.privateKey, thisUpdate: NOW - 10_000, nextUpdate: NOW + 10_000, revoked: [{ serial: serialOf(who) }] }, provider, random);
const judge = (crls: Array<Uint8Array | string>) =>
  evaluateTrust({ kind: 'ca', anchors: [root.der], crls } satisfies TrustPolicy, [victim.der, int.der], { provider, now: () => NOW, purpose: 'serverAuth', hostname: 'a.example' }).verdict;

describe('configured CRLs are parsed once, and the memo answers only for the bytes it read', () => {
  it('a second validation reuses the parse of the same input (array or text)', () => {
    const der = crlRevoking(bystander);
    expect(parseConfiguredCrls(der, 'trust.crls[0]')).toBe(parseConfiguredCrls(der, 'trust.crls[0]'));
    const pem = toPem('X509 CRL', der);
    expect(parseConfiguredCrls(pem, 'trust.crls[0]')).toBe(parseConfiguredCrls(pem, 'trust.crls[0]'));
  });

  it('a list of more PEM texts than the text memo keeps is not read again at every validation (no eviction cycle)', () => {
    // Each validation walks the list in order: with a memo that drops its oldest text first, 33 texts or more
    // would each evict the next one to be asked for, and every handshake would parse every CRL again.
    const texts = Array.from({ length: 40 }, (_, i) =>
      toPem('X509 CRL', buildCrl({ issuer: int.cert, signingKey: int.key.privateKey, thisUpdate: NOW - 10_000 - i * 1000, nextUpdate: NOW + 10_000, revoked: [] }, provider, random)),
    );
    expect(new Set(texts).size).toBe(40);
    const first = parseConfiguredCrlList(texts, 'trust.crls');
    const second = parseConfiguredCrlList(texts, 'trust.crls');
    expect(second).toHaveLength(40);
    second.forEach((crl, i) => expect(crl, `trust.crls[${i}]`).toBe(first[i]));
    // A text replaced in the list is read; the others are still the ones read before.
    texts[3] = toPem('X509 CRL', crlRevoking(victim));
    const third = parseConfiguredCrlList(texts, 'trust.crls');
    expect(third[3]!.revoked.size).toBe(1);
    third.forEach((crl, i) => i !== 3 && expect(crl, `trust.crls[${i}]`).toBe(first[i]));
  });

  it('a buffer refilled with another CRL of the same issuer and size is read again: the victim is revoked', () => {
    const harmless = crlRevoking(bystander);
    const revoking = crlRevoking(victim);
    expect(revoking.length).toBe(harmless.length);
    const buffer = harmless.slice();
    expect(judge([buffer])).toMatchObject({ trusted: true });
    buffer.set(revoking);
    expect(judge([buffer])).toMatchObject({ trusted: false, reason: 'CertificateRevoked' });
    // And back: the memo holds the latest reading, not the first.
    buffer.set(harmless);
    expect(judge([buffer])).toMatchObject({ trusted: true });
  });

  it('PEM bytes refilled, and PEM texts of equal length, are never taken for one another', () => {
    const harmless = new TextEncoder().encode(toPem('X509 CRL', crlRevoking(bystander)));
    const revoking = new TextEncoder().encode(toPem('X509 CRL', crlRevoking(victim)));
    expect(revoking.length).toBe(harmless.length);
    const buffer = harmless.slice();
    expect(judge([buffer])).toMatchObject({ trusted: true });
    buffer.set(revoking);
    expect(judge([buffer])).toMatchObject({ trusted: false, reason: 'CertificateRevoked' });
    expect(judge([new TextDecoder().decode(harmless)])).toMatchObject({ trusted: true });
    expect(judge([new TextDecoder().decode(revoking)])).toMatchObject({ trusted: false, reason: 'CertificateRevoked' });
  });

  it('a parsed CRL owns its bytes: changing the source after its signature was checked changes nothing it says', () => {
    const source = crlRevoking(victim);
    const crl = parseCrl(source);
    const run = () => verifyChain({ leaf: victim.cert, intermediates: [int.cert], anchors: [root.cert], now: NOW, purpose: 'serverAuth', provider, crls: [crl] });
    expect(run()).toMatchObject({ ok: false, reason: 'CertificateRevoked' });
    const tbs = crl.tbs.slice();
    source.fill(0);
    expect(crl.tbs).toEqual(tbs);
    expect(Object.isFrozen(crl)).toBe(true);
    expect(run()).toMatchObject({ ok: false, reason: 'CertificateRevoked' });
  });

  it('a verified signature is not lent to another CRL: a forged copy with the same signature is undetermined', () => {
    const genuine = crlRevoking(victim);
    expect(verifyChain({ leaf: victim.cert, intermediates: [int.cert], anchors: [root.cert], now: NOW, purpose: 'serverAuth', provider, crls: [parseCrl(genuine)] })).toMatchObject({ ok: false, reason: 'CertificateRevoked' });
    // The forger keeps the signature and the size, and turns the victim's serial into another one.
    const forged = genuine.slice();
    const serial = fromHex(victim.cert.serialNumber);
    const at = indexOf(forged, serial);
    expect(at).toBeGreaterThan(0);
    forged[at + serial.length - 1]! ^= 1;
    expect(verifyChain({ leaf: victim.cert, intermediates: [int.cert], anchors: [root.cert], now: NOW, purpose: 'serverAuth', provider, crls: [parseCrl(forged)] })).toMatchObject({
      ok: false,
      reason: 'CertificateUnknown',
      detail: expect.stringMatching(/signature does not verify/),
    });
  });
});

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
