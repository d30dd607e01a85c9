// Attacker: a fault in, or a misuse of, the memory our CertificateVerify signature lives in between the check that
// it verifies (handshake/signatures.ts verifiedBeforeSending) and the encoding that sends it. A provider built on
// WebAssembly answers views of its linear memory, which its next call writes over; its verify is that next call.
// The check verified a copy taken at the check and sent the provider's array as it was afterwards: what went out
// was not what was checked (here zeroes, after a glitch any other bytes), and the fault check was void. Now the
// signature is taken into an array of our own before the check, and that array is what is checked and sent.
// Second attacker: a provider whose verify answers a Promise (an async WebCrypto port typed loosely). A Promise is
// truthy: every CertificateVerify, the peer's included, "verified", and every certificate's signature on a CA
// path (and a CRL's, an OCSP response's). Only `true` counts now.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import type { CertifiedKey } from '../../src/handshake/config.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { evaluateTrust } from '../../src/auth/trust.js';
import { makeIdentity, signingWithAnotherKey, TEST_NOW } from '../../src/testing/certs.js';
import { buildOcspResponse } from '../../src/testing/ocsp.js';

const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('provider memory/server'));
const impostorKey = makeIdentity({ subject: { CN: 'impostor' } }, seededRandom('provider memory/impostor')).privateKey!;

/** noble, with sign's answer a view of one scratch area that verify writes over, as a WebAssembly heap is. */
function scratchProvider(): CryptoProvider {
  const scratch = new Uint8Array(8192);
  let answered = 0;
  return {
    ...nobleProvider,
    sign: (...args) => {
      const signature = nobleProvider.sign(...args);
      scratch.set(signature);
      answered = signature.length;
      return scratch.subarray(0, answered);
    },
    verify: (...args) => {
      const verified = nobleProvider.verify(...args);
      scratch.fill(0, 0, answered);
      return verified;
    },
  };
}

function connect(serverProvider: CryptoProvider, clientProvider: CryptoProvider = nobleProvider, certificate: CertifiedKey = server) {
  return new InMemoryPair(
    { trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom('provider memory/c'), provider: clientProvider },
    { certificate, now: () => TEST_NOW, random: seededRandom('provider memory/s'), provider: serverProvider },
  ).run();
}

const sentSignature = (events: TlsEvent[]) =>
  events.flatMap((e) => (e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'certificate_verify' ? [e.message.signature] : []));

describe('our CertificateVerify is sent as it was checked', () => {
  it('a provider that writes over the signature it answered, in its verify: the checked bytes go out', () => {
    const pair = connect(scratchProvider());
    const [signature] = sentSignature(pair.events('server'));
    expect(signature!.some((byte) => byte !== 0)).toBe(true);
    expect(pair.client.isConnected).toBe(true);
    expect(pair.client.info.peer?.subject).toBe('CN=server');
  });
});

describe("a provider's verify counts only when it answers true", () => {
  const promising: CryptoProvider = { ...nobleProvider, verify: (...args) => Promise.resolve(nobleProvider.verify(...args)) as unknown as boolean };

  it("an impostor's CertificateVerify is not taken on a Promise's word", () => {
    const impostor = signingWithAnotherKey(server.chain, impostorKey, seededRandom('provider memory/sign'));
    // The impostor's own engine would refuse to send a signature of another key: its provider passes it.
    const pair = connect({ ...nobleProvider, verify: () => true }, promising, impostor);
    expect(pair.client.isConnected).toBe(false);
    expect(pair.client.info.peer).toBeUndefined();
  });

  it('nor our own signature checked on one', () => {
    const pair = connect(promising);
    expect(pair.server.isConnected).toBe(false);
    expect(pair.events('server')).toContainEqual(expect.objectContaining({ type: 'alert', direction: 'out', description: 'internal_error' }));
  });

  it("a certificate whose CA signature is broken is not taken on a Promise's word", () => {
    const ca = makeIdentity({ subject: { O: 'Example', CN: 'Example Root' }, isCA: true, keyUsage: ['keyCertSign'] }, seededRandom('provider memory/ca'));
    const leaf = makeIdentity({ subject: { CN: 'bank.example' }, issuer: ca, sans: { dns: ['bank.example'] }, extKeyUsage: ['serverAuth'] }, seededRandom('provider memory/leaf'));
    // The last byte of the DER is the signature's: the CA never signed these bytes.
    const forged = leaf.der.slice();
    forged[forged.length - 1]! ^= 1;
    const judged = (provider: CryptoProvider) =>
      evaluateTrust({ kind: 'ca', anchors: [ca.der] }, [forged], { provider, now: () => TEST_NOW, purpose: 'serverAuth', hostname: 'bank.example' }).verdict;
    expect(judged(promising)).toMatchObject({ trusted: false, reason: 'BadCertificate' });
    // Controls: noble refuses it too; a verify that answers true to every signature takes it (nothing else is wrong).
    expect(judged(nobleProvider)).toMatchObject({ trusted: false, reason: 'BadCertificate' });
    expect(judged({ ...nobleProvider, verify: () => true })).toMatchObject({ trusted: true });
  });

  it("a stapled OCSP response signed by another key is not taken on a Promise's word", () => {
    const ca = makeIdentity({ subject: { O: 'Example', CN: 'Example Root' }, isCA: true, keyUsage: ['keyCertSign'] }, seededRandom('provider memory/ca'));
    const leaf = makeIdentity({ subject: { CN: 'bank.example' }, issuer: ca, sans: { dns: ['bank.example'] }, extKeyUsage: ['serverAuth'] }, seededRandom('provider memory/leaf'));
    const forger = makeIdentity({ subject: { CN: 'forger' } }, seededRandom('provider memory/forger'));
    // "good", in the CA's name, signed with the forger's key.
    const forged = buildOcspResponse(
      { leaf: leaf.certificate, issuer: ca.certificate, signer: { certificate: ca.certificate, privateKey: forger.privateKey! }, status: 'good', thisUpdate: TEST_NOW - 1000, nextUpdate: TEST_NOW + 1000 },
      nobleProvider,
      seededRandom('provider memory/ocsp'),
    );
    // A port whose fast path answers true, and whose fallback for the rest is async: what does not verify is a Promise.
    const fallingBack: CryptoProvider = { ...nobleProvider, verify: (...args) => nobleProvider.verify(...args) || (Promise.resolve(false) as unknown as boolean) };
    const judged = (provider: CryptoProvider) =>
      evaluateTrust({ kind: 'ca', anchors: [ca.der] }, [leaf.der], { provider, now: () => TEST_NOW, purpose: 'serverAuth', hostname: 'bank.example', ocspResponse: forged }).verdict;
    expect(judged(fallingBack)).toEqual(judged(nobleProvider));
    expect(judged(nobleProvider)).toMatchObject({ trusted: false });
  });
});
