// x509-limbo's bettertls::nameconstraints::tc0..tc8753, rebuilt with our builder the way Netflix's BetterTLS
// generator makes them (test-suites/nameconstraints in github.com/Netflix/bettertls): trust root -> local root ->
// ICA whose nameConstraints is one of 81 combinations (permitted and excluded dNSName, permitted and excluded
// iPAddress, each absent, "valid" or "invalid") -> leaf whose CN, dNSName SAN and iPAddress SAN are each absent,
// "valid" or "invalid", checked for the host test.localhost or the address 127.0.0.1. Limbo turns BetterTLS's
// PASS and SOFT_PASS into success, FAIL and SOFT_FAIL into failure; `expected` below states that rule in our words.
// Every case is checked (signatures by node:crypto, to keep 8754 validations to seconds).
import { describe, expect, it } from 'vitest';
import { buildCertificate, type CertificateSpec, type GeneralNameSpec } from '../../src/auth/builder.js';
import { verifyChain } from '../../src/auth/chain.js';
import { parseCertificate, type Certificate } from '../../src/auth/x509.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { DAY, nodeKey, NOW, random, type TestKey } from './helpers.js';

type Value = 'none' | 'valid' | 'invalid';
const VALUES: readonly Value[] = ['none', 'valid', 'invalid'];
const VALID_DNS = 'test.localhost';
const VALID_IP = '127.0.0.1';
const NAMES = { dns: { valid: VALID_DNS, invalid: 'bad.example.com' }, ip: { valid: VALID_IP, invalid: '1.1.1.1' } } as const;

interface NcCase {
  host: 'dns' | 'ip';
  cnType: 'dns' | 'ip';
  cn: Value;
  dnsSan: Value;
  ipSan: Value;
  dnsPermitted: Value;
  ipPermitted: Value;
  dnsExcluded: Value;
  ipExcluded: Value;
}

/** The cases in BetterTLS's order: six feature probes, then every combination (tc6 onwards). */
function cases(): NcCase[] {
  const plain = { cnType: 'dns', ipSan: 'none', dnsPermitted: 'none', ipPermitted: 'none', dnsExcluded: 'none', ipExcluded: 'none' } as const;
  const out: NcCase[] = [
    { ...plain, host: 'dns', cn: 'valid', dnsSan: 'valid' },
    { ...plain, host: 'dns', cn: 'valid', dnsSan: 'valid', dnsPermitted: 'valid' },
    { ...plain, host: 'dns', cn: 'none', dnsSan: 'valid' },
    { ...plain, host: 'dns', cn: 'none', dnsSan: 'invalid' },
    { ...plain, host: 'ip', cnType: 'ip', cn: 'none', dnsSan: 'none', ipSan: 'valid' },
    { ...plain, host: 'ip', cnType: 'ip', cn: 'none', dnsSan: 'none', ipSan: 'invalid' },
  ];
  for (const host of ['dns', 'ip'] as const)
    for (const cnType of ['dns', 'ip'] as const)
      for (const cn of VALUES)
        for (const dnsSan of VALUES)
          for (const ipSan of VALUES)
            for (const dnsPermitted of VALUES)
              for (const ipPermitted of VALUES)
                for (const dnsExcluded of VALUES)
                  for (const ipExcluded of VALUES) out.push({ host, cnType, cn, dnsSan, ipSan, dnsPermitted, ipPermitted, dnsExcluded, ipExcluded });
  return out;
}

/**
 * BetterTLS's verdict, limbo's way. Refused: the host is not in the SAN of its form (a CN naming it does not count:
 * BetterTLS's soft fail); a constraint of the host's form rules the host out; a SAN of either form is ruled out by
 * a constraint of its form (soft fail). A CN that a constraint rules out is a soft pass: accepted, since the CN is
 * no name the certificate is used for.
 */
function expected(c: NcCase): boolean {
  const ruledOut = (san: Value, permitted: Value, excluded: Value) =>
    (san === 'valid' && (permitted === 'invalid' || excluded === 'valid')) || (san === 'invalid' && (permitted === 'valid' || excluded === 'invalid'));
  if ((c.host === 'dns' ? c.dnsSan : c.ipSan) !== 'valid') return false;
  return !ruledOut(c.dnsSan, c.dnsPermitted, c.dnsExcluded) && !ruledOut(c.ipSan, c.ipPermitted, c.ipExcluded);
}

