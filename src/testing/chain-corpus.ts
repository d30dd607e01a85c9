// A corpus of certificate chains for differential tests of path validation: each case is a spec object,
// turned into real certificates either by the openssl CLI (`openssl req -x509 [-CA]` with an extension
// config per certificate) or by the project's own builder (src/auth/builder.ts) where exact validity
// instants or the builder's own encoding matter. The same files are then judged by `openssl verify`, by
// `certtool --verify` and by our validator, and the verdicts compared. Test-only code: uses node: modules.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCertificate, buildCrl, generateKeyPair, toPem, type CertificateSpec, type CrlSpec } from '../auth/builder.js';
import { contextTag } from '../auth/der.js';
import { der } from '../auth/der-writer.js';
import { parsePem } from '../auth/pem.js';
import { parseCertificate, type Certificate } from '../auth/x509.js';
import type { CryptoProvider, PrivateKey, PublicKey, RandomSource } from '../crypto/provider.js';

/** Key types openssl generates once per run (`genpkey`); three of each small kind so CA and leaf keys differ. */
export const KEY_KINDS = {
  rsa1024: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024'],
  rsa2048: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
  rsa3072: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:3072'],
  rsa4096: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:4096'],
  p256a: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  p256b: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  p256c: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  p256d: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  p384: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
  ed25519a: ['-algorithm', 'ED25519'],
  ed25519b: ['-algorithm', 'ED25519'],
} as const;
export type KeyKind = keyof typeof KEY_KINDS;

/**
 * One certificate made by openssl. `ext` maps an extension config name (openssl x509v3_config(5)) to its
 * value; `undefined` drops a default, `'none'` suppresses the SKI/AKI openssl 3 adds on its own.
 */
export interface OpensslCert {
  key: KeyKind;
  /** `-subj` form, e.g. `/O=Lab/CN=leaf`. */
  subject: string;
  ext: Record<string, string | undefined>;
  /** Extra config sections (e.g. a directoryName for nameConstraints `dirName:`). */
  sections?: string;
  /** `-set_serial`: decimal or 0x hex, may be zero or negative. */
  serial?: string;
  days?: number;
}

export type Purpose = 'serverAuth' | 'clientAuth';

interface CaseCommon {
  id: string;
  /** What the case is about, for people reading a failure. */
  about: string;
  purpose?: Purpose;
  /** Reference identity for server certificates: a DNS name or an IP literal. */
  host?: string;
}

/** A chain made by openssl: root → intermediates (in order) → leaf, plus unused extra intermediates. */
export interface OpensslCase extends CaseCommon {
  root: OpensslCert;
  intermediates?: OpensslCert[];
  /** `'anchor'`: the leaf is the self-signed root itself (a pinned self-signed certificate as anchor). */
  leaf: OpensslCert | 'anchor';
  /** Certificates issued by the root that are offered but belong to no path (each must not matter). */
  unused?: OpensslCert[];
  /** Verification time, seconds after the run's reference instant (default one hour). */
  at?: number;
}

/** A chain made by our builder; `make` returns the certificates and the verification instant. */
export interface BuilderCase extends CaseCommon {
  /** Whether the verdict depends on the clock (default true: builder cases are mostly validity edges). */
  timeSensitive?: boolean;
  make: (kit: BuilderKit) => { anchor: Uint8Array; untrusted: Uint8Array[]; leaf: Uint8Array; atMs: number; crls?: Uint8Array[] };
}

export type ChainCase = OpensslCase | BuilderCase;

/** One materialized case: files for the CLIs, DER for our validator. */
export interface ChainFiles {
  id: string;
  purpose: Purpose;
  host?: string;
  /** Verification instant, epoch milliseconds (whole seconds, as `-attime` takes). */
  atMs: number;
  /** Whether the verdict depends on the clock (then certtool, which has no -attime, is not asked). */
  timeSensitive: boolean;
  anchor: Uint8Array;
  untrusted: Uint8Array[];
  leaf: Uint8Array;
  /** CRLs (DER) of the leaf's issuer; when present the oracles check the leaf's revocation status. */
  crls: Uint8Array[];
  crlFile?: string;
  anchorFile: string;
  untrustedFile?: string;
  leafFile: string;
  /** Leaf then untrusted certificates, one PEM file (certtool's --infile). */
  chainFile: string;
}

export const HOUR = 3600;
export const DAY_S = 24 * HOUR;

