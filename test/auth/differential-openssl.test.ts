// Differential path validation: every chain of the corpus is judged by `openssl verify -x509_strict`
// (and by `certtool --verify` where the case does not depend on the clock, which certtool cannot set), and by
// our validator with the same anchor, purpose, name and time. Each case must agree, except:
// - ALLOWED: differences on purpose, each with the RFC or baseline section that makes us differ;
// - KNOWN_BUGS: our bugs, listed so the lead can fix them; a known bug that no longer differs FAILS the test,
//   so that the list stays honest (remove the entry when the fix lands).
// A missing openssl skips loudly, and fails with REQUIRE_INTEROP=1 (src/testing/interop.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProfileName } from '../../src/auth/chain.js';
import { checkRsaKeySize } from '../../src/auth/keys.js';
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
  anchorIsInput: 'RFC 5280 §6.1.1(d), §6.2: the trust anchor is an input, not one of the n certificates §6.1.3/§6.1.4 process, so a non-critical basicConstraints on it (§4.2.1.9 asks CAs to mark it critical) does not void it (rustls-webpki and Go agree; Chunghwa ePKI Root in Node\'s store has one)',
  absoluteName: 'RFC 1034 §3.1: a trailing dot marks the same fully qualified name (absolute form); node:tls strips it too',
  selfSignedLeafAnchor: 'RFC 5280 §6.1.1(d): a configured self-signed end-entity certificate is itself the trust anchor (pinning); GnuTLS requires an anchor to be a CA',
  cnNotConstrained: 'RFC 5280 §4.2.1.10: dNSName constraints apply to dNSName subjectAltNames; OpenSSL and GnuTLS also constrain a host-like Common Name when no dNSName SAN exists (their heuristic, not the RFC)',
  anyEkuRfc: 'RFC 5280 §4.2.1.12: anyExtendedKeyUsage is a purpose like any other and grants serverAuth under rfc5280 (the webpki profile refuses it, as OpenSSL does)',
  serialStrict: 'RFC 5280 §4.1.2.2: serialNumber MUST be positive and at most 20 octets (issue 11 strict list); OpenSSL and GnuTLS accept such certificates (the RFC also says users SHOULD handle them gracefully)',
  crlFailClosed: 'RFC 5280 §6.3.3(k)/(l): a status that the supplied CRLs cannot decide is UNDETERMINED; we fail closed as openssl -crl_check does, where GnuTLS ignores an unusable CRL and accepts',
  rootEku: 'RFC 5280 §4.2.1.12, EKU chaining: a root whose extKeyUsage lacks the purpose does not vouch for it (openssl -purpose and Go crypto/x509 agree; GnuTLS 3.7 chains EKU through intermediates only)',
  gnutlsLenient: 'a MUST of RFC 5280 §4.2 (basicConstraints critical in CAs §4.2.1.9, AKI/SKI present and non-critical §4.2.1.1-2, CA keyUsage §4.2.1.3, keyCertSign only in CAs, empty subject needs a critical SAN §4.2.1.6) that openssl -x509_strict enforces and GnuTLS 3.7 does not',
} as const;

/** Differences from `openssl verify -x509_strict` (profile rfc5280) on purpose. */
const ALLOWED_VS_OPENSSL: Record<string, Allowed> = {
  'edge/at-not-after': accept(WHY.notAfterInclusive),
  'bc/leaf-ca': reject(WHY.eeNotCa),
  'ku/leaf-keyencipherment-only': reject(WHY.signingKeyUsage),
  'name/cn-only': reject(WHY.noCnFallback),
  'wild/partial': reject(WHY.wildcardWholeLabel),
  'crit/int-policy-constraints': reject(WHY.criticalPolicy),
  'bc/root-noncritical': accept(WHY.anchorIsInput),
  'name/trailing-dot-host': accept(WHY.absoluteName),
  'nc/root/dns-permitted-ip-san-only': accept(WHY.cnNotConstrained),
  'nc/int/dns-permitted-ip-san-only': accept(WHY.cnNotConstrained),
  'eku/any-only': accept(WHY.anyEkuRfc),
  'serial/leaf-zero': reject(WHY.serialStrict),
  'serial/leaf-negative': reject(WHY.serialStrict),
  'serial/leaf-21-octets': reject(WHY.serialStrict),
  'serial/int-zero': reject(WHY.serialStrict),
};

