// Attacker's test: a signer (an HSM, another process) that computes a signature under a fault. The peer that
// receives a faulty signature learns the key: RSA-CRT right modulo one prime only gives that prime (Boneh,
// DeMillo, Lipton 1997); an ECDSA or EdDSA signature made with one bit of the scalar flipped gives that bit, since
// the peer can test each guess against R. The engine's own RSA code verifies its signatures before they leave
// (crypto/rsa.ts signEncoded); a signer's answer went out unchecked. It is now verified with the certificate's
// key in every scheme, and one that does not verify ends the handshake with internal_error, never on the wire.
import { describe, expect, it } from 'vitest';
import type { GeneratedKeyType } from '../../src/auth/builder.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { CertifiedKey } from '../../src/handshake/config.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { handshakeSignatureAlgorithm } from '../../src/handshake/signatures.js';
import { makeIdentity, TEST_NOW, type Identity } from '../../src/testing/certs.js';
import { SignatureScheme } from '../../src/wire/enums.js';

const random = seededRandom('signer faults');
const KEYS: GeneratedKeyType[] = ['ed25519', 'p256', 'ml-dsa-44'];
const SCHEMES = [SignatureScheme.mldsa44, SignatureScheme.ed25519, SignatureScheme.ecdsa_secp256r1_sha256, SignatureScheme.rsa_pss_rsae_sha256];

/** The identity's key, held by a signer that flips bit `bit` of what it signs with when `faulty` says so. */
function heldElsewhere(id: Identity, faulty: () => boolean): CertifiedKey {
  return {
    chain: id.chain,
    signer: (scheme, content) => {
      const signature = nobleProvider.sign(handshakeSignatureAlgorithm(scheme)!, id.privateKey, content, random);
      if (faulty()) signature[signature.length >> 1]! ^= 0x10;
      return signature;
    },
  };
}

const certificateVerifiesOut = (events: TlsEvent[]) => events.filter((e) => e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'certificate_verify').length;
const alertsOut = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : []));

describe("a signer's faulty signature never reaches the wire", () => {
  for (const keyType of KEYS) {
    const id = makeIdentity({ subject: { CN: `held ${keyType}` }, keyType }, random);
    const run = (faulty: boolean, role: 'server' | 'client') => {
      const certified = heldElsewhere(id, () => faulty);
      const serverId = role === 'server' ? certified : makeIdentity({ subject: { CN: 'plain server' } }, random);
      const pair = new InMemoryPair(
        { trust: { kind: 'pinned-key', keys: [id.certificate.spki, (serverId as Identity).certificate?.spki ?? id.certificate.spki] }, now: () => TEST_NOW, random: seededRandom('c'), signatureSchemes: SCHEMES, ...(role === 'client' ? { certificate: certified } : {}) },
        { certificate: serverId, now: () => TEST_NOW, random: seededRandom('s'), signatureSchemes: SCHEMES, ...(role === 'client' ? { clientAuth: 'require' as const, trust: { kind: 'pinned-key' as const, keys: [id.certificate.spki] } } : {}) },
      ).run();
      return { connected: pair.client.isConnected && pair.server.isConnected, verifiesSent: certificateVerifiesOut(pair.events(role)), alerts: alertsOut(pair.events(role)) };
    };

    for (const role of ['server', 'client'] as const) {
      it(`${keyType}, the ${role}: the control (no fault) connects`, () => {
        expect(run(false, role)).toMatchObject({ connected: true, alerts: [] });
      });
      it(`${keyType}, the ${role}: a faulty signature is internal_error from us, no CertificateVerify sent`, () => {
        expect(run(true, role)).toEqual({ connected: false, verifiesSent: 0, alerts: ['internal_error'] });
      });
    }
  }
});
