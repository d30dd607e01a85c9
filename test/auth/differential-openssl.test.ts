// Differential path validation: every chain of the corpus is judged by `openssl verify -x509_strict`
// (and by `certtool --verify` where the case does not depend on the clock, which certtool cannot set), and by
// our validator with the same anchor, purpose, name and time. Each case must agree, except:
// - ALLOWED: differences on purpose, each with the RFC or baseline section that makes us differ;
// - KNOWN_BUGS: our bugs, listed so the lead can fix them; a known bug that no longer differs FAILS the test,
//   so that the list stays honest (remove the entry when the fix lands).
// A missing openssl skips loudly, and fails with REQUIRE_INTEROP=1 (src/testing/interop.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateTrust } from '../../src/auth/trust.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { builderKit, certtoolVerify, materialize, opensslVerify, pool, type ChainFiles, type OracleVerdict } from '../../src/testing/chain-corpus.js';
import { findBinary, requireBinary, scratchDirectory } from '../../src/testing/interop.js';
import { CASES } from './differential-cases.js';

const provider = nodeCryptoProvider;

/**
 * A difference on purpose: our verdict (stated, so the entry cannot hide a change of ours) and the RFC or
 * baseline section that makes us differ from the oracle.
 */
type Allowed = { ours: 'accept' | 'reject'; why: string };
const accept = (why: string): Allowed => ({ ours: 'accept', why });
const reject = (why: string): Allowed => ({ ours: 'reject', why });

const WHY = {
  notAfterInclusive: 'RFC 5280 §4.1.2.5: the validity period runs from notBefore through notAfter, inclusive; OpenSSL treats the notAfter second as expired',
  eeNotCa: 'CA/Browser Forum BR §7.1.2.7.8 and rustls-webpki: a subscriber (end-entity) certificate has cA=FALSE; a CA certificate is not accepted as a TLS leaf',
  signingKeyUsage: 'RFC 8446 §4.4.2.2: the end-entity key signs CertificateVerify, so a keyUsage must include digitalSignature (keyEncipherment is TLS 1.2 RSA key transport)',
  noCnFallback: 'RFC 9525 §6.3 and CA/Browser Forum BR §7.1.2.7.12: the reference identity is matched against subjectAltName only, never the Common Name',
  wildcardWholeLabel: 'RFC 9525 §6.3: a wildcard is only the complete left-most label; f*.example.com matches nothing',
  criticalPolicy: 'RFC 5280 §4.2: a critical extension the validator does not process MUST be rejected; certificate policies are not implemented (issue 11: refuse what is not implemented when critical)',
  anchorIsInput: 'RFC 5280 §6.1.1(d) and §6.2: the trust anchor is an input (name and key), not a certificate of the path; its own extensions are not processed (rustls-webpki, Go do the same)',
  absoluteName: 'RFC 1034 §3.1: a trailing dot marks the same fully qualified name (absolute form); node:tls strips it too',
  selfSignedLeafAnchor: 'RFC 5280 §6.1.1(d): a configured self-signed end-entity certificate is itself the trust anchor (RFC 7250/6698-style pinning); GnuTLS requires an anchor to be a CA',
  cnNotConstrained: 'RFC 5280 §4.2.1.10: dNSName constraints apply to dNSName subjectAltNames; OpenSSL also constrains a host-like Common Name when no dNSName SAN exists (its own heuristic)',
} as const;

/** Differences from `openssl verify -x509_strict` on purpose. */
const ALLOWED_VS_OPENSSL: Record<string, Allowed> = {
  'edge/at-not-after': accept(WHY.notAfterInclusive),
  'bc/leaf-ca': reject(WHY.eeNotCa),
  'ku/leaf-keyencipherment-only': reject(WHY.signingKeyUsage),
  'name/cn-only': reject(WHY.noCnFallback),
  'wild/partial': reject(WHY.wildcardWholeLabel),
  'crit/int-policy-constraints': reject(WHY.criticalPolicy),
  'bc/root-missing': accept(WHY.anchorIsInput),
  'bc/root-noncritical': accept(WHY.anchorIsInput),
  'crit/root-unknown': accept(WHY.anchorIsInput),
  'name/trailing-dot-host': accept(WHY.absoluteName),
  'nc/root/dns-permitted-ip-san-only': accept(WHY.cnNotConstrained),
};