/** Extensions of a CA certificate; overrides replace, `undefined` removes. */
export function caExt(overrides: OpensslCert['ext'] = {}): OpensslCert['ext'] {
  return {
    basicConstraints: 'critical,CA:TRUE',
    keyUsage: 'critical,keyCertSign,cRLSign',
    subjectKeyIdentifier: 'hash',
    authorityKeyIdentifier: 'keyid,issuer',
    ...overrides,
  };
}

/** Extensions of a TLS end-entity certificate (CA/B Forum BR §7.1.2.7 shape). */
export function leafExt(overrides: OpensslCert['ext'] = {}): OpensslCert['ext'] {
  return {
    basicConstraints: 'critical,CA:FALSE',
    keyUsage: 'critical,digitalSignature',
    extendedKeyUsage: 'serverAuth,clientAuth',
    subjectAltName: 'DNS:leaf.example',
    subjectKeyIdentifier: 'hash',
    authorityKeyIdentifier: 'keyid,issuer',
    ...overrides,
  };
}

export const root = (over: Partial<OpensslCert> & { ext?: OpensslCert['ext'] } = {}): OpensslCert => ({
  key: 'p256a',
  subject: '/O=Lab/CN=Differential Root',
  days: 3650,
  ...over,
  ext: caExt(over.ext),
});
export const intermediate = (n: number, over: Partial<OpensslCert> & { ext?: OpensslCert['ext'] } = {}): OpensslCert => ({
  key: n % 2 ? 'p256b' : 'p256d',
  subject: `/O=Lab/CN=Differential Intermediate ${n}`,
  days: 1000,
  ...over,
  ext: caExt(over.ext),
});
export const leaf = (over: Partial<OpensslCert> & { ext?: OpensslCert['ext'] } = {}): OpensslCert => ({
  key: 'p256c',
  subject: '/O=Lab/CN=leaf.example',
  days: 30,
  ...over,
  ext: leafExt(over.ext),
});

/** Runs a command; resolves with its exit code and output (never rejects on a non-zero exit). */
export function run(file: string, args: string[], timeoutMs = 30_000): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(new Error(`${file} ${args.join(' ')}: ${error.message}`));
      resolve({ code: error ? (error.code as number) : 0, out: `${stdout}${stderr}` });
    });
  });
}

