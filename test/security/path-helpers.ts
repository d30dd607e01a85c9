// Shared fixtures for the path validation attacker tests: one root, CA and leaf key, a verify() over
// verifyChain with the test clock, and the two verdict assertions (the alert reason, a detail pattern).
import { expect } from 'vitest';
import type { CertificateSpec, GeneralNameSpec } from '../../src/auth/builder.js';
import { verifyChain } from '../../src/auth/chain.js';
import type { ChainVerdict, ProfileName, Purpose } from '../../src/auth/chain.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import type { Reason } from '../../src/wire/errors.js';
import { issue, nodeKey, NOW, provider } from '../auth/helpers.js';
import type { Issued } from '../auth/helpers.js';

export type Extra = Parameters<typeof issue>[3];

/** A certificate of a case: one we issued, or one read from a published suite's data (only `cert` is used). */
export type CaseCertificate = Pick<Issued, 'cert'>;

export interface Case<C extends CaseCertificate = Issued> {
  leaf: C;
  intermediates?: C[];
  anchors: C[];
  purpose?: Purpose;
  hostname?: string;
  profile?: ProfileName;
  provider?: CryptoProvider;
  signatureBudget?: number;
  /** The validation time; default NOW. */
  now?: number;
}

export function verify(c: Case<CaseCertificate>): ChainVerdict {
  return verifyChain({
    leaf: c.leaf.cert,
    intermediates: (c.intermediates ?? []).map((x) => x.cert),
    anchors: c.anchors.map((x) => x.cert),
    now: c.now ?? NOW,
    purpose: c.purpose ?? 'serverAuth',
    provider: c.provider ?? provider,
    ...(c.hostname !== undefined ? { hostname: c.hostname } : {}),
    ...(c.profile ? { profile: c.profile } : {}),
    ...(c.signatureBudget ? { signatureBudget: c.signatureBudget } : {}),
  });
}

export function refused(c: Case, reason: Reason, detail: RegExp) {
  const verdict = verify(c);
  expect(verdict).toMatchObject({ ok: false, reason });
  if (!verdict.ok) expect(verdict.detail).toMatch(detail);
}

export function accepted(c: Case) {
  const verdict = verify(c);
  expect(verdict).toMatchObject({ ok: true });
}

export const rootKey = nodeKey('p256');
export const caKey = nodeKey('p256');
export const leafKey = nodeKey('p256');
export const root = issue({ CN: 'Root', O: 'tls13-lab' }, rootKey, undefined, { isCA: true });
/** A CA under `issuer` (default: the root) with the given extras. */
export const ca = (extra: Extra = {}, issuer: Issued = root, cn = 'Attacker CA') => issue({ CN: cn, O: 'tls13-lab' }, caKey, issuer, { isCA: true, ...extra });
/** A leaf for serverAuth with these SANs, issued by `issuer`. */
export const leaf = (issuer: Issued, sans: NonNullable<CertificateSpec['sans']>, extra: Extra = {}, subject: Parameters<typeof issue>[0] = { CN: 'leaf' }) =>
  issue(subject, leafKey, issuer, { extKeyUsage: ['serverAuth'], keyUsage: ['digitalSignature'], sans, ...extra });
/** A root that carries name constraints: the anchor's own constraints bind the whole path. */
export const constrainedRoot = (permitted?: GeneralNameSpec[], excluded?: GeneralNameSpec[]) =>
  issue({ CN: 'Constrained Root' }, rootKey, undefined, { isCA: true, nameConstraints: { ...(permitted ? { permitted } : {}), ...(excluded ? { excluded } : {}) } });
