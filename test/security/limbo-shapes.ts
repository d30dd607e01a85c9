// Chains shaped the way x509-limbo's generator (limbo/testcases/_core.py) shapes its server-validation
// cases, built with our own certificate builder: a self-signed root "CN=x509-limbo-root" (critical
// basicConstraints cA, non-critical keyUsage keyCertSign, a SAN example.com, an SKI, no AKI), intermediates
// with the same extensions plus an AKI, and a leaf "CN=example.com" with keyUsage digitalSignature, EKU
// serverAuth, SAN example.com, SKI and AKI. Every key is ECDSA P-256; certificates run from 1970 to 2969.
// A case overrides one field at a time, as limbo's do; docs/x509-limbo.md maps each limbo id to its test.
import { expect } from 'vitest';
import type { CertificateSpec, NameSpec } from '../../src/auth/builder.js';
import { der } from '../../src/auth/der-writer.js';
import { buildCertificate } from '../../src/auth/builder.js';
import { parseCertificate } from '../../src/auth/x509.js';
import { issue, nodeKey, provider, random } from '../auth/helpers.js';
import type { Issued, TestKey } from '../auth/helpers.js';
import { verify } from './path-helpers.js';
import type { Case } from './path-helpers.js';
import type { Extra as MaybeExtra } from './path-helpers.js';

/** What a case changes in limbo's shape: any field of our CertificateSpec but the keys and names. */
export type Extra = NonNullable<MaybeExtra>;

/** limbo's EPOCH and "one thousand years of torment" after it. */
export const LIMBO_NOT_BEFORE = Date.UTC(1970, 0, 1);
export const LIMBO_NOT_AFTER = Date.UTC(2969, 4, 3);
/** The harness validates "now" when a case names no time; a fixed instant keeps the tests deterministic. */
export const LIMBO_NOW = Date.UTC(2026, 11, 6);

const limboDefaults = (extra: Extra): Extra => ({
  notBefore: LIMBO_NOT_BEFORE,
  notAfter: LIMBO_NOT_AFTER,
  critical: { keyUsage: false, ...extra.critical },
  ...extra,
});

export type RootOptions = Extra & {
  /** limbo's `issuer=`: the root's name (its subject and its issuer). */
  name?: NameSpec;
  key?: TestKey;
};

/** limbo's `root_ca()`. */
export function limboRoot(options: RootOptions = {}): Issued {
  const { name = { CN: 'x509-limbo-root' }, key = nodeKey('p256'), ...extra } = options;
  return issue(name, key, undefined, limboDefaults({ isCA: true, keyUsage: ['keyCertSign'], sans: { dns: ['example.com'] }, omit: ['authorityKeyIdentifier'], ...extra }));
}

let intermediates = 0;

/** limbo's `intermediate_ca(parent, pathlen=...)`: its subject names its pathlen and is unique per call. */
/** A certificate's fields as a limbo case overrides them: the spec, its subject name and its key. */
export type CertOptions = Extra & { subject?: NameSpec; key?: TestKey };

export function limboIntermediate(parent: Issued, options: CertOptions = {}): Issued {
  const { subject = { CN: `x509-limbo-intermediate-pathlen-${options.pathLen ?? 'None'}`, OU: String(++intermediates) }, key = nodeKey('p256'), ...extra } = options;
  return issue(subject, key, parent, limboDefaults({ isCA: true, keyUsage: ['keyCertSign'], sans: { dns: ['example.com'] }, ...extra }));
}

/** limbo's `leaf_cert(parent)`. */
export function limboLeaf(parent: Issued, options: CertOptions = {}): Issued {
  const { subject = { CN: 'example.com' }, key = nodeKey('p256'), ...extra } = options;
  return issue(subject, key, parent, limboDefaults({ keyUsage: ['digitalSignature'], extKeyUsage: ['serverAuth'], sans: { dns: ['example.com'] }, ...extra }));
}

let serial = 1n << 100n;

/**
 * A certificate signed by `signer`'s key whose issuer field says `issuerName` instead of the signer's subject
 * (limbo's `issuer=` on a leaf, or a root whose subject differs from its issuer).
 */
export function limboWithIssuerName(subject: NameSpec, key: TestKey, signer: TestKey, issuerName: NameSpec, extra: Extra): Issued {
  const spec = limboDefaults(extra);
  const certificate = buildCertificate(
    { subject, publicKey: key.publicKey, signingKey: signer.privateKey, serial: serial++, notBefore: LIMBO_NOT_BEFORE, notAfter: LIMBO_NOT_AFTER, ...spec, issuer: { name: issuerName, publicKey: signer.publicKey } },
    provider,
    random,
  );
  return { key, der: certificate, cert: parseCertificate(certificate) };
}

export type Expected = 'SUCCESS' | 'FAILURE';

/** Server validation as limbo's harness asks for it: hostname example.com unless the case names another peer. */
export function limboServer(c: Omit<Case, 'hostname'> & { hostname?: string }): Case {
  return { now: LIMBO_NOW, hostname: 'example.com', ...c };
}

export function outcome(c: Case): Expected {
  return verify(c).ok ? 'SUCCESS' : 'FAILURE';
}

/** limbo's FAILURE, for the reason the case is about (not some other defect of the shape). */
export function fails(c: Case, detail: RegExp) {
  const verdict = verify(c);
  expect(verdict.ok).toBe(false);
  if (!verdict.ok) expect(verdict.detail).toMatch(detail);
}

export const succeeds = (c: Case) => expect(verify(c)).toMatchObject({ ok: true });

/** One raw extension for `extraExtensions`. */
export const rawExtension = (oid: string, value: Uint8Array, critical = false) => ({ oid, critical, value });

/** An empty keyUsage BIT STRING (no bit asserted), as pyca/cryptography writes KeyUsage with every flag false. */
export const EMPTY_KEY_USAGE = der.bitString(new Uint8Array(0));

export type Sans = NonNullable<CertificateSpec['sans']>;
