// The raw-public-keys scenario (RFC 7250): no certificates at all. The server authenticates with a bare
// Ed25519 SubjectPublicKeyInfo, the client with a bare ECDSA P-256 one; each side trusts exactly one key,
// pinned by the SHA-256 of its SPKI. Keys come from the seed, both sides run on the fixed test clock, and
// the scenario runs through the same ScenarioSetup / runScenario machinery as the mutual-TLS ones.
// Core-safe: no node imports.
import { generateKeyPair } from '../auth/builder.js';
import { encodeSpki, spkiSha256, type Fingerprint } from '../auth/keys.js';
import { nobleProvider } from '../crypto/noble.js';
import type { PrivateKey } from '../crypto/provider.js';
import { seededRandom } from '../crypto/random.js';
import { TEST_NOW } from '../testing/certs.js';
import type { ScenarioSetup } from './mutual-tls.js';

export interface RawKeyCast {
  serverKey: PrivateKey;
  clientKey: PrivateKey;
  /** SHA-256 of each SubjectPublicKeyInfo: what the other side pins. */
  serverPin: Fingerprint;
  clientPin: Fingerprint;
}

/** The two key pairs of the scenario, each from its own seeded stream. */
export function makeRawKeyCast(seed: string): RawKeyCast {
  const key = (who: string, kind: 'ed25519' | 'p256') => generateKeyPair(kind, seededRandom(`${seed}/${who}-raw-key`), nobleProvider).privateKey;
  const serverKey = key('server', 'ed25519');
  const clientKey = key('client', 'p256');
  const pin = (privateKey: PrivateKey) => spkiSha256(encodeSpki(nobleProvider.publicKeyOf(privateKey)), nobleProvider);
  return { serverKey, clientKey, serverPin: pin(serverKey), clientPin: pin(clientKey) };
}

export const RAW_PUBLIC_KEYS_SCENARIO = {
  summary: 'both sides authenticate with raw public keys (RFC 7250), each pinning the other\'s SPKI SHA-256: connected',
  setup(seed: string): ScenarioSetup {
    const cast = makeRawKeyCast(seed);
    const common = (side: string) => ({ now: () => TEST_NOW, random: seededRandom(`${seed}/${side}-connection`) });
    return {
      name: 'raw-public-keys',
      question: 'Can two parties authenticate each other with bare keys, without any certificate?',
      story: [
        'Neither side has a certificate. The client offers server_certificate_type [RawPublicKey] and',
        'client_certificate_type [RawPublicKey] in its ClientHello; the server answers both in',
        'EncryptedExtensions, then sends a Certificate message whose one entry is its Ed25519',
        'SubjectPublicKeyInfo, and asks for the client\'s. Each side trusts exactly one key, by the SHA-256 of',
        'its SPKI, and CertificateVerify proves the peer holds the private key (RFC 7250, RFC 8446 §4.4.2).',
        `The client pins the server's key: sha256/${cast.serverPin.base64}`,
        `The server pins the client's key: sha256/${cast.clientPin.base64}`,
      ],
      client: {
        ...common('client'),
        serverCertificateTypes: ['raw-public-key'],
        trust: { kind: 'pinned-key', spkiSha256: [cast.serverPin.hex] },
        rawPublicKey: { privateKey: cast.clientKey },
      },
      server: {
        ...common('server'),
        rawPublicKey: { privateKey: cast.serverKey },
        clientAuth: 'require',
        clientCertificateTypes: ['raw-public-key'],
        trust: { kind: 'pinned-key', spkiSha256: [cast.clientPin.hex] },
      },
      expected: { kind: 'connected' },
    };
  },
};
