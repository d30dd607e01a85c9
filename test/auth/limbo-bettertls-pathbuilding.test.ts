// x509-limbo's bettertls::pathbuilding::* cases, rebuilt with our builder the way Netflix's BetterTLS generator makes
// them (test-suites/pathbuilding in github.com/Netflix/bettertls): every edge of a trust graph (RFC 4158's figure 7
// and bridge CA, two roots, a line) is a certificate, the edge into the destination node the leaf (SAN localhost);
// the source node is the trust anchor; some edges are made invalid (expired, name constraints, an EKU without
// serverAuth, no basicConstraints, cA FALSE, ECDSA with SHA-1). Expected: success exactly when the destination is
// reachable from the source over valid edges. All certificates are sent as intermediates, in edge order.
import { sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildCertificate, type CertificateSpec } from '../../src/auth/builder.js';
import { verifyChain } from '../../src/auth/chain.js';
import { der } from '../../src/auth/der-writer.js';
import { readSingle } from '../../src/auth/der.js';
import { OID } from '../../src/auth/oids.js';
import { equalBytes } from '../../src/wire/bytes.js';
import { parseCertificate, type Certificate } from '../../src/auth/x509.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { DAY, nodeKey, NOW, random, type TestKey } from './helpers.js';

type Edge = [string, string];
const LINEAR: Edge[] = [['ICA', 'EE'], ['Trust Anchor', 'ICA']];
const TWO_ROOTS: Edge[] = [['ICA', 'EE'], ['Root1', 'ICA'], ['Root2', 'ICA']];
const FIGURE_SEVEN: Edge[] = [['B', 'EE'], ['C', 'B'], ['A', 'B'], ['C', 'A'], ['A', 'C'], ['Trust Anchor', 'C'], ['Trust Anchor', 'A']];
const BRIDGE: Edge[] = [
  ['F', 'H'], ['F', 'G'], ['G', 'F'], ['H', 'I'], ['I', 'H'], ['G', 'I'], ['TA W', 'F'], ['TA W', 'G'],
  ['J', 'K'], ['N', 'EE'], ['L', 'N'], ['L', 'M'], ['TA X', 'J'], ['TA X', 'L'],
  ['B', 'E'], ['B', 'D'], ['A', 'B'], ['C', 'B'], ['A', 'C'], ['C', 'A'], ['TA Y', 'A'], ['TA Y', 'C'],
  ['R', 'S'], ['O', 'R'], ['O', 'Q'], ['P', 'S'], ['TA Z', 'O'], ['TA Z', 'P'],
  ['TA W', 'Bridge CA'], ['Bridge CA', 'TA W'], ['TA X', 'Bridge CA'], ['Bridge CA', 'TA X'],
  ['TA Y', 'Bridge CA'], ['Bridge CA', 'TA Y'], ['TA Z', 'Bridge CA'], ['Bridge CA', 'TA Z'],
];

const REASONS = ['EXPIRED', 'NAME_CONSTRAINTS', 'BAD_EKU', 'MISSING_BASIC_CONSTRAINTS', 'NOT_A_CA', 'DEPRECATED_CRYPTO'] as const;
type Reason = (typeof REASONS)[number];
interface Explicit {
  graph: Edge[];
  src: string;
  dst: string;
  invalid?: Edge[];
}
interface PathCase extends Explicit {
  reason?: Reason;
}

const EXPLICIT: Explicit[] = [
  { graph: LINEAR, src: 'Trust Anchor', dst: 'EE' },
  { graph: LINEAR, src: 'Trust Anchor', dst: 'EE', invalid: [['Trust Anchor', 'ICA']] },
  { graph: LINEAR, src: 'ICA', dst: 'EE', invalid: [['Trust Anchor', 'ICA']] },
  { graph: TWO_ROOTS, src: 'Root1', dst: 'EE' },
  { graph: TWO_ROOTS, src: 'Root2', dst: 'EE' },
  { graph: TWO_ROOTS, src: 'Root1', dst: 'EE', invalid: [['Root2', 'ICA']] },
  { graph: TWO_ROOTS, src: 'Root2', dst: 'EE', invalid: [['Root1', 'ICA']] },
  { graph: TWO_ROOTS, src: 'Root1', dst: 'EE', invalid: [['Root1', 'ICA']] },
  { graph: TWO_ROOTS, src: 'Root2', dst: 'EE', invalid: [['Root2', 'ICA']] },
  { graph: FIGURE_SEVEN, src: 'Trust Anchor', dst: 'EE' },
  { graph: FIGURE_SEVEN, src: 'Trust Anchor', dst: 'EE', invalid: [['Trust Anchor', 'C'], ['A', 'B']] },
  { graph: FIGURE_SEVEN, src: 'Trust Anchor', dst: 'EE', invalid: [['Trust Anchor', 'A'], ['C', 'B']] },
  { graph: BRIDGE, src: 'TA Z', dst: 'D' },
  { graph: BRIDGE, src: 'TA Z', dst: 'EE' },
  { graph: BRIDGE, src: 'TA Z', dst: 'EE', invalid: [['TA X', 'Bridge CA']] },
  { graph: BRIDGE, src: 'TA Z', dst: 'EE', invalid: [['Bridge CA', 'TA X']] },
  { graph: BRIDGE, src: 'TA Z', dst: 'EE', invalid: [['TA Z', 'Bridge CA']] },
];

/** BetterTLS's order: a sanity case, two branching probes, one probe per reason, then the explicit cases, each with invalid edges once per reason. */
function cases(): PathCase[] {
  const out: PathCase[] = [EXPLICIT[0]!, EXPLICIT[3]!, EXPLICIT[4]!];
  for (const reason of REASONS) out.push({ ...EXPLICIT[1]!, reason });
  for (const c of EXPLICIT) {
    if (c.invalid?.length) for (const reason of REASONS) out.push({ ...c, reason });
    else out.push(c);
  }
  return out;
}