/** Runs `jobs` with at most `limit` at a time (the machine is shared; openssl runs are short). */
export async function pool<T>(items: T[], limit: number, job: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await job(item);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function configText(cert: OpensslCert): string {
  const lines = Object.entries(cert.ext).flatMap(([name, value]) => (value === undefined ? [] : [`${name} = ${value}`]));
  // Without these lines openssl 3 adds a SKI and an AKI by itself.
  if (!('subjectKeyIdentifier' in cert.ext) || cert.ext.subjectKeyIdentifier === undefined) lines.push('subjectKeyIdentifier = none');
  if (!('authorityKeyIdentifier' in cert.ext) || cert.ext.authorityKeyIdentifier === undefined) lines.push('authorityKeyIdentifier = none');
  return `[req]\ndistinguished_name = dn\n[dn]\n[ext]\n${lines.join('\n')}\n${cert.sections ?? ''}\n`;
}

const derOfPemFile = (path: string): Uint8Array => parsePem(readFileSync(path, 'latin1'))[0]!.der;

/** Generates the keys (once per run) in `dir`, in parallel. */
export async function generateKeys(openssl: string, dir: string): Promise<Record<KeyKind, string>> {
  const paths = {} as Record<KeyKind, string>;
  await pool(Object.keys(KEY_KINDS) as KeyKind[], 4, async (kind) => {
    const path = join(dir, `${kind}.key`);
    const result = await run(openssl, ['genpkey', ...KEY_KINDS[kind], '-out', path], 120_000);
    if (result.code !== 0) throw new Error(`openssl genpkey ${kind}: ${result.out}`);
    paths[kind] = path;
  });
  return paths;
}

/** What the builder cases get: fresh keys (our generator), the provider, and the CA/leaf spec defaults. */
export interface BuilderKit {
  provider: CryptoProvider;
  random: RandomSource;
  key: (kind: 'ed25519' | 'p256' | 'p384') => { privateKey: PrivateKey; publicKey: PublicKey };
  /** Builds and parses; `issuer` omitted for self-signed. */
  issue: (spec: Omit<CertificateSpec, 'issuer' | 'signingKey'>, issuer?: { cert: Certificate; privateKey: PrivateKey }, selfKey?: PrivateKey) => Certificate;
  /** Builds a CRL (RFC 5280 §5) with our builder. */
  crl: (spec: Omit<CrlSpec, 'issuer'> & { issuer: Certificate }) => Uint8Array;
  /** The run's reference instant, epoch milliseconds (whole seconds). */
  t0: number;
}

export function builderKit(provider: CryptoProvider, t0: number): BuilderKit {
  const random: RandomSource = (n) => new Uint8Array(randomBytes(n));
  return {
    provider,
    random,
    t0,
    key: (kind) => generateKeyPair(kind, random, provider),
    issue: (spec, issuer, selfKey) => {
      const signingKey = issuer?.privateKey ?? selfKey;
      if (!signingKey) throw new Error('a self-signed certificate needs its own private key');
      return parseCertificate(buildCertificate({ ...spec, signingKey, ...(issuer ? { issuer: issuer.cert } : {}) }, provider, random));
    },
    crl: (spec) => buildCrl(spec, provider, random),
  };
}

/** DER of a nameConstraints extension value (RFC 5280 §4.2.1.10) with IA5String name forms, for the builder. */
export function nameConstraints(subtrees: { permitted?: [tag: 1 | 2 | 6, base: string][]; excluded?: [tag: 1 | 2 | 6, base: string][] }): Uint8Array {
  const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
  const trees = (list: [number, string][]) => list.map(([tag, base]) => der.sequence(der.implicit(tag, ascii(base))));
  return der.sequence(
    ...(subtrees.permitted ? [der.tlv(contextTag(0, true), ...trees(subtrees.permitted))] : []),
    ...(subtrees.excluded ? [der.tlv(contextTag(1, true), ...trees(subtrees.excluded))] : []),
  );
}

/**
 * Writes every case's certificates into `dir` (openssl cases with the CLI, builder cases with our builder)
 * and returns the files; `t0` is the reference instant, epoch seconds, at or before every openssl notBefore.
 */
export async function materialize(cases: ChainCase[], options: { openssl: string; dir: string; t0: number; kit: BuilderKit }): Promise<ChainFiles[]> {
  const { openssl, dir, t0 } = options;
  const keys = await generateKeys(openssl, dir);
  const files: ChainFiles[] = [];
  // Identical specs under the same issuer are made once (most cases share the default root and intermediate).
  const made = new Map<string, Promise<string>>();
  const issue = (name: string, cert: OpensslCert, issuer?: { pem: string; key: KeyKind }): Promise<string> => {
    const memo = JSON.stringify([cert, issuer?.pem]);
    let pending = made.get(memo);
    if (!pending) {
      pending = makeCertificate(`${made.size}-${name}`, cert, issuer);
      made.set(memo, pending);
    }
    return pending;
  };
  const makeCertificate = async (name: string, cert: OpensslCert, issuer?: { pem: string; key: KeyKind }): Promise<string> => {
    const config = join(dir, `${name}.cnf`);
    const out = join(dir, `${name}.pem`);
    writeFileSync(config, configText(cert));
    const args = ['req', '-x509', '-new', '-key', keys[cert.key], '-subj', cert.subject, '-config', config, '-extensions', 'ext'];
    args.push('-days', String(cert.days ?? 30), '-set_serial', cert.serial ?? String(1 + Math.floor(Math.random() * 2 ** 40)), '-out', out);
    if (issuer) args.push('-CA', issuer.pem, '-CAkey', keys[issuer.key]);
    const result = await run(openssl, args);
    if (result.code !== 0) throw new Error(`openssl could not make ${name}: ${result.out}`);
    return out;
  };
  const write = (name: string, ders: Uint8Array[]): string => {
    const path = join(dir, name);
    writeFileSync(path, ders.map((d) => toPem('CERTIFICATE', d)).join(''));
    return path;
  };
  await pool(cases, 3, async (c) => {
    const id = c.id.replace(/[^a-z0-9.-]/gi, '_');
    let chain: { anchor: Uint8Array; untrusted: Uint8Array[]; leaf: Uint8Array; atMs: number; timeSensitive: boolean; crls: Uint8Array[] };
    if ('make' in c) {
      const made = c.make(options.kit);
      chain = { ...made, crls: made.crls ?? [], timeSensitive: c.timeSensitive ?? true };
    } else {
      const rootPem = await issue(`${id}.root`, c.root);
      let parent = { pem: rootPem, key: c.root.key };
      const ints: string[] = [];
      for (const [i, int] of (c.intermediates ?? []).entries()) {
        const pem = await issue(`${id}.int${i}`, int, parent);
        ints.push(pem);
        parent = { pem, key: int.key };
      }
      const unused: string[] = [];
      for (const [i, cert] of (c.unused ?? []).entries()) unused.push(await issue(`${id}.unused${i}`, cert, { pem: rootPem, key: c.root.key }));
      const leafPem = c.leaf === 'anchor' ? rootPem : await issue(`${id}.leaf`, c.leaf, parent);
      const days = [c.root, ...(c.intermediates ?? []), ...(c.unused ?? []), ...(c.leaf === 'anchor' ? [] : [c.leaf])].map((x) => x.days ?? 30);
      const at = c.at ?? HOUR;
      chain = {
        anchor: derOfPemFile(rootPem),
        // Closest to the leaf first, then the unused ones, as a peer would send them.
        untrusted: [...ints.reverse(), ...unused].map(derOfPemFile),
        leaf: derOfPemFile(leafPem),
        atMs: (t0 + at) * 1000,
        timeSensitive: c.at !== undefined || days.some((d) => d * DAY_S < 2 * DAY_S),
        crls: [],
      };
    }
    const untrustedFile = chain.untrusted.length ? write(`${id}.untrusted.pem`, chain.untrusted) : undefined;
    const crlFile = chain.crls.length ? join(dir, `${id}.crl.pem`) : undefined;
    if (crlFile) writeFileSync(crlFile, chain.crls.map((d) => toPem('X509 CRL', d)).join(''));
    files.push({
      id: c.id,
      purpose: c.purpose ?? 'serverAuth',
      ...(c.host !== undefined ? { host: c.host } : {}),
      ...chain,
      anchorFile: write(`${id}.anchor.pem`, [chain.anchor]),
      ...(untrustedFile ? { untrustedFile } : {}),
      ...(crlFile ? { crlFile } : {}),
      leafFile: write(`${id}.leaf-only.pem`, [chain.leaf]),
      chainFile: write(`${id}.chain.pem`, [chain.leaf, ...chain.untrusted]),
    });
  });
  const order = new Map(cases.map((c, i) => [c.id, i]));
  return files.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
}

/** An oracle's answer: accepted or not, and the first error it printed. */
export interface OracleVerdict {
  ok: boolean;
  detail: string;
}

const isIp = (host: string) => /^[0-9.]+$/.test(host) || host.includes(':');

/**
 * `openssl verify -x509_strict` with the purpose, name and time of the case. `-auth_level 2` asks for
 * 112-bit security (RSA and DSA at least 2048 bits), the floor this project applies by default.
 */
export async function opensslVerify(openssl: string, f: ChainFiles): Promise<OracleVerdict> {
  const args = ['verify', '-x509_strict', '-auth_level', '2', '-purpose', f.purpose === 'serverAuth' ? 'sslserver' : 'sslclient'];
  args.push('-attime', String(Math.floor(f.atMs / 1000)), '-CAfile', f.anchorFile);
  if (f.untrustedFile) args.push('-untrusted', f.untrustedFile);
  // -crl_check: the leaf's status from the supplied CRL of its issuer (ours checks wherever a CRL is given).
  if (f.crlFile) args.push('-crl_check', '-CRLfile', f.crlFile);
  if (f.host !== undefined) args.push(isIp(f.host) ? '-verify_ip' : '-verify_hostname', f.host);
  const { code, out } = await run(openssl, [...args, f.leafFile]);
  const ok = code === 0 && /: OK\s*$/.test(out);
  return { ok, detail: ok ? 'OK' : (out.match(/error \d+ at \d+ depth lookup: .*/)?.[0] ?? out.trim().split('\n').pop() ?? '') };
}

const PURPOSE_OID = { serverAuth: '1.3.6.1.5.5.7.3.1', clientAuth: '1.3.6.1.5.5.7.3.2' } as const;

/** `certtool --verify` (GnuTLS) at the real clock, with the "medium" profile (112-bit keys). */
export async function certtoolVerify(certtool: string, f: ChainFiles): Promise<OracleVerdict> {
  const args = ['--verify', '--verify-profile=medium', '--load-ca-certificate', f.anchorFile, '--infile', f.chainFile];
  args.push(`--verify-purpose=${PURPOSE_OID[f.purpose]}`);
  if (f.crlFile) args.push('--load-crl', f.crlFile);
  if (f.host !== undefined) args.push(`--verify-hostname=${f.host}`);
  const { code, out } = await run(certtool, args);
  const ok = code === 0 && /Chain verification output: Verified\./.test(out);
  return { ok, detail: ok ? 'Verified' : (out.match(/Chain verification output: .*/)?.[0] ?? out.trim().split('\n').pop() ?? '') };
}
