// What the lab runs: one of `tls13 demo`'s scenarios (their table, so a scenario added there appears here),
// or a connection set up by hand. Every choice offered comes from the engine's own tables (cipher suites,
// implemented groups); certificates are made from the seed with the project's builder, or pasted (PEM).
import { encodeSpki, loadPrivateKey } from '../auth/keys.js';
import { readPemOrDer } from '../auth/pem.js';
import { parseCertificate } from '../auth/x509.js';
import type { TrustPolicy } from '../auth/trust.js';
import { SCENARIOS, type DemoSetup } from '../scenarios/catalog.js';
import { nobleProvider } from '../crypto/noble.js';
import type { PrivateKey } from '../crypto/provider.js';
import { seededRandom } from '../crypto/random.js';
import type { CertifiedKey, ClientConfig, ServerConfig } from '../handshake/config.js';
import { DEFAULT_GROUPS } from '../handshake/config.js';
import { groupName } from '../handshake/negotiation.js';
import { DEFAULT_CIPHER_SUITES, SUITES } from '../handshake/suites.js';
import { makeIdentity, TEST_NOW, type Identity } from '../testing/certs.js';
import { NamedGroup } from '../wire/enums.js';

export const CUSTOM = 'custom';
export const DEFAULT_SCENARIO = '1rtt';
export const DEFAULT_SEED = 'tls13-lab';

/** How one side authenticates. */
export const CREDENTIALS = ['ca-issued', 'self-signed', 'raw-public-key', 'pasted', 'none'] as const;
export type CredentialChoice = (typeof CREDENTIALS)[number];
/** How one side judges its peer. */
export const TRUST_CHOICES = ['ca', 'pinned-certificate', 'pinned-key'] as const;
export type TrustChoice = (typeof TRUST_CHOICES)[number];
export const CLIENT_AUTH_CHOICES = ['none', 'optional', 'require'] as const;
export const KEY_TYPES = ['ed25519', 'p256', 'p384'] as const;

export interface CustomOptions {
  /** Cipher suites the client offers, in its order of preference (IANA code points). */
  suites: number[];
  /** Groups the client supports; it sends a key share for the first. */
  groups: number[];
  keyType: (typeof KEY_TYPES)[number];
  serverCredential: Exclude<CredentialChoice, 'none'>;
  clientCredential: CredentialChoice;
  clientAuth: (typeof CLIENT_AUTH_CHOICES)[number];
  /** How the client judges the server, and the server the client. */
  clientTrust: TrustChoice;
  serverTrust: TrustChoice;
}

/** A certificate chain and key a user pasted (never put in a permalink: the key is theirs). */
export interface PastedIdentity {
  certificatePem: string;
  keyPem: string;
}

export interface LabOptions {
  scenario: string;
  seed: string;
  custom?: CustomOptions;
  pasted?: PastedIdentity;
}

export interface ScenarioEntry {
  name: string;
  summary: string;
}

/** The scenarios of `tls13 demo`, then "custom". */
export function scenarioList(): ScenarioEntry[] {
  return [...Object.entries(SCENARIOS).map(([name, s]) => ({ name, summary: s.summary })), { name: CUSTOM, summary: 'set every option by hand' }];
}

/** The cipher suites the engine implements, by name. */
export function suiteChoices(): Array<{ code: number; name: string }> {
  return [...SUITES.values()].map((s) => ({ code: s.code, name: s.name }));
}

/** The named groups the engine implements (its group table), by name. */
export function groupChoices(): Array<{ code: number; name: string }> {
  return Object.entries(NamedGroup)
    .filter(([, code]) => groupName(code) !== undefined)
    .map(([name, code]) => ({ code, name }));
}

export function defaultCustomOptions(): CustomOptions {
  return {
    suites: [...DEFAULT_CIPHER_SUITES],
    groups: [...DEFAULT_GROUPS],
    keyType: 'ed25519',
    serverCredential: 'ca-issued',
    clientCredential: 'self-signed',
    clientAuth: 'require',
    clientTrust: 'ca',
    serverTrust: 'pinned-certificate',
  };
}

const SERVER_NAME = 'lab.tls13-lab.test';

/** One side's credential and what its peer may pin of it. */
interface Party {
  certified?: CertifiedKey;
  rawKey?: PrivateKey;
  /** The leaf certificate (DER), when there is one, and the SubjectPublicKeyInfo. */
  leaf?: Uint8Array;
  spki?: Uint8Array;
}

function fromIdentity(identity: Identity): Party {
  return { certified: identity, leaf: identity.der, spki: encodeSpki(nobleProvider.publicKeyOf(identity.privateKey)) };
}

/** The pasted chain and key; a mistake in them is the user's, told in one line. */
export function pastedParty(pasted: PastedIdentity): Party {
  const chain = userInput('the pasted certificate', () => {
    const blocks = readPemOrDer(pasted.certificatePem, 'CERTIFICATE').filter((b) => b.label === 'CERTIFICATE');
    if (blocks.length === 0) throw new Error('no CERTIFICATE block');
    // Every block, as the engine checks a chain (config-validation.ts): one that does not parse is the user's mistake.
    for (const block of blocks) parseCertificate(block.der);
    return blocks.map((b) => b.der);
  });
  const privateKey = userInput('the pasted key', () => loadPrivateKey(pasted.keyPem));
  return { certified: { chain, privateKey }, leaf: chain[0]!, spki: encodeSpki(nobleProvider.publicKeyOf(privateKey)) };
}