const isInvalid = (c: PathCase, [s, d]: Edge) => (c.invalid ?? []).some(([is, id]) => is === s && id === d);

/** Is `dst` reachable from `src` over valid edges? */
function reachable(c: PathCase): boolean {
  const seen = new Set<string>();
  const visit = (node: string): boolean => {
    if (node === c.dst) return true;
    if (seen.has(node)) return false;
    seen.add(node);
    return c.graph.some((e) => e[0] === node && !isInvalid(c, e) && visit(e[1]));
  };
  return visit(c.src);
}

const provider = nodeCryptoProvider;
const keys = new Map<string, TestKey>();
const keyOf = (node: string) => keys.get(node) ?? keys.set(node, nodeKey('p256')).get(node)!;
let serial = 1n;

/** The certificates of one case: the anchor (the source node, named as BetterTLS's trust root), the leaf, the rest. */
function certificates(c: PathCase) {
  const nameOf = (node: string) => ({ O: 'bettertls.com', CN: node === c.src ? 'bettertls_trust_root' : node });
  const certify = (subject: string, issuer: string | undefined, extra: Partial<CertificateSpec>) => {
    const issuerName = issuer === undefined ? undefined : { name: nameOf(issuer), publicKey: keyOf(issuer).publicKey };
    const spec: CertificateSpec = { subject: nameOf(subject), publicKey: keyOf(subject).publicKey, signingKey: keyOf(issuer ?? subject).privateKey, serial: serial++, notBefore: NOW - DAY, notAfter: NOW + 366 * DAY, isCA: true, keyUsage: ['keyCertSign'], ...extra };
    if (issuerName) spec.issuer = issuerName;
    return parseCertificate(buildCertificate(spec, provider, random));
  };
  const anchor = certify(c.src, undefined, {});
  let leaf: Certificate | undefined;
  const intermediates: Certificate[] = [];
  for (const edge of c.graph) {
    const [from, to] = edge;
    const isLeaf = to === c.dst;
    const extra: Partial<CertificateSpec> = isLeaf ? { isCA: false, keyUsage: ['digitalSignature'], extKeyUsage: ['serverAuth'], sans: { dns: ['localhost'] } } : {};
    const invalid = isInvalid(c, edge);
    if (invalid) Object.assign(extra, invalidBy(c.reason!));
    let cert = certify(to, from, extra);
    if (invalid && c.reason === 'DEPRECATED_CRYPTO') cert = parseCertificate(resignedWithSha1(cert.der, keyOf(from)));
    if (isLeaf) leaf = cert;
    else intermediates.push(cert);
  }
  return { anchor, leaf: leaf!, intermediates };
}

function invalidBy(reason: Reason): Partial<CertificateSpec> {
  switch (reason) {
    case 'EXPIRED':
      return { notAfter: NOW - DAY / 24 };
    case 'NAME_CONSTRAINTS':
      return { nameConstraints: { permitted: [{ dns: 'bad.example.com' }] } };
    case 'BAD_EKU':
      return { extKeyUsage: ['emailProtection'] };
    case 'MISSING_BASIC_CONSTRAINTS':
      return { isCA: undefined };
    case 'NOT_A_CA':
      return { isCA: false };
    case 'DEPRECATED_CRYPTO':
      return {}; // re-signed with SHA-1 below (our builder writes no SHA-1 signature)
  }
}

/** The certificate with its tbsCertificate re-signed by `issuer` as ecdsa-with-SHA1 (RFC 5758 §3.2), both AlgorithmIdentifiers so named. */
function resignedWithSha1(certDer: Uint8Array, issuer: TestKey): Uint8Array {
  const sha256 = der.sequence(der.oid(OID.ecdsaWithSHA256));
  const sha1 = der.sequence(der.oid('1.2.840.10045.4.1'));
  const fields = readSingle(certDer, (r) => {
    const tbs = r.sequence().sequence();
    const out: Uint8Array[] = [];
    while (!tbs.atEnd) out.push(tbs.any().raw);
    return out;
  });
  const tbs = der.sequence(...fields.map((f) => (equalBytes(f, sha256) ? sha1 : f)));
  return der.sequence(tbs, sha1, der.bitString(new Uint8Array(sign('sha1', tbs, issuer.node.privateKey))));
}

describe('bettertls::pathbuilding::* (x509-limbo, from Netflix BetterTLS)', () => {
  it('every case gets limbo\'s verdict: success exactly when a valid path exists', () => {
    const all = cases();
    const wrong: string[] = [];
    all.forEach((c, i) => {
      const { anchor, leaf, intermediates } = certificates(c);
      // Limbo validates an EXPIRED case that must fail just after the leaf's notAfter, any other just after its notBefore.
      const now = c.reason === 'EXPIRED' && !reachable(c) ? leaf.notAfter + 1000 : NOW;
      const verdict = verifyChain({ leaf, intermediates, anchors: [anchor], now, purpose: 'serverAuth', provider, hostname: 'localhost' });
      if (verdict.ok !== reachable(c)) wrong.push(`bettertls::pathbuilding::tc${i} ${c.src}->${c.dst} invalid ${JSON.stringify(c.invalid ?? [])} ${c.reason ?? ''}: ${verdict.ok ? 'accepted' : verdict.detail}`);
    });
    expect(wrong).toEqual([]);
    expect(all.filter(reachable).length).toBeGreaterThan(10);
    expect(all.filter((c) => !reachable(c)).length).toBeGreaterThan(10);
  });
});
