// Fuzz targets for the revocation documents a user configures: CRLs in a CA trust policy (`trust.crls`,
// src/auth/path/revocation.ts) and the OCSP response a server staples (`ocspResponse`, src/auth/ocsp.ts).
// Both are user input: a malformed document is a TypeError of one line when the config is checked, before
// anything is sent; an accepted one works. The DER mutations are structure-aware (der-tree.ts). The judge:
// - x509:crl: checkTrustPolicy refuses the policy with a one-line TypeError or accepts it; an accepted
//   policy judges the real chain with a verdict or a TlsError of its own reason (never another exception);
//   and a mutation of a CRL that revokes the leaf never makes the leaf trusted while the mutated CRL still
//   names the leaf's issuer (its signature covers the list: a changed list must not verify).
// - x509:ocsp-config: the server config of the ocsp feature scenario with its staple mutated is a one-line
//   TypeError from Connection.server or works: the handshake against a client that asks for the staple
//   never ends in an exception out of the engine or in the server's own internal_error.
// Core-safe: no node imports.
import { buildCrl } from '../../auth/builder.js';
import { parseCrl } from '../../auth/path/revocation.js';
import { checkTrustPolicy, evaluateTrust, type TrustPolicy } from '../../auth/trust.js';
import { equalBytes } from '../../wire/bytes.js';
import { Connection } from '../../handshake/connection.js';
import type { CryptoProvider } from '../../crypto/provider.js';
import { DAY, TEST_NOW } from '../certs.js';
import { handshake, oneLine } from './config.js';
import { donorElements, mutateDer, type DerNode } from './der-tree.js';
import { featureScenarioConfigs } from './feature-scenarios.js';
import { Choices, fastRandom } from './input.js';
import { allowed, context, corpus, MAX_DOCUMENT, X509Violation } from './x509.js';

export const REVOCATION_TARGETS = ['x509:crl', 'x509:ocsp-config'] as const;
export type RevocationTargetName = (typeof REVOCATION_TARGETS)[number];

interface CrlCorpus {
  /** Signed by the intermediate: the first revokes the first leaf (serial 10), the second only serial 99. */
  revoking: Uint8Array;
  other: Uint8Array;
  donors: DerNode[];
}

const crlCorpora = new Map<CryptoProvider, CrlCorpus>();

function crlCorpus(provider: CryptoProvider): CrlCorpus {
  let m = crlCorpora.get(provider);
  if (m) return m;
  const { intermediate, staple } = corpus(provider);
  const random = fastRandom(5280_2);
  const crl = (serials: bigint[]) =>
    buildCrl({ issuer: intermediate.certificate, signingKey: intermediate.privateKey, thisUpdate: TEST_NOW - DAY, nextUpdate: TEST_NOW + 7 * DAY, revoked: serials.map((serial) => ({ serial, date: TEST_NOW - DAY })) }, provider, random);
  const revoking = crl([10n, 77n]);
  const other = crl([99n]);
  m = { revoking, other, donors: donorElements([revoking, other, staple]) };
  crlCorpora.set(provider, m);
  return m;
}

function runCrlCase(input: Uint8Array, provider: CryptoProvider): string {
  const x = corpus(provider);
  const m = crlCorpus(provider);
  const c = new Choices(input);
  const revokes = c.below(2) === 0;
  const leaf = revokes ? x.leaves[0]! : x.leaves[c.below(x.leaves.length)]!;
  const mutated = mutateDer(revokes ? m.revoking : m.other, c, m.donors, MAX_DOCUMENT);
  const asPem = c.below(4) === 0;
  const document = asPem ? `-----BEGIN X509 CRL-----\n${btoa(String.fromCharCode(...mutated.bytes))}\n-----END X509 CRL-----\n` : mutated.bytes;
  const policy: TrustPolicy = { kind: 'ca', anchors: [x.root.der], crls: [document] };
  const what = `${revokes ? 'revoking' : 'other'} CRL${asPem ? ' (PEM)' : ''} ${mutated.description}`;
  try {
    checkTrustPolicy(policy);
  } catch (e) {
    if (e instanceof TypeError) return `${what}: ${oneLineOr(e)}`;
    throw new X509Violation(`checkTrustPolicy threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} (${what})`);
  }
  const judged = allowed('evaluateTrust(crl)', () => (evaluateTrust(policy, leaf.chain!, context(provider)).verdict.trusted ? 'trusted' : 'untrusted'));
  if (revokes && judged === 'trusted' && equalBytes(parseCrl(mutated.bytes).issuer.raw, x.intermediate.certificate.subject.raw)) {
    throw new X509Violation(`a mutated CRL of the leaf's issuer that revoked it let the leaf be trusted (${what})`);
  }
  return `${what}: ${judged}`;
}

/** A TypeError of a config check, which must be one line (a caller prints it as it is). */
function oneLineOr(e: TypeError): string {
  if (e.message.includes('\n') || e.message.length === 0) throw new X509Violation(`a TypeError whose message is not one line: ${JSON.stringify(e.message)}`);
  return 'TypeError';
}

function runOcspConfigCase(input: Uint8Array, provider: CryptoProvider): string {
  const x = corpus(provider);
  const c = new Choices(input);
  const configs = featureScenarioConfigs('ocsp', provider, 1);
  const mutated = mutateDer(configs.server.ocspResponse!, c, x.donors, MAX_DOCUMENT);
  configs.server.ocspResponse = mutated.bytes;
  let server: Connection;
  try {
    server = Connection.server(configs.server);
  } catch (e) {
    return `staple ${mutated.description}: ${oneLine(e, 'Connection.server')}`;
  }
  return `staple ${mutated.description}: accepted, ${handshake({ client: Connection.client(configs.client), server }, 'server')}`;
}

/** One input: the mutation's decisions (see the header). */
export function runRevocationCase(target: RevocationTargetName, input: Uint8Array, provider: CryptoProvider): string {
  return target === 'x509:crl' ? runCrlCase(input, provider) : runOcspConfigCase(input, provider);
}