/** Differences from `certtool --verify` (profile rfc5280) on purpose. */
const ALLOWED_VS_CERTTOOL: Record<string, Allowed> = {
  'anchor/self-signed-leaf': accept(WHY.selfSignedLeafAnchor),
  'anchor/self-signed-leaf-host': accept(WHY.selfSignedLeafAnchor),
  'anchor/self-signed-ca-as-leaf': reject(WHY.signingKeyUsage),
  'bc/leaf-ca': reject(WHY.eeNotCa),
  'ku/leaf-keyencipherment-only': reject(WHY.signingKeyUsage),
  'name/cn-only': reject(WHY.noCnFallback),
  'name/trailing-dot-host': accept(WHY.absoluteName),
  'nc/root/dns-permitted-ip-san-only': accept(WHY.cnNotConstrained),
  'nc/int/dns-permitted-ip-san-only': accept(WHY.cnNotConstrained),
  'serial/leaf-zero': reject(WHY.serialStrict),
  'serial/leaf-negative': reject(WHY.serialStrict),
  'serial/leaf-21-octets': reject(WHY.serialStrict),
  'serial/int-zero': reject(WHY.serialStrict),
  'eku/root-client-only': reject(WHY.rootEku),
  'crl/stale': reject(WHY.crlFailClosed),
  'crl/not-yet-valid': reject(WHY.crlFailClosed),
  'crl/critical-unknown-extension': reject(WHY.crlFailClosed),
  ...Object.fromEntries(
    ['bc/int-noncritical', 'bc/root-missing', 'kid/aki-critical', 'kid/ski-critical', 'kid/leaf-aki-missing', 'kid/int-aki-missing',
      'kid/int-ski-missing', 'kid/root-ski-missing', 'ku/int-missing', 'ku/leaf-keycertsign', 'name/empty-subject-noncritical-san'].map((id) => [id, reject(WHY.gnutlsLenient)]),
  ),
};

/** Cases certtool cannot judge: GnuTLS 3.7.9 accepts names outside permitted URI and directoryName subtrees. */
const CERTTOOL_CANNOT_JUDGE = new Set(['uri-permitted-miss', 'spiffe-permitted-miss', 'dirname-permitted-miss'].flatMap((n) => [`nc/root/${n}`, `nc/int/${n}`]).concat('builder-nc/spiffe-miss'));

/**
 * KNOWN BUGS of ours against `openssl verify -x509_strict`: case id → what is wrong. The test of such a case
 * asserts that we still differ, so a fix FAILS it: then remove the entry (and the case passes as agreement).
 */
const KNOWN_BUGS_VS_OPENSSL: Record<string, string> = {};

/** KNOWN BUGS of ours against `certtool --verify` (same rule: a fix fails the test until the entry goes). */
const KNOWN_BUGS_VS_CERTTOOL: Record<string, string> = {};

/**
 * The webpki profile is meant to be at least as strict as `openssl verify -x509_strict`: it may refuse more,
 * but what it accepts openssl accepts, except these (same reasons as above).
 */
const WEBPKI_ACCEPTS_WHAT_OPENSSL_REJECTS: Record<string, string> = {
  'edge/at-not-after': WHY.notAfterInclusive,
  'bc/root-noncritical': WHY.anchorIsInput,
  'name/trailing-dot-host': WHY.absoluteName,
  'nc/root/dns-permitted-ip-san-only': WHY.cnNotConstrained,
  'nc/int/dns-permitted-ip-san-only': WHY.cnNotConstrained,
};

/** Our verdict under `profile` (rfc5280 is the profile documented to match `openssl verify -x509_strict`). */
function ours(f: ChainFiles, profile: ProfileName = 'rfc5280'): OracleVerdict {
  try {
    const { verdict, leaf } = evaluateTrust({ kind: 'ca', anchors: [f.anchor], profile, crls: f.crls }, [f.leaf, ...f.untrusted], {
      provider,
      now: () => f.atMs,
      purpose: f.purpose,
      ...(f.host !== undefined && f.purpose === 'serverAuth' ? { hostname: f.host } : {}),
    });
    // The handshake also floors the leaf's RSA key (handshake/peer-certificate.ts), whatever the policy says.
    const weak = checkRsaKeySize(leaf.publicKey);
    if (verdict.trusted && weak) return { ok: false, detail: `leaf key: ${weak}` };
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
    for (const id of [VS_OPENSSL, VS_CERTTOOL].flatMap((e) => [...Object.keys(e.allowed), ...Object.keys(e.knownBugs)]).concat([...CERTTOOL_CANNOT_JUDGE], Object.keys(WEBPKI_ACCEPTS_WHAT_OPENSSL_REJECTS))) expect(ids.has(id), id).toBe(true);
  });
  for (const c of CASES) {
    it(`${c.id}: ${c.about}`, (test) => {
      requireBinary('openssl', test);
      judgeAgreement(c.id, verdicts.get(c.id)!.openssl, ours(corpus.get(c.id)!), VS_OPENSSL);
    });
  }
});

describe('the webpki profile accepts nothing openssl verify -x509_strict rejects', () => {
  for (const c of CASES) {
    it(`${c.id}: ${c.about}`, (test) => {
      requireBinary('openssl', test);
      const theirs = verdicts.get(c.id)!.openssl;
      const mine = ours(corpus.get(c.id)!, 'webpki');
      const summary = `${c.id}: openssl ${theirs.ok ? 'accepts' : 'rejects'} (${theirs.detail}); webpki ${mine.ok ? 'accepts' : 'rejects'} (${mine.detail})`;
      const why = WEBPKI_ACCEPTS_WHAT_OPENSSL_REJECTS[c.id];
      if (why) expect(mine.ok && !theirs.ok, `listed exception (${why}) no longer holds: remove it. ${summary}`).toBe(true);
      else expect(mine.ok && !theirs.ok, summary).toBe(false);
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

