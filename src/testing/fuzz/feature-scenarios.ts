// More handshakes for the stateful fuzz targets, one per feature the six base scenarios (scenarios.ts) do
// not reach: post-handshake client authentication, certificate compression, an OCSP staple under a CA
// chain, ML-KEM hybrid groups (with and without a HelloRetryRequest to one), resumption after a
// HelloRetryRequest, external PSKs (psk_dhe_ke and psk_ke), and all of them at once. Kept apart from
// SCENARIOS so that the inputs of the saved corpus (test/regressions) keep their meaning.
// Core-safe: no node imports.
import type { CryptoProvider } from '../../crypto/provider.js';
import type { Connection } from '../../handshake/connection.js';
import type { Role } from '../../handshake/events.js';
import { PORTABLE_CERTIFICATE_COMPRESSION } from '../../handshake/compression-codecs.js';
import { NamedGroup } from '../../wire/enums.js';
import { DAY, makeIdentity, TEST_NOW, type Identity } from '../certs.js';
import { buildOcspResponse } from '../ocsp.js';
import { fastRandom } from './input.js';
import { baseConfigs, material, ticketFor, type ScenarioConfigs } from './scenarios.js';

export const FEATURE_SCENARIOS = ['pha', 'compression', 'ocsp', 'mlkem', 'mlkem-hrr', 'psk-hrr', 'external-psk', 'psk-ke', 'everything'] as const;
export type FeatureScenarioName = (typeof FEATURE_SCENARIOS)[number];

interface ChainMaterial {
  ca: Identity;
  leaf: Identity;
  staple: Uint8Array;
}

const chains = new Map<CryptoProvider, ChainMaterial>();

/** A CA, a leaf for server.test it issued, and a `good` OCSP response for the leaf signed by the CA. */
function chainMaterial(provider: CryptoProvider): ChainMaterial {
  let m = chains.get(provider);
  if (!m) {
    const random = fastRandom(11);
    const ca = makeIdentity({ subject: { CN: 'Fuzz CA' }, isCA: true }, random, provider);
    const leaf = makeIdentity({ subject: { CN: 'server' }, issuer: ca, serial: 0x51n, sans: { dns: ['server.test'] } }, random, provider);
    const staple = buildOcspResponse(
      { leaf: leaf.certificate, issuer: ca.certificate, signer: ca, status: 'good', thisUpdate: TEST_NOW - DAY / 2, nextUpdate: TEST_NOW + DAY },
      provider,
      random,
    );
    m = { ca, leaf: { ...leaf, chain: [leaf.der, ca.der] }, staple };
    chains.set(provider, m);
  }
  return m;
}

const PSK = { identity: 'fuzz-psk', key: Uint8Array.from({ length: 32 }, (_, i) => i) };

function postHandshakeAuth(configs: ScenarioConfigs, provider: CryptoProvider): void {
  configs.client.postHandshakeAuth = true;
  configs.client.certificate = material(provider).client;
  configs.server.trust = { kind: 'pinned-certificate', certificates: [material(provider).client.der] };
}

function compression(configs: ScenarioConfigs, provider: CryptoProvider): void {
  // Both directions: the server's Certificate and (under client auth) the client's are compressed.
  configs.client.certificateCompression = PORTABLE_CERTIFICATE_COMPRESSION;
  configs.server.certificateCompression = PORTABLE_CERTIFICATE_COMPRESSION;
  configs.client.certificate = material(provider).client;
  configs.server.clientAuth = 'require';
  configs.server.trust = { kind: 'pinned-certificate', certificates: [material(provider).client.der] };
}

function ocsp(configs: ScenarioConfigs, provider: CryptoProvider): void {
  const { ca, leaf, staple } = chainMaterial(provider);
  configs.server.certificate = leaf;
  configs.server.ocspResponse = staple;
  configs.client.statusRequest = true;
  configs.client.trust = { kind: 'ca', anchors: [ca.der] };
}

/** Fresh configs of one feature scenario; `seed` varies the randomness of both sides. */
export function featureScenarioConfigs(name: FeatureScenarioName, provider: CryptoProvider, seed: number): ScenarioConfigs {
  const configs = baseConfigs(provider, seed);
  switch (name) {
    case 'pha':
      postHandshakeAuth(configs, provider);
      return configs;
    case 'compression':
      compression(configs, provider);
      return configs;
    case 'ocsp':
      ocsp(configs, provider);
      return configs;
    case 'mlkem':
      configs.client.groups = [NamedGroup.X25519MLKEM768, NamedGroup.x25519];
      configs.server.groups = [NamedGroup.X25519MLKEM768, NamedGroup.x25519];
      return configs;
    case 'mlkem-hrr':
      // The client shares x25519 only; the server takes the hybrid alone: a HelloRetryRequest to it (§4.1.4).
      configs.client.groups = [NamedGroup.x25519, NamedGroup.SecP256r1MLKEM768];
      configs.client.keyShareGroups = [NamedGroup.x25519];
      configs.server.groups = [NamedGroup.SecP256r1MLKEM768];
      return configs;
    case 'psk-hrr':
      configs.client.resumption = { ticket: ticketFor(provider) };
      configs.client.keyShareGroups = [NamedGroup.secp256r1];
      configs.server.groups = [NamedGroup.x25519];
      configs.server.helloRetryCookie = () => Uint8Array.of(5, 6, 7, 8);
      return configs;
    case 'external-psk':
    case 'psk-ke': {
      const modes: Array<'psk_dhe_ke' | 'psk_ke'> = name === 'psk-ke' ? ['psk_ke'] : ['psk_dhe_ke'];
      for (const side of [configs.client, configs.server]) {
        side.externalPsks = { keys: [PSK], modes };
        delete side.trust;
      }
      delete configs.server.certificate;
      return configs;
    }
    case 'everything': {
      // A HelloRetryRequest to a hybrid group, a compressed chain with a staple, client certificates both
      // in the handshake and after it, and ALPN.
      compression(configs, provider);
      ocsp(configs, provider);
      configs.client.postHandshakeAuth = true;
      configs.client.groups = [NamedGroup.x25519, NamedGroup.X25519MLKEM768];
      configs.client.keyShareGroups = [NamedGroup.x25519];
      configs.server.groups = [NamedGroup.X25519MLKEM768];
      configs.client.alpnProtocols = ['h2', 'http/1.1'];
      configs.server.alpnProtocols = ['http/1.1'];
      return configs;
    }
    default: {
      const never: never = name;
      throw new Error(`unknown feature scenario ${String(never)}`);
    }
  }
}

/** What the scenario adds to the post-handshake script: the server asks for a certificate after the handshake. */
export function featureScript(name: FeatureScenarioName): Array<(c: Record<Role, Connection>) => void> {
  return name === 'pha' || name === 'everything' ? [(c) => c.server.requestClientCertificate()] : [];
}
