// The handshake variants the bench measures, each described once and turned into configs for our engine
// and into options for node:tls, over the same certificates and keys (each made from a seed of its own, only
// when a case needs it: a contender's process builds its row's case and nothing else).
import { createHash, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodePkcs8, encodeSpki, loadPrivateKey, spkiSha256 } from '../../src/auth/keys.js';
import { toPem } from '../../src/auth/pem.js';
import type { TrustPolicy } from '../../src/auth/trust.js';
import type { CryptoProvider, PrivateKey, RandomSource } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { CertifiedKey, ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { DAY, makeIdentity, TEST_NOW, type Identity, type IdentityOptions } from '../../src/testing/certs.js';
import { CipherSuite, NamedGroup } from '../../src/wire/enums.js';

export const SERVER_NAME = 'bench.test';

/** The checkout's root, whether this module runs from dist/ (npm run build) or from its source (a test). */
export const REPO_ROOT = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../..' : '../..', import.meta.url));

export interface HandshakeCase {
  name: string;
  /** What the row measures, in words, for the table legend and the JSON. */
  description: string;
  serverIdentity: Identity;
  /** How the client judges the server; node:tls gets the equivalent `ca` list. */
  trust: { kind: 'pinned-certificate' | 'ca'; anchor: Identity };
  /** Mutual TLS: the client's identity, pinned by the server. */
  clientIdentity?: Identity;
  /**
   * 'raw-public-key': the server sends its SubjectPublicKeyInfo (RFC 7250), the client pins its SHA-256
   * (node:tls, without RFC 7250, does the certificate handshake instead). 'resumption': each handshake
   * resumes from one ticket of an earlier full handshake (psk_dhe_ke, RFC 8446 §2.2), as node:tls resumes
   * its session.
   */
  variant?: 'raw-public-key' | 'resumption';
  /** The key-exchange group of both sides (x25519 unless given): our code point and OpenSSL's name. */
  group?: BenchGroup;
}

export interface BenchGroup {
  name: string;
  id: number;
  openssl: string;
}

export const X25519: BenchGroup = { name: 'x25519', id: NamedGroup.x25519, openssl: 'X25519' };

/** The groups with a row of their own (an Ed25519 pinned handshake each), beside x25519 in every other row. */
export const GROUP_ROWS: readonly BenchGroup[] = [
  { name: 'X25519MLKEM768', id: NamedGroup.X25519MLKEM768, openssl: 'X25519MLKEM768' },
  { name: 'secp521r1', id: NamedGroup.secp521r1, openssl: 'P-521' },
  { name: 'x448', id: NamedGroup.x448, openssl: 'X448' },
  { name: 'ffdhe2048', id: NamedGroup.ffdhe2048, openssl: 'ffdhe2048' },
];

/** The PEM texts node:tls needs for one side. */
export interface NodeCredentials {
  cert: string;
  key: string;
}

export function nodeCredentials(identity: { chain: Uint8Array[]; privateKey: PrivateKey }): NodeCredentials {
  return {
    cert: identity.chain.map((der) => toPem('CERTIFICATE', der)).join(''),
    key: toPem('PRIVATE KEY', encodePkcs8(identity.privateKey)),
  };
}

/** Certificates valid for years around now, so node:tls (which reads the real clock) accepts them too. */
function identity(options: IdentityOptions, random: RandomSource): Identity {
  return makeIdentity({ notBefore: TEST_NOW - 3650 * DAY, notAfter: TEST_NOW + 3650 * DAY, ...options }, random);
}

/**
 * The RSA-2048 key of the rsa2048 row: the server key The Illustrated TLS 1.3 publishes (vectors/illustrated-tls13),
 * a fixed key, so every process of a run, and every run, meets the same one (node:crypto cannot make an RSA key
 * from a seed, and making a fresh one in each contender's process gave each contender of the row its own key).
 */
const RSA_KEY_PEM = join(REPO_ROOT, 'vectors', 'illustrated-tls13', 'server-key.pem');

/**
 * The certificates and keys of the bench's cases, each made the first time a case asks for it, from a seed
 * of its own: a process that builds one case makes that case's identities and no other, and every process
 * that builds it makes the same bytes. `made` lists what was made, in order.
 */
export class BenchFixtures {
  readonly made: string[] = [];
  private readonly identities = new Map<string, Identity>();

  private once(label: string, make: (random: RandomSource) => Identity): Identity {
    let made = this.identities.get(label);
    if (!made) {
      made = make(seededRandom(`tls13-lab bench: ${label}`));
      this.identities.set(label, made);
      this.made.push(label);
    }
    return made;
  }

  private server(label: string, extra: IdentityOptions): Identity {
    return this.once(label, (random) => identity({ subject: { CN: SERVER_NAME }, sans: { dns: [SERVER_NAME] }, extKeyUsage: ['serverAuth'], ...extra }, random));
  }

  get ed25519(): Identity {
    return this.server('ed25519 server', { keyType: 'ed25519' });
  }

  get ca(): Identity {
    return this.once('ed25519 CA', (random) => identity({ subject: { CN: 'Bench CA' }, isCA: true, keyUsage: ['keyCertSign'], keyType: 'ed25519' }, random));
  }

  get ed25519Issued(): Identity {
    const issuer = this.ca;
    return this.server('ed25519 server issued by the CA', { keyType: 'ed25519', issuer });
  }

  get p256(): Identity {
    return this.server('p256 server', { keyType: 'p256' });
  }

  get rsa2048(): Identity {
    const pkcs8 = () => createPrivateKey(readFileSync(RSA_KEY_PEM, 'utf8')).export({ type: 'pkcs8', format: 'der' });
    return this.server('rsa2048 server', { privateKey: loadPrivateKey(new Uint8Array(pkcs8())) });
  }

  get client(): Identity {
    return this.once('ed25519 client', (random) => identity({ subject: { CN: 'bench client' }, extKeyUsage: ['clientAuth'], keyType: 'ed25519' }, random));
  }
}

/** A server identity the client pins (DER match). */
const pinned = (identity: Identity) => ({ serverIdentity: identity, trust: { kind: 'pinned-certificate' as const, anchor: identity } });

/** Each case, described once: its name and how it is made from the fixtures. */
const CASES: readonly { name: string; make: (f: BenchFixtures) => Omit<HandshakeCase, 'name'> }[] = [
  { name: 'ed25519 pinned', make: (f) => ({ description: 'Ed25519 server certificate, client pins it (DER match)', ...pinned(f.ed25519) }) },
  {
    name: 'ed25519 CA',
    make: (f) => ({ description: 'Ed25519 server certificate issued by an Ed25519 CA, client validates the chain', serverIdentity: f.ed25519Issued, trust: { kind: 'ca', anchor: f.ca } }),
  },
  { name: 'p256 pinned', make: (f) => ({ description: 'ECDSA P-256 server certificate (self-signed), client pins it', ...pinned(f.p256) }) },
  { name: 'rsa2048 pinned', make: (f) => ({ description: 'RSA-2048 server certificate (rsa_pss_rsae_sha256), client pins it', ...pinned(f.rsa2048) }) },
  {
    name: 'mtls ed25519',
    make: (f) => ({ description: 'Ed25519 server certificate pinned by the client, Ed25519 client certificate pinned by the server', ...pinned(f.ed25519), clientIdentity: f.client }),
  },
  {
    name: 'rpk ed25519',
    make: (f) => ({ description: 'Ed25519 raw public key (RFC 7250) pinned by its SPKI SHA-256; node:tls: the Ed25519 certificate, pinned', ...pinned(f.ed25519), variant: 'raw-public-key' }),
  },
  {
    name: 'psk resumption',
    make: (f) => ({ description: 'Resumption (psk_dhe_ke, x25519) from a ticket of an Ed25519 handshake; a new ticket each time, as node:tls', ...pinned(f.ed25519), variant: 'resumption' }),
  },
  ...GROUP_ROWS.map((group) => ({
    name: `group ${group.name}`,
    make: (f: BenchFixtures) => ({ description: `Ed25519 server certificate pinned by the client, key exchange over ${group.name}`, ...pinned(f.ed25519), group }),
  })),
];

/** Every case's name, in the order of the tables. */
export const CASE_NAMES: readonly string[] = CASES.map((c) => c.name);

/** The case named `name` (undefined if none is), making only the certificates and keys it uses. */
export function makeCase(name: string, fixtures = new BenchFixtures()): HandshakeCase | undefined {
  const c = CASES.find((x) => x.name === name);
  return c && { name, ...c.make(fixtures) };
}

/** The cases whose names `select` accepts (all by default), in table order, sharing one set of fixtures. */
export function makeCases(select: (name: string) => boolean = () => true): HandshakeCase[] {
  const fixtures = new BenchFixtures();
  return CASES.filter((c) => select(c.name)).map((c) => ({ name: c.name, ...c.make(fixtures) }));
}

/**
 * SHA-256 over what a case authenticates with (every certificate and private key of both sides, and the
 * anchor): processes that agree on it met identical fixtures.
 */
export function caseFingerprint(c: HandshakeCase): string {
  const hash = createHash('sha256');
  for (const id of [c.serverIdentity, c.trust.anchor, ...(c.clientIdentity ? [c.clientIdentity] : [])]) {
    for (const der of id.chain) hash.update(der);
    hash.update(encodePkcs8(id.privateKey));
  }
  return hash.digest('hex');
}

function trustPolicy(c: HandshakeCase): TrustPolicy {
  return c.trust.kind === 'ca'
    ? { kind: 'ca', anchors: [c.trust.anchor.der] }
    : { kind: 'pinned-certificate', certificates: [c.trust.anchor.der] };
}

/**
 * A test identity as an application configures it: its chain and key, as `loadCertifiedKey` (src/cli/credentials.ts)
 * gives `tls13 serve` and `connect`, and node:tls gets them (cert and key). Not the Identity itself: its parsed
 * `certificate` (some 30 objects and arrays, for tests) is a field the engine never reads, but each connection's config
 * snapshot walks it (config-snapshot.ts), ~2 KiB of field lists per handshake that no real config costs.
 */
const certifiedKey = (identity: Identity): CertifiedKey => ({ chain: identity.chain, privateKey: identity.privateKey });

/**
 * Configs for our engine: TLS_AES_128_GCM_SHA256, x25519 only (or the case's group), no secret or trace events, no session tickets (node:tls cannot turn
 * them off and makes two per handshake: a few microseconds of symmetric crypto, see node-tls.ts), except
 * for resumption, where the server issues one ticket per handshake under a key shared by its connections.
 */
export function engineConfigs(c: HandshakeCase, provider: CryptoProvider, random: RandomSource): { client: ClientConfig; server: ServerConfig } {
  const common = {
    provider,
    random,
    now: () => Date.now(),
    cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256],
    groups: [(c.group ?? X25519).id],
    // No key log and no trace, as node:tls without a 'keylog' listener and our node adapter without a 'keylog'
    // or 'tlsEvent' one.
    secretEvents: false,
    traceEvents: false,
  };
  const client: ClientConfig = { ...common, serverName: SERVER_NAME, trust: trustPolicy(c) };
  const server: ServerConfig = { ...common, certificate: certifiedKey(c.serverIdentity), tickets: { count: 0 } };
  if (c.clientIdentity) {
    client.certificate = certifiedKey(c.clientIdentity);
    server.clientAuth = 'require';
    server.trust = { kind: 'pinned-certificate', certificates: [c.clientIdentity.der] };
  }
  if (c.variant === 'raw-public-key') {
    const spki = encodeSpki(provider.publicKeyOf(c.serverIdentity.privateKey));
    delete server.certificate;
    server.rawPublicKey = { privateKey: c.serverIdentity.privateKey, spki };
    client.serverCertificateTypes = ['raw-public-key'];
    client.trust = { kind: 'pinned-key', spkiSha256: [spkiSha256(spki, provider).hex] };
  }
  if (c.variant === 'resumption') {
    server.tickets = { count: 1, key: random(32) };
    const first = new InMemoryPair(client, server).run();
    const ticket = first.events('client').find((e) => e.type === 'session-ticket');
    if (ticket?.type !== 'session-ticket') throw new Error(`${c.name}: the first handshake gave no ticket`);
    client.resumption = { ticket: ticket.ticket };
  }
  return { client, server };
}