/** Differences from `certtool --verify` on purpose. */
const ALLOWED_VS_CERTTOOL: Record<string, Allowed> = {
  'anchor/self-signed-leaf': accept(WHY.selfSignedLeafAnchor),
  'anchor/self-signed-leaf-host': accept(WHY.selfSignedLeafAnchor),
  'anchor/self-signed-ca-as-leaf': reject(WHY.signingKeyUsage),
  'bc/leaf-ca': reject(WHY.eeNotCa),
  'ku/leaf-keyencipherment-only': reject(WHY.signingKeyUsage),
  'name/cn-only': reject(WHY.noCnFallback),
  'crit/root-unknown': accept(WHY.anchorIsInput),
  'name/trailing-dot-host': accept(WHY.absoluteName),
  'nc/root/dns-permitted-ip-san-only': accept(WHY.cnNotConstrained),
};

/** Cases certtool cannot judge: GnuTLS 3.7.9 accepts names outside permitted URI and directoryName subtrees. */
const CERTTOOL_CANNOT_JUDGE = new Set(['uri-permitted-miss', 'spiffe-permitted-miss', 'dirname-permitted-miss'].flatMap((n) => [`nc/root/${n}`, `nc/int/${n}`]).concat('builder-nc/spiffe-miss'));

const BUG = {
  nameConstraints: 'nameConstraints not implemented (RFC 5280 §4.2.1.10, §6.1.3(b)-(c), §6.1.4(g)): ignored on an anchor (false accept), unknown critical extension on an intermediate (false reject)',
  keyFloor: 'no RSA key-size floor (issue 11: 2048 bits by default)',
  bcCritical: 'RFC 5280 §4.2.1.9: a CA certificate MUST mark basicConstraints critical; non-critical is accepted',
  kidCritical: 'RFC 5280 §4.2.1.1/§4.2.1.2: AKI and SKI MUST be non-critical; a critical one is accepted',
  kidMissing: 'RFC 5280 §4.2.1.1/§4.2.1.2: AKI (all but self-signed) and SKI (CA certificates) MUST be present; a missing one is accepted',
  caKeyUsage: 'RFC 5280 §4.2.1.3: a CA certificate whose key signs certificates MUST have keyUsage (with keyCertSign); one without is accepted',
  leafKeyCertSign: 'RFC 5280 §4.2.1.3/§4.2.1.9: keyCertSign only with cA=TRUE; a leaf with keyCertSign is accepted',
  caEmptySubject: 'RFC 5280 §4.1.2.4/§4.1.2.6: a CA subject (the issuer of the next certificate) MUST be non-empty; accepted',
  emptySubjectSan: 'RFC 5280 §4.2.1.6: an empty subject requires a critical subjectAltName; non-critical is accepted',
  anyEku: 'strict (webpki) EKU: anyExtendedKeyUsage alone does not grant serverAuth (CA/B BR §7.1.2.7.10, rustls-webpki); accepted',
  ekuChain: 'strict (webpki) EKU: an intermediate EKU that excludes the purpose constrains the path (CA/B BR §7.1.2.10.6, rustls-webpki, Go); accepted',
} as const;