const provider = nodeCryptoProvider;
let serial = 1n;
function certify(subject: CertificateSpec['subject'], key: TestKey, issuer: { cert: Certificate; key: TestKey } | undefined, extra: Partial<CertificateSpec>) {
  const der = buildCertificate(
    { subject, publicKey: key.publicKey, signingKey: (issuer?.key ?? key).privateKey, serial: serial++, notBefore: NOW - DAY, notAfter: NOW + 366 * DAY, ...(issuer ? { issuer: issuer.cert } : {}), ...extra },
    provider,
    random,
  );
  return { cert: parseCertificate(der), key };
}

const ca: Partial<CertificateSpec> = { isCA: true, keyUsage: ['keyCertSign'] };
const trustRoot = certify({ O: 'bettertls.com', CN: 'bettertls_trust_root' }, nodeKey('p256'), undefined, ca);
const localRoot = certify({ O: 'bettertls.com', CN: 'local_root' }, nodeKey('p256'), trustRoot, ca);
const icaKey = nodeKey('p256');
const leafKey = nodeKey('p256');

/** The ICA of one constraint combination (Go writes them critical): permitted, then excluded subtrees. */
const icas = new Map<string, { cert: Certificate; key: TestKey }>();
function icaFor(c: NcCase) {
  const id = [c.dnsPermitted, c.ipPermitted, c.dnsExcluded, c.ipExcluded].join();
  const made = icas.get(id);
  if (made) return made;
  const permitted: GeneralNameSpec[] = [];
  const excluded: GeneralNameSpec[] = [];
  if (c.dnsPermitted !== 'none') permitted.push({ dns: c.dnsPermitted === 'valid' ? 'localhost' : 'example.com' });
  if (c.dnsExcluded !== 'none') excluded.push({ dns: c.dnsExcluded === 'valid' ? 'localhost' : 'bad.example.com' });
  if (c.ipPermitted !== 'none') permitted.push({ ip: c.ipPermitted === 'valid' ? '127.0.0.0/24' : '1.1.1.0/24' });
  if (c.ipExcluded !== 'none') excluded.push({ ip: c.ipExcluded === 'valid' ? '127.0.0.0/24' : '1.1.1.0/24' });
  const nameConstraints = permitted.length + excluded.length === 0 ? undefined : { ...(permitted.length ? { permitted } : {}), ...(excluded.length ? { excluded } : {}) };
  const ica = certify({ O: 'bettertls.com', CN: 'local_ica' }, icaKey, localRoot, { ...ca, ...(nameConstraints ? { nameConstraints } : {}) });
  icas.set(id, ica);
  return ica;
}

/** The leaf of one name combination under one ICA, made once (the DNS and IP host cases share it). */
const leaves = new Map<string, Certificate>();
function leafFor(c: NcCase, ica: { cert: Certificate; key: TestKey }) {
  const id = [ica.cert.serialNumber, c.cn === 'none' ? 'none' : c.cnType + c.cn, c.dnsSan, c.ipSan].join();
  const made = leaves.get(id) ?? issueLeaf(c, ica);
  leaves.set(id, made);
  return made;
}

function issueLeaf(c: NcCase, ica: { cert: Certificate; key: TestKey }) {
  const cn = c.cn === 'none' ? {} : { CN: NAMES[c.cnType][c.cn] };
  const sans = { dns: c.dnsSan === 'none' ? [] : [NAMES.dns[c.dnsSan]], ip: c.ipSan === 'none' ? [] : [NAMES.ip[c.ipSan]] };
  return certify({ O: 'bettertls.com', ...cn }, leafKey, ica, { isCA: false, keyUsage: ['digitalSignature'], extKeyUsage: ['serverAuth'], sans }).cert;
}

describe('bettertls::nameconstraints::* (x509-limbo, from Netflix BetterTLS)', () => {
  it('every case tc0..tc8753 gets limbo\'s verdict', () => {
    const all = cases();
    expect(all).toHaveLength(8754);
    const wrong: string[] = [];
    let accepted = 0;
    all.forEach((c, i) => {
      const ica = icaFor(c);
      const verdict = verifyChain({ leaf: leafFor(c, ica), intermediates: [ica.cert, localRoot.cert], anchors: [trustRoot.cert], now: NOW, purpose: 'serverAuth', provider, hostname: c.host === 'dns' ? VALID_DNS : VALID_IP });
      if (verdict.ok) accepted++;
      if (verdict.ok !== expected(c)) wrong.push(`bettertls::nameconstraints::tc${i} ${JSON.stringify(c)}: ${verdict.ok ? 'accepted' : verdict.detail}`);
    });
    expect(wrong.slice(0, 10)).toEqual([]);
    // Both verdicts occur in numbers (the rule cannot be one that always answers the same).
    expect(accepted).toBeGreaterThan(500);
    expect(all.length - accepted).toBeGreaterThan(500);
  });
});