/** Runs `read`, turning its failure into a TypeError that says which input was wrong. */
function userInput<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    throw new TypeError(`${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** How one side judges `peer` (the `role`); a pin needs something to pin. */
function trustFor(choice: TrustChoice, peer: Party, role: 'client' | 'server', ca: Identity): TrustPolicy {
  switch (choice) {
    case 'ca':
      return { kind: 'ca', anchors: [ca.der] };
    case 'pinned-certificate':
      if (!peer.leaf) throw new TypeError(`${choice} trust: the ${role} has no certificate to pin (choose 'ca' or give it a certificate)`);
      return { kind: 'pinned-certificate', certificates: [peer.leaf] };
    case 'pinned-key':
      if (!peer.spki) throw new TypeError(`${choice} trust: the ${role} has no key to pin (choose 'ca' or give it a key)`);
      return { kind: 'pinned-key', keys: [peer.spki] };
  }
}

/** A connection set up by hand: every identity from the seed (or pasted), both sides on the test clock. */
export function customSetup(options: CustomOptions, seed: string, pasted?: PastedIdentity): DemoSetup {
  const random = seededRandom(`${seed}/lab-certificates`);
  const keyType = options.keyType;
  const ca = makeIdentity({ subject: { O: 'tls13-lab', CN: 'Lab Root CA' }, isCA: true, keyUsage: ['keyCertSign', 'cRLSign'], keyType }, random);
  const party = (role: 'server' | 'client', choice: CredentialChoice): Party => {
    const name = role === 'server' ? SERVER_NAME : 'alice';
    const usage = role === 'server' ? 'serverAuth' : 'clientAuth';
    const sans = role === 'server' ? { dns: [SERVER_NAME] } : { uri: ['spiffe://tls13-lab.test/alice'] };
    switch (choice) {
      case 'ca-issued':
        return fromIdentity(makeIdentity({ subject: { CN: name }, issuer: ca, serial: 2n, sans, extKeyUsage: [usage], keyType }, random));
      case 'self-signed':
        return fromIdentity(makeIdentity({ subject: { CN: name }, serial: 3n, sans, extKeyUsage: [usage], keyType }, random));
      case 'raw-public-key': {
        const identity = makeIdentity({ subject: { CN: name }, keyType }, random);
        return { rawKey: identity.privateKey, spki: encodeSpki(nobleProvider.publicKeyOf(identity.privateKey)) };
      }
      case 'pasted':
        if (!pasted) throw new TypeError(`paste a certificate and key (PEM) for the ${role}`);
        return pastedParty(pasted);
      case 'none':
        return {};
    }
  };
  const server = party('server', options.serverCredential);
  const client = party('client', options.clientCredential);
  const serverLeaf = server.leaf ? parseCertificate(server.leaf) : undefined;
  const serverName = serverLeaf?.subjectAltName?.dns[0] ?? SERVER_NAME;
  const clientConfig: ClientConfig = {
    now: () => TEST_NOW,
    random: seededRandom(`${seed}/client`),
    serverName,
    cipherSuites: options.suites,
    groups: options.groups,
    trust: trustFor(options.clientTrust, server, 'server', ca),
    ...(options.groups[0] !== undefined ? { keyShareGroups: [options.groups[0]] } : {}),
    ...(server.rawKey ? { serverCertificateTypes: ['raw-public-key' as const] } : {}),
    ...(client.certified ? { certificate: client.certified } : {}),
    ...(client.rawKey ? { rawPublicKey: { privateKey: client.rawKey } } : {}),
  };
  const serverConfig: ServerConfig = {
    now: () => TEST_NOW,
    random: seededRandom(`${seed}/server`),
    clientAuth: options.clientAuth,
    // Without client authentication the server judges nobody.
    ...(options.clientAuth === 'none' ? {} : { trust: trustFor(options.serverTrust, client, 'client', ca) }),
    ...(server.certified ? { certificate: server.certified } : {}),
    ...(server.rawKey ? { rawPublicKey: { privateKey: server.rawKey } } : {}),
    ...(client.rawKey ? { clientCertificateTypes: ['raw-public-key' as const] } : {}),
  };
  return {
    client: clientConfig,
    server: serverConfig,
    story: [
      `A connection set up by hand: the server authenticates with ${options.serverCredential}, the client with ${options.clientCredential}`,
      `(client auth: ${options.clientAuth}); the client judges the server by ${options.clientTrust}, the server the client by ${options.serverTrust}.`,
    ],
    clientMessage: 'hello from the lab',
    serverReply: 'hello back',
  };
}

/** The two configs and the story of what `options` names; a bad option is a TypeError saying which. */
export function labSetup(options: LabOptions): DemoSetup {
  if (options.scenario === CUSTOM) return customSetup(options.custom ?? defaultCustomOptions(), options.seed, options.pasted);
  const scenario = SCENARIOS[options.scenario];
  if (!scenario) throw new TypeError(`unknown scenario ${options.scenario}`);
  return scenario.setup(options.seed);
}