const ids = (prefix: string, names: string[]) => names.map((n) => `${prefix}${n}`);
const NC_ROOT_FALSE_ACCEPTS = ids('nc/root/', [
  'dirname-excluded-hit', 'dirname-permitted-miss', 'dns-excluded-case', 'dns-excluded-hit', 'dns-permitted-miss', 'dns-permitted-one-of-two',
  'dns-permitted-suffix-trick', 'email-excluded-hit', 'email-permitted-miss', 'ip4-excluded-hit', 'ip4-permitted-miss', 'ip6-excluded-hit',
  'ip6-permitted-miss', 'spiffe-excluded-hit', 'spiffe-permitted-miss', 'uri-permitted-miss',
]).concat('builder-nc/spiffe-excluded', 'builder-nc/spiffe-miss');
const NC_INT_FALSE_REJECTS = ids('nc/int/', [
  'dirname-permitted-empty-subject', 'dirname-permitted-match', 'dns-excluded-miss', 'dns-permitted-exact', 'dns-permitted-match', 'email-permitted-match',
  'ip4-permitted-dns-san', 'ip4-permitted-match', 'ip6-permitted-match', 'spiffe-permitted-match', 'uri-permitted-match',
]);

/**
 * KNOWN BUGS of ours against `openssl verify -x509_strict`: case id → what is wrong. The test of such a case
 * asserts that we still differ, so a fix FAILS it: then remove the entry (and the case passes as agreement).
 */
const KNOWN_BUGS_VS_OPENSSL: Record<string, string> = {
  ...Object.fromEntries([...NC_ROOT_FALSE_ACCEPTS, ...NC_INT_FALSE_REJECTS].map((id) => [id, BUG.nameConstraints])),
  'key/leaf-rsa1024': BUG.keyFloor,
  'key/root-rsa1024': BUG.keyFloor,
  'bc/int-noncritical': BUG.bcCritical,
  'kid/aki-critical': BUG.kidCritical,
  'kid/ski-critical': BUG.kidCritical,
  'kid/leaf-aki-missing': BUG.kidMissing,
  'kid/int-aki-missing': BUG.kidMissing,
  'kid/int-ski-missing': BUG.kidMissing,
  'kid/root-ski-missing': BUG.kidMissing,
  'ku/int-missing': BUG.caKeyUsage,
  'ku/leaf-keycertsign': BUG.leafKeyCertSign,
  'name/ca-empty-subject': BUG.caEmptySubject,
  'name/empty-subject-noncritical-san': BUG.emptySubjectSan,
  'eku/any-only': BUG.anyEku,
  'eku/int-client-only': BUG.ekuChain,
};

/** KNOWN BUGS of ours against `certtool --verify` (same rule: a fix fails the test until the entry goes). */
const KNOWN_BUGS_VS_CERTTOOL: Record<string, string> = {
  ...Object.fromEntries(
    [...NC_ROOT_FALSE_ACCEPTS, ...NC_INT_FALSE_REJECTS].filter((id) => !CERTTOOL_CANNOT_JUDGE.has(id.replace('nc/int/', 'nc/root/')) && !CERTTOOL_CANNOT_JUDGE.has(id)).map((id) => [id, BUG.nameConstraints]),
  ),
  'key/leaf-rsa1024': BUG.keyFloor,
  'key/root-rsa1024': BUG.keyFloor,
  'name/ca-empty-subject': BUG.caEmptySubject,
  'eku/int-client-only': BUG.ekuChain,
};

function ours(f: ChainFiles): OracleVerdict {
  try {
    const { verdict } = evaluateTrust({ kind: 'ca', anchors: [f.anchor] }, [f.leaf, ...f.untrusted], {
      provider,
      now: () => f.atMs,
      purpose: f.purpose,
      ...(f.host !== undefined && f.purpose === 'serverAuth' ? { hostname: f.host } : {}),
    });
    return { ok: verdict.trusted, detail: `${verdict.reason ?? 'trusted'}: ${verdict.detail}` };
  } catch (e) {
    return { ok: false, detail: `threw ${(e as Error).message}` };
  }
}

const openssl = findBinary('openssl');
const certtool = findBinary('certtool');
const scratch = scratchDirectory('tls13-lab-differential-');
afterAll(scratch.remove);
let corpus = new Map<string, ChainFiles>();
/** The oracles' verdicts, computed up front in parallel (each test then only compares). */
const verdicts = new Map<string, { openssl: OracleVerdict; certtool?: OracleVerdict }>();

