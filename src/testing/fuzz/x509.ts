// Fuzz targets for what a peer's Certificate message makes us parse and judge: the certificate chain (DER,
// X.509, path validation under a CA policy and under a pin), a raw public key (SubjectPublicKeyInfo) and
// an OCSP staple. Inputs mutate a real chain (root, intermediate with name constraints, leaves with every
// SAN type, EC, EdDSA and RSA keys up to 8192 bits) with the structure-aware DER mutations of der-tree.ts.
// The invariant: a malformed or hostile document fails as a TlsError of its own reason (bad_certificate,
// unsupported_certificate, ...), never with another exception (the engine would answer internal_error)
// and never with internal_error; the CPU bound per input is the fuzz runner's to report.
// Core-safe: no node imports.
import { evaluateRawPublicKey, evaluateTrust, type TrustContext, type TrustPolicy } from '../../auth/trust.js';
import { parseSpki } from '../../auth/keys.js';
import { judgeStaple } from '../../auth/ocsp-status.js';
import { parseOcspResponse } from '../../auth/ocsp.js';
import { parseCertificate } from '../../auth/x509.js';
import { buildCertificate, type CertificateSpec } from '../../auth/builder.js';
import type { CryptoProvider, PublicKey, RandomSource } from '../../crypto/provider.js';
import { TlsError } from '../../wire/errors.js';
import { DAY, makeIdentity, TEST_NOW, type Identity } from '../certs.js';
import { buildOcspResponse } from '../ocsp.js';
import { donorElements, mutateDer, type DerNode } from './der-tree.js';
import { Choices, fastRandom } from './input.js';

/** An exception the invariant does not allow; the message says where. */
export class X509Violation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'X509Violation';
  }
}

export const HOSTNAME = 'leaf.fuzz.test';

export interface Corpus {
  root: Identity;
  intermediate: Identity;
  /** Leaves under the intermediate: P-384, Ed25519, RSA 2048 and RSA 8192 public keys. */
  leaves: Identity[];
  staple: Uint8Array;
  donors: DerNode[];
}

type LeafSpec = Omit<CertificateSpec, 'publicKey' | 'signingKey' | 'notBefore' | 'notAfter' | 'issuer'> & { issuer: Identity };

const corpora = new Map<CryptoProvider, Corpus>();

/** An RSA public key of `bits` bits that nobody holds the private half of: the leaf never signs here. */
function rsaPublicKey(bits: number, seed: number): PublicKey {
  const random = fastRandom(seed)(bits / 8);
  random[0]! |= 0x80;
  random[random.length - 1]! |= 1;
  return { kind: 'rsa', n: BigInt(`0x${[...random].map((b) => b.toString(16).padStart(2, '0')).join('')}`), e: 65537n };
}

export function corpus(provider: CryptoProvider): Corpus {
  let m = corpora.get(provider);
  if (m) return m;
  const random = fastRandom(5280);
  const root = makeIdentity({ subject: { CN: 'Fuzz Root', O: 'tls13-lab' }, isCA: true, keyUsage: ['keyCertSign', 'cRLSign'], keyType: 'p256' }, random, provider);
  const intermediate = makeIdentity(
    {
      subject: { CN: 'Fuzz Intermediate', O: 'tls13-lab', OU: 'fuzz' },
      issuer: root,
      serial: 2n,
      isCA: true,
      pathLen: 0,
      keyUsage: ['keyCertSign', 'cRLSign'],
      keyType: 'ed25519',
      nameConstraints: {
        permitted: [{ dns: 'fuzz.test' }, { ip: '10.0.0.0/8' }, { email: 'fuzz.test' }, { uri: '.fuzz.test' }, { dn: { O: 'tls13-lab' } }],
        excluded: [{ dns: 'bad.fuzz.test' }, { ip: '10.9.0.0/16' }],
      },
      extKeyUsage: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'],
    },
    random,
    provider,
  );
  const leafSpec = (serial: bigint): LeafSpec => ({
    subject: { CN: HOSTNAME, O: 'tls13-lab', emailAddress: 'leaf@fuzz.test' },
    issuer: intermediate,
    serial,
    sans: { dns: [HOSTNAME, '*.fuzz.test'], ip: ['10.1.2.3', 'fd00::1'], uri: ['spiffe://fuzz.test/leaf'], email: ['leaf@fuzz.test'], dn: [{ O: 'tls13-lab', CN: 'dn' }] },
    extKeyUsage: ['1.3.6.1.5.5.7.3.1'],
    keyUsage: ['digitalSignature' as const],
    extraExtensions: [{ oid: '1.3.6.1.4.1.99999.1', value: Uint8Array.of(0x05, 0x00) }],
    validityAsGeneralizedTime: serial % 2n === 0n,
  });
  const withChain = (leaf: Identity): Identity => ({ ...leaf, chain: [leaf.der, intermediate.der] });
  const leaves = [
    withChain(makeIdentity({ ...leafSpec(10n), keyType: 'p384' }, random, provider)),
    withChain(makeIdentity({ ...leafSpec(11n), keyType: 'ed25519' }, random, provider)),
    ...[2048, 8192].map((bits, i) => keyOnlyLeaf(leafSpec(BigInt(12 + i)), rsaPublicKey(bits, bits), intermediate, provider, random)),
  ];
  const staple = buildOcspResponse(
    { leaf: leaves[0]!.certificate, issuer: intermediate.certificate, signer: intermediate, status: 'good', thisUpdate: TEST_NOW - DAY / 2, nextUpdate: TEST_NOW + DAY },
    provider,
    random,
  );
  const donors = donorElements([root.der, intermediate.der, ...leaves.map((l) => l.der), staple]);
  m = { root, intermediate, leaves, staple, donors };
  corpora.set(provider, m);
  return m;
}

/** A leaf certificate for a public key only: the intermediate signs it, the leaf never signs here. */
function keyOnlyLeaf(spec: LeafSpec, publicKey: PublicKey, intermediate: Identity, provider: CryptoProvider, random: RandomSource): Identity {
  const { issuer: _issuer, ...rest } = spec;
  const der = buildCertificate(
    { ...rest, notBefore: TEST_NOW - 30 * DAY, notAfter: TEST_NOW + 365 * DAY, publicKey, signingKey: intermediate.privateKey, issuer: intermediate.certificate },
    provider,
    random,
  );
  // The private key stands in: nothing here signs with the leaf.
  return { der, certificate: parseCertificate(der), privateKey: intermediate.privateKey, chain: [der, intermediate.der] };
}

export const context = (provider: CryptoProvider, ocspResponse?: Uint8Array): TrustContext => ({
  provider,
  now: () => TEST_NOW,
  purpose: 'serverAuth',
  hostname: HOSTNAME,
  ...(ocspResponse ? { ocspResponse } : {}),
});

/** Runs `step`; a TlsError of any reason but InternalError is an allowed outcome, anything else a violation. */
export function allowed(where: string, step: () => string): string {
  try {
    return step();
  } catch (e) {
    if (e instanceof TlsError && e.reason !== 'InternalError') return `${where}: ${e.reason}`;
    throw new X509Violation(`${where} threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
}

export const X509_TARGETS = ['x509:chain', 'x509:spki', 'x509:staple'] as const;
export type X509TargetName = (typeof X509_TARGETS)[number];

/** The most a peer can send in one Certificate message (DEFAULT_MAX_HANDSHAKE_MESSAGE_LENGTH): larger documents never reach a parser. */
export const MAX_DOCUMENT = 65_536;

/** One input of an X.509 target: which document to mutate (first bytes), then the mutation's choices. */
export function runX509Case(target: X509TargetName, input: Uint8Array, provider: CryptoProvider): string {
  const m = corpus(provider);
  const c = new Choices(input);
  const mutate = (der: Uint8Array) => mutateDer(der, c, m.donors, MAX_DOCUMENT);
  const leaf = m.leaves[c.below(m.leaves.length)]!;
  switch (target) {
    case 'x509:chain': {
      const which = c.below(3);
      const chain = [leaf.der, m.intermediate.der, ...(which === 2 ? [m.root.der] : [])];
      const mutated = mutate(chain[which]!);
      chain[which] = mutated.bytes;
      const policies: TrustPolicy[] = [
        { kind: 'ca', anchors: [m.root.der] },
        { kind: 'pinned-certificate', certificates: [leaf.der] },
      ];
      const outcomes = [allowed('parseCertificate', () => (parseCertificate(mutated.bytes), 'parsed'))];
      for (const policy of policies) {
        outcomes.push(allowed(`evaluateTrust(${policy.kind})`, () => (evaluateTrust(policy, chain, context(provider, m.staple)).verdict.trusted ? 'trusted' : 'untrusted')));
      }
      return `${['leaf', 'intermediate', 'root'][which]} ${mutated.description}: ${outcomes.join(', ')}`;
    }
    case 'x509:spki': {
      const mutated = mutate(leaf.certificate.spki);
      const parsed = (() => {
        try {
          return parseSpki(mutated.bytes).kind;
        } catch (e) {
          if (e instanceof Error && (e.name === 'KeyError' || e.name === 'DerError')) return `refused (${e.name})`;
          throw new X509Violation(`parseSpki threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
        }
      })();
      const judged = allowed('evaluateRawPublicKey', () => (evaluateRawPublicKey({ kind: 'pinned-key', keys: [leaf.certificate.spki] }, mutated.bytes, context(provider)).verdict.trusted ? 'trusted' : 'untrusted'));
      return `spki ${mutated.description}: ${parsed}, ${judged}`;
    }
    case 'x509:staple': {
      const mutated = mutate(m.staple);
      const judged = allowed('judgeStaple', () => {
        const verdict = judgeStaple(parseOcspResponse(mutated.bytes), m.leaves[0]!.certificate, m.intermediate.certificate, { now: TEST_NOW, provider, signatureBudget: 12 });
        return verdict.ok ? verdict.report.status : verdict.reason;
      });
      const inHandshake = allowed('evaluateTrust(staple)', () => (evaluateTrust({ kind: 'ca', anchors: [m.root.der] }, m.leaves[0]!.chain, context(provider, mutated.bytes)).verdict.trusted ? 'trusted' : 'untrusted'));
      return `staple ${mutated.description}: ${judged}, ${inHandshake}`;
    }
    default: {
      const never: never = target;
      throw new Error(`unknown target ${String(never)}`);
    }
  }
}