beforeAll(async () => {
  if (!openssl) return; // each test below skips loudly or fails (REQUIRE_INTEROP=1)
  const t0 = Math.floor(Date.now() / 1000);
  const files = await materialize(CASES, { openssl, dir: scratch.dir, t0, kit: builderKit(provider, t0 * 1000) });
  corpus = new Map(files.map((f) => [f.id, f]));
  await pool(files, 4, async (f) => {
    const judged = await opensslVerify(openssl, f);
    const byCerttool = certtool && !f.timeSensitive ? await certtoolVerify(certtool, f) : undefined;
    verdicts.set(f.id, { openssl: judged, ...(byCerttool ? { certtool: byCerttool } : {}) });
  });
}, 180_000);

/** What a case must show: agreement, or (allow-listed or known bug) a difference. */
interface Expectations {
  oracle: string;
  allowed: Record<string, Allowed>;
  knownBugs: Record<string, string>;
}
const VS_OPENSSL: Expectations = { oracle: 'openssl', allowed: ALLOWED_VS_OPENSSL, knownBugs: KNOWN_BUGS_VS_OPENSSL };
const VS_CERTTOOL: Expectations = { oracle: 'certtool', allowed: ALLOWED_VS_CERTTOOL, knownBugs: KNOWN_BUGS_VS_CERTTOOL };

function judgeAgreement(id: string, theirs: OracleVerdict, mine: OracleVerdict, { oracle, allowed, knownBugs }: Expectations) {
  const summary = `${id}: ${oracle} ${theirs.ok ? 'accepts' : 'rejects'} (${theirs.detail}); ours ${mine.ok ? 'accepts' : 'rejects'} (${mine.detail})`;
  const bug = knownBugs[id];
  const difference = allowed[id];
  if (bug) {
    expect(mine.ok, `known bug ${id} (${bug}) is fixed: remove it from KNOWN_BUGS_VS_${oracle.toUpperCase()}. ${summary}`).not.toBe(theirs.ok);
  } else if (difference) {
    expect(mine.ok, `allowed difference ${id} (${difference.why}): ours must ${difference.ours}. ${summary}`).toBe(difference.ours === 'accept');
    expect(theirs.ok, `allowed difference ${id}: ${oracle} now agrees with us, remove the entry. ${summary}`).not.toBe(mine.ok);
  } else {
    expect(mine.ok, summary).toBe(theirs.ok);
  }
}

describe('path validation agrees with openssl verify -x509_strict', () => {
  it('has the corpus it claims (at least 100 chains, ids unique)', (test) => {
    requireBinary('openssl', test);
    expect(new Set(CASES.map((c) => c.id)).size).toBe(CASES.length);
    expect(corpus.size).toBe(CASES.length);
    expect(CASES.length).toBeGreaterThanOrEqual(100);
  });
  it('lists no unknown case ids in its allow-lists', () => {
    const ids = new Set(CASES.map((c) => c.id));
    for (const id of [VS_OPENSSL, VS_CERTTOOL].flatMap((e) => [...Object.keys(e.allowed), ...Object.keys(e.knownBugs)]).concat([...CERTTOOL_CANNOT_JUDGE])) expect(ids.has(id), id).toBe(true);
  });
  for (const c of CASES) {
    it(`${c.id}: ${c.about}`, (test) => {
      requireBinary('openssl', test);
      judgeAgreement(c.id, verdicts.get(c.id)!.openssl, ours(corpus.get(c.id)!), VS_OPENSSL);
    });
  }
});

describe('path validation agrees with certtool --verify (clock-independent cases)', () => {
  for (const c of CASES) {
    it(`${c.id}: ${c.about}`, (test) => {
      requireBinary('certtool', test);
      requireBinary('openssl', test);
      const f = corpus.get(c.id)!;
      if (f.timeSensitive) return test.skip('certtool --verify has no -attime: this case depends on the clock');
      if (CERTTOOL_CANNOT_JUDGE.has(c.id)) return test.skip('GnuTLS 3.7 does not enforce this kind of permitted subtree');
      judgeAgreement(c.id, verdicts.get(c.id)!.certtool!, ours(f), VS_CERTTOOL);
    });
  }
});

