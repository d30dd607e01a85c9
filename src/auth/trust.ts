// Trust policies: one model for both roles. A policy decides whether the certificate (or key) the peer
// presented is one we accept. It never decides alone that the peer is authenticated: possession of the
// key is proven separately by CertificateVerify (RFC 8446 §4.4.3), and the handshake requires both.
import type { CryptoProvider, PublicKey } from '../crypto/provider.js';
import { constantTimeEqual, equalBytes, fromHex } from '../wire/bytes.js';
import { TlsError, type Reason } from '../wire/errors.js';
import { verifyChain, checkValidity, type Purpose } from './chain.js';
import { SIGNATURE_BUDGET, type ProfileName } from './path/profile.js';
import type { Crl, UnknownRevocationStatus } from './path/revocation.js';
import { parseConfiguredCrlList } from './configured-crls.js';
import { SignatureBudget } from './path/signature-budget.js';
import { parseSpki, sha256Fingerprint, type Fingerprint } from './keys.js';
import { base64Decode, base64Encode } from './pem.js';
import { certificateFingerprints, parseConfiguredCertificate, type CertificateFingerprints } from './configured-certificates.js';
import { parseCertificate, type Certificate } from './x509.js';
import type { OcspReport } from './ocsp-status.js';
import { caStapleVerdict, reportedStapleVerdict, stapleContext } from './staple.js';

export type TrustPolicy =
  /**
   * Chains to one of these CA certificates (DER), with RFC 5280 path validation under `profile`
   * (default: `webpki` for server certificates, `rfc5280` for client certificates; docs/path-validation.md).
   * `crls` (DER or PEM) revoke certificates their issuers signed (RFC 5280 §6.3). `unknownRevocationStatus`:
   * a certificate whose issuer has no CRL among them is skipped (`allow`, default) or refused (`deny`).
   */
  | { kind: 'ca'; anchors: Uint8Array[]; profile?: ProfileName; crls?: Array<Uint8Array | string>; unknownRevocationStatus?: UnknownRevocationStatus; maxDepth?: number }
  /**
   * Exactly these certificates: DER, or the SHA-256 of the DER (hex, base64, or `sha256/BASE64`).
   * Self-signed certificates are welcome, with or without basicConstraints cA. Validity is still checked,
   * against the config's `now`, which is required (the engine reads no clock of its own), as for `ca`.
   */
  | { kind: 'pinned-certificate'; certificates: Array<Uint8Array | string> }
  /**
   * Any certificate, or RFC 7250 raw public key, whose SubjectPublicKeyInfo is one of `keys` (DER) or hashes
   * (SHA-256) to one of `spkiSha256` (RFC 7469 pins: hex, base64 or `sha256/BASE64`). Survives re-issuing.
   */
  | { kind: 'pinned-key'; spkiSha256?: string[]; keys?: Uint8Array[] }
  /** Accept when any of these policies accepts. */
  | { kind: 'any-of'; policies: TrustPolicy[] }
  /** Pause with a `verify-peer` decision and let the caller answer with `resolve()`. */
  | { kind: 'ask' };

export interface TrustVerdict {
  trusted: boolean;
  /** The answer is the caller's to give (policy `ask`). */
  pending?: boolean;
  /** Which rule decided: `ca`, `pinned-certificate`, `pinned-key`, `caller`. */
  rule: string;
  /** Why it failed, as a protocol reason (decides the alert). */
  reason?: Reason;
  detail: string;
  /** What the peer's stapled OCSP response says of its leaf (RFC 8446 §4.4.2.1), when it sent one. */
  ocsp?: OcspReport;
  /** Rule `ca`, trusted: the path RFC 5280 validation used (DER), leaf first, ending at the trust anchor. */
  path?: Uint8Array[];
}

/** Who the peer is, as far as its certificate says; exposed once trust and possession are both shown. */
export interface PeerIdentity {
  /** A certificate or raw public key; a peer that proved an external PSK is a PskPeerIdentity (handshake/external-psk.ts). */
  kind?: 'certificate';
  subject?: string;
  dnsNames: string[];
  ipAddresses: string[];
  emails: string[];
  uris: string[];
  /** The SPIFFE ID of an X.509-SVID: its only URI SAN, a well-formed SPIFFE ID (SPIFFE-ID §2), in a certificate that is not a CA. */
  spiffeId?: string;
  /** SHA-256 of the leaf certificate DER, hex. */
  certificateSha256?: string;
  /** SHA-256 of the leaf SubjectPublicKeyInfo, hex and base64 (the RFC 7469 pin). */
  spkiSha256: string;
  spkiSha256Base64: string;
  keyType: string;
  /** Certificates as received, leaf first (DER): the first MAX_CHAIN_ENTRIES_KEPT of them. */
  chain: Uint8Array[];
  /** How many more entries the peer's Certificate carried, not kept in `chain` (absent when none). */
  chainEntriesOmitted?: number;
  verdict: TrustVerdict;
}

/**
 * The entries of a peer's Certificate an identity keeps. RFC 8446 §4.4.2 sets no count, and a 64 KiB message
 * holds ~10,900 entries of one byte: each kept entry is an object held for the connection's life (in `info`, in
 * every ticket's `peer`) and copied by every read of `info`, 1.1-1.5 MB and ~1 ms a read for a trusted peer that
 * sent 10,000. Path building sees every entry (a path holds at most a profile's maxDepth, 8, certificates); the
 * identity keeps the first 16, as sent, and counts the rest.
 */
export const MAX_CHAIN_ENTRIES_KEPT = 16;

export interface LeafInfo {
  publicKey: PublicKey;
  identity: Omit<PeerIdentity, 'verdict'>;
}

export interface TrustContext {
  provider: CryptoProvider;
  now?: () => number;
  purpose: Purpose;
  /** For server certificates: the name the certificate must match (CA policy only). */
  hostname?: string;
  /** The RSA floor for every key in a CA path (the leaf's is also checked by the handshake). */
  minimumRsaKeyBits?: number;
  /** The OCSP response the peer stapled to its leaf (DER), judged with the chain. */
  ocspResponse?: Uint8Array;
  /** The TLS SignatureSchemes accepted for signatures in a CA path (RFC 8446 §4.2.3); absent: any we can verify. */
  certificateSignatureSchemes?: readonly number[];
}

/** Parses a pin written as hex (colons allowed), base64, or `sha256/BASE64`, into the 32 hash bytes. */
export function parsePin(pin: string): Uint8Array {
  const text = pin.trim().replace(/^sha256\//i, '');
  const hexText = text.replace(/:/g, '');
  const bytes = /^[0-9a-fA-F]{64}$/.test(hexText) ? fromHex(hexText) : base64Decode(text);
  if (!bytes || bytes.length !== 32) throw new Error(`not a SHA-256 pin (64 hex digits or 44 base64 characters): ${pin}`);
  return bytes;
}

/** `ECDSA P-256`, `RSA-2048`, `Ed25519`: the key's algorithm and size, as identities report it. */
export function keyType(key: PublicKey): string {
  switch (key.kind) {
    case 'ecdsa':
      return `ECDSA ${key.curve}`;
    case 'rsa':
      return `RSA-${key.n.toString(2).length}`;
    case 'rsa-pss':
      return `RSA-PSS-${key.n.toString(2).length}${key.params ? ` (${key.params.hash}, salt >= ${key.params.minSaltLength})` : ''}`;
    case 'ed25519':
      return 'Ed25519';
    case 'ed448':
      return 'Ed448';
    case 'ml-dsa':
      return key.parameterSet;
  }
}

/**
 * SPIFFE-ID §2 (as go-spiffe's spiffeid.FromString): `spiffe://`, a trust domain of [a-z0-9._-], then path
 * segments of [a-zA-Z0-9._-], none empty, "." or "..". No userinfo, port, query, fragment or percent-encoding:
 * a URI with them passes URI name constraints on its host but reads as another trust domain or path.
 */
const SPIFFE_ID = /^spiffe:\/\/[a-z0-9._-]+(\/[a-zA-Z0-9._-]+)*$/;
const isSpiffeId = (uri: string) => SPIFFE_ID.test(uri) && !uri.split('/').slice(3).some((segment) => segment === '.' || segment === '..');

function identityOf(leaf: Certificate, publicKey: PublicKey, fingerprints: CertificateFingerprints, chain: Uint8Array[]): Omit<PeerIdentity, 'verdict'> {
  const san = leaf.subjectAltName;
  const { certificate, spki } = fingerprints;
  // Arrays of their own: the parsed certificate may be a configured one, shared with later handshakes.
  const identity: Omit<PeerIdentity, 'verdict'> = {
    subject: leaf.subject.text,
    dnsNames: [...(san?.dns ?? [])],
    ipAddresses: (san?.ip ?? []).map((ip) => ip.text),
    emails: [...(san?.email ?? [])],
    uris: [...(san?.uri ?? [])],
    certificateSha256: certificate.hex,
    spkiSha256: spki.hex,
    spkiSha256Base64: spki.base64,
    keyType: keyType(publicKey),
    chain: chain.length > MAX_CHAIN_ENTRIES_KEPT ? chain.slice(0, MAX_CHAIN_ENTRIES_KEPT) : chain,
  };
  if (chain.length > MAX_CHAIN_ENTRIES_KEPT) identity.chainEntriesOmitted = chain.length - MAX_CHAIN_ENTRIES_KEPT;
  // X509-SVID §2: exactly one URI SAN, a SPIFFE ID, in a certificate that is not a CA.
  if (san?.uri.length === 1 && isSpiffeId(san.uri[0]!) && !leaf.basicConstraints?.cA) identity.spiffeId = san.uri[0]!;
  return identity;
}

const trusted = (rule: string, detail: string): TrustVerdict => ({ trusted: true, rule, detail });
const rejected = (rule: string, reason: Reason, detail: string): TrustVerdict => ({ trusted: false, rule, reason, detail });

/**
 * `any-of`: the first policy that accepts; else the caller's answer when one of them is `ask`, whatever its
 * place in the list, told what the others refused and why (the decision's suggestion: a certificate refused as
 * revoked must not reach the caller as a plain question); else the first refusal.
 */
function anyOf(verdicts: TrustVerdict[]): TrustVerdict {
  const accepted = verdicts.find((v) => v.trusted);
  if (accepted) return accepted;
  const asking = verdicts.find((v) => v.pending);
  const refusals = verdicts.filter((v) => !v.pending);
  if (asking && refusals.length > 0) {
    const refused = refusals.map((v) => `${v.rule}: ${v.detail}`).join('; ');
    return { ...asking, reason: refusals[0]!.reason, detail: `${asking.detail}; refused by ${refused}` };
  }
  return asking ?? verdicts[0] ?? rejected('any-of', 'CertificateUnknown', 'no policy configured');
}

function judgeKey(policy: Extract<TrustPolicy, { kind: 'pinned-key' }>, spkiDer: Uint8Array, ctx: TrustContext): TrustVerdict {
  const spki = ctx.provider.hash('sha256', spkiDer);
  const pin = `sha256/${base64Encode(spki)}`;
  const match =
    (policy.spkiSha256 ?? []).some((p) => constantTimeEqual(parsePin(p), spki)) || (policy.keys ?? []).some((der) => equalBytes(der, spkiDer));
  return match ? trusted('pinned-key', `key ${pin} is pinned`) : rejected('pinned-key', 'BadCertificate', `key ${pin} is not pinned`);
}

/**
 * No DER certificate is shorter (RFC 5280 §4.1): its validity alone takes 32 bytes, and around it come a serial,
 * two algorithm identifiers, two names, a key and a signature (66 bytes at the least).
 */
const MIN_CERTIFICATE_LENGTH = 64;

/**
 * Candidate certificates (anchors, intermediates): one we cannot parse cannot be on a path, so it is skipped.
 * One too short to be a certificate is skipped unparsed: a failed parse costs about 17 µs (its exceptions), and
 * a Certificate message has room for 10,000 one-byte entries (test/security/resource-certificate-entries).
 * `parse` is parseConfiguredCertificate for the configuration's own certificates.
 */
function parseCandidates(ders: Uint8Array[], parse: (der: Uint8Array) => Certificate = parseCertificate): Certificate[] {
  const out: Certificate[] = [];
  for (const der of ders) {
    if (der.length < MIN_CERTIFICATE_LENGTH) continue;
    try {
      out.push(parse(der));
    } catch (e) {
      if (!(e instanceof TlsError)) throw e;
    }
  }
  return out;
}

/** The policy's CRLs, parsed once per input; an input that holds no CRL is a configuration error, never silently ignored. */
function policyCrls(policy: Extract<TrustPolicy, { kind: 'ca' }>): Crl[] {
  return policy.crls ? parseConfiguredCrlList(policy.crls, 'trust.crls') : [];
}

const PEM_BEGIN = Uint8Array.from('-----BEGIN ', (c) => c.charCodeAt(0));
/**
 * DER we were given as PEM text (a file read as bytes): worth saying so, it is the common slip. Compared byte by
 * byte: every connection's config is checked, and a TextDecoder per pinned certificate cost ~10 µs of each.
 */
const pemNotDer = (der: Uint8Array) => der.length >= PEM_BEGIN.length && PEM_BEGIN.every((byte, i) => der[i] === byte);

/** A pinned certificate or key that cannot be parsed matches no peer: a configuration error. */
function checkPinnedDer(der: Uint8Array, path: string, what: string, parse: (der: Uint8Array) => unknown): void {
  if (pemNotDer(der)) throw new TypeError(`${path} is PEM text; give the DER (parsePem reads PEM)`);
  try {
    parse(der);
  } catch (e) {
    throw new TypeError(`${path} is not a ${what} we can use: ${(e as Error).message}`);
  }
}

/** The policies that judge a certificate's validity window (RFC 5280 §4.1.2.5), so need the config's `now`. */
type ClockedKind = 'ca' | 'pinned-certificate';

/** The kind of the first policy in `policy` (`any-of` included) that needs a clock, if any. */
export function kindNeedingClock(policy: TrustPolicy | undefined): ClockedKind | undefined {
  if (policy?.kind === 'ca' || policy?.kind === 'pinned-certificate') return policy.kind;
  if (policy?.kind !== 'any-of') return undefined;
  for (const p of policy.policies) {
    const kind = kindNeedingClock(p);
    if (kind) return kind;
  }
  return undefined;
}

/** The one-line TypeError for a config whose trust needs `now` and has none. */
export const missingClock = (kind: ClockedKind): TypeError =>
  new TypeError(`trust { kind: '${kind}' } needs now, the clock that certificate validity is judged by (e.g. now: Date.now)`);

/**
 * The caller's clock, read as a time: a number, or a Date's. Any other answer (an ISO string, the Promise of an
 * async source, nothing from a clock that forgot to return) is no time, NaN, which every validity window
 * refuses (RFC 5280 §4.1.2.5) and which finds every ticket expired (RFC 8446 §4.6.1); compared as it was, it
 * made each comparison false and an expired certificate valid (test/security/clock-answer-shapes), or read as
 * no clock and kept every ticket alive (test/security/ticket-clock-answers). Undefined only when there is no clock.
 */
export function clockTime(now: (() => unknown) | undefined): number | undefined {
  if (!now) return undefined;
  const answer: unknown = now();
  return typeof answer === 'number' ? answer : answer instanceof Date ? answer.getTime() : NaN;
}

function clockFor(kind: ClockedKind, now: number | undefined): number {
  if (now === undefined) throw missingClock(kind);
  return now;
}

/** Configuration errors in a policy, thrown as TypeError before anything is sent. */
export function checkTrustPolicy(policy: TrustPolicy, path = 'trust'): void {
  switch (policy.kind) {
    case 'any-of':
      return policy.policies.forEach((p, i) => checkTrustPolicy(p, `${path}.policies[${i}]`));
    case 'ca':
      if (parseCandidates(policy.anchors, parseConfiguredCertificate).length === 0) throw new TypeError(`${path}.anchors: no parsable CA certificate`);
      // 'deny' with no CRL at all would refuse every chain but one that is a pinned anchor: a slip, not a policy.
      if (policyCrls(policy).length === 0 && policy.unknownRevocationStatus === 'deny') throw new TypeError(`${path}: unknownRevocationStatus 'deny' without crls refuses every chain`);
      return;
    case 'pinned-certificate':
      return policy.certificates.forEach((pin, i) => typeof pin !== 'string' && checkPinnedDer(pin, `${path}.certificates[${i}]`, 'certificate', parseConfiguredCertificate));
    case 'pinned-key':
      // A policy without a pin refuses every peer: a mistake, not a policy.
      if ((policy.spkiSha256?.length ?? 0) + (policy.keys?.length ?? 0) === 0) throw new TypeError(`${path} pins no key: give spkiSha256 or keys`);
      return policy.keys?.forEach((der, i) => checkPinnedDer(der, `${path}.keys[${i}]`, 'DER SubjectPublicKeyInfo', parseSpki));
  }
}

/** What a policy judges: the parsed leaf, its SHA-256 (computed once), the other certificates parsed. */
interface Presented {
  leaf: Certificate;
  leafSha256: Fingerprint;
  rest: Certificate[];
}

/** `signatures`: the budget of the whole Certificate message, shared by every policy and the staple. */
function judge(policy: TrustPolicy, presented: Presented, ctx: TrustContext, signatures: SignatureBudget): TrustVerdict {
  const { leaf, rest } = presented;
  const now = clockTime(ctx.now);
  switch (policy.kind) {
    case 'ca': {
      const at = clockFor('ca', now);
      const result = verifyChain({
        leaf,
        intermediates: rest,
        anchors: parseCandidates(policy.anchors, parseConfiguredCertificate),
        now: at,
        purpose: ctx.purpose,
        provider: ctx.provider,
        crls: policyCrls(policy),
        unknownRevocationStatus: policy.unknownRevocationStatus,
        signatureBudget: signatures,
        // Absent options as undefined: conditional spreads cost ~1 µs a literal on Node 20 (docs/performance-history.md, sixth round).
        profile: policy.profile || undefined,
        maxDepth: policy.maxDepth,
        hostname: ctx.hostname || undefined,
        minimumRsaKeyBits: ctx.minimumRsaKeyBits,
        signatureSchemes: ctx.certificateSignatureSchemes,
      });
      if (!result.ok) return rejected('ca', result.reason, result.detail);
      const anchor = result.path[result.path.length - 1]!;
      const detail = `chains to trust anchor "${anchor.subject.text}" (${result.path.length} certificates), ${ctx.purpose} allowed`;
      const verdict: TrustVerdict = { trusted: true, rule: 'ca', detail, path: result.path.map((certificate) => certificate.der) };
      const staple = ctx.ocspResponse && stapleContext(ctx.ocspResponse, at, ctx);
      return staple ? caStapleVerdict(verdict, staple, result.path, signatures) : verdict;
    }
    case 'pinned-certificate': {
      const fingerprint = presented.leafSha256;
      const match = policy.certificates.some((pin) =>
        typeof pin === 'string' ? constantTimeEqual(parsePin(pin), fingerprint.bytes) : equalBytes(pin, leaf.der),
      );
      // A pin does not chain and does not match names: the certificate itself is the identity.
      if (!match) return rejected('pinned-certificate', 'BadCertificate', `certificate sha256 ${fingerprint.hex} is not pinned`);
      const expiry = checkValidity(leaf, clockFor('pinned-certificate', now));
      if (expiry) return rejected('pinned-certificate', expiry.reason, expiry.detail);
      return trusted('pinned-certificate', `certificate sha256 ${fingerprint.hex} is pinned`);
    }
    case 'pinned-key':
      return judgeKey(policy, leaf.spki, ctx);
    case 'any-of': {
      return anyOf(policy.policies.map((p) => judge(p, presented, ctx, signatures)));
    }
    case 'ask':
      return { trusted: false, pending: true, rule: 'caller', detail: 'waiting for the caller to decide' };
    default: {
      const never: never = policy;
      throw new Error(`unknown trust policy ${JSON.stringify(never)}`);
    }
  }
}

/** The CA certificates a policy trusts (for CertificateRequest.certificate_authorities). */
export function trustAnchors(policy: TrustPolicy | undefined): Uint8Array[] {
  if (policy?.kind === 'ca') return policy.anchors;
  if (policy?.kind === 'any-of') return policy.policies.flatMap(trustAnchors);
  return [];
}

/**
 * Judges a certificate chain (leaf first, DER, as received) under a policy. A leaf that cannot be parsed or
 * whose key we cannot use fails at once with the alert the RFC names; everything else becomes a verdict.
 */
/** The policy's pinned certificate (DER) with exactly the bytes of `der`, if it pins one (RFC 8446 gives the leaf first). */
function pinnedCopy(policy: TrustPolicy, der: Uint8Array): Uint8Array | undefined {
  if (policy.kind === 'any-of') {
    for (const p of policy.policies) {
      const pin = pinnedCopy(p, der);
      if (pin) return pin;
    }
    return undefined;
  }
  if (policy.kind !== 'pinned-certificate') return undefined;
  return policy.certificates.find((pin): pin is Uint8Array => typeof pin !== 'string' && equalBytes(pin, der));
}

export function evaluateTrust(policy: TrustPolicy, chain: Uint8Array[], ctx: TrustContext): { verdict: TrustVerdict; leaf: LeafInfo } {
  let leaf: Certificate;
  try {
    // A leaf byte for byte equal to a pinned certificate parses as that certificate did (once, memoised);
    // any other leaf is parsed here. The verdict is judged afresh either way.
    const pin = pinnedCopy(policy, chain[0]!);
    leaf = pin ? parseConfiguredCertificate(pin) : parseCertificate(chain[0]!);
  } catch (e) {
    throw new TlsError('BadCertificate', `cannot parse the peer certificate: ${(e as Error).message}`);
  }
  if (!leaf.publicKey) throw new TlsError('UnsupportedCertificate', `peer key: ${leaf.publicKeyProblem ?? 'unsupported'}`);
  // The other certificates are candidates for path building: one we cannot parse is simply never used.
  const others = parseCandidates(chain.slice(1));
  const fingerprints = certificateFingerprints(leaf, ctx.provider);
  const signatures = new SignatureBudget(SIGNATURE_BUDGET);
  let verdict = judge(policy, { leaf, leafSha256: fingerprints.certificate, rest: others }, ctx, signatures);
  // A policy that did not act on the staple (pins, `ask`, a CA policy that rejected first) still reports it.
  const now = clockTime(ctx.now);
  if (ctx.ocspResponse && !verdict.ocsp && now !== undefined) verdict = reportedStapleVerdict(verdict, stapleContext(ctx.ocspResponse, now, ctx), leaf, others, signatures);
  const identity = identityOf(leaf, leaf.publicKey, fingerprints, chain);
  return { verdict, leaf: { publicKey: leaf.publicKey, identity: verdict.rule === 'pinned-key' ? withoutNames(identity) : identity } };
}

/**
 * A key pin proves the key, not the certificate around it: nobody's signature over its names was checked, and
 * whoever holds a pinned key writes any subject, SAN or SPIFFE ID into a certificate of its own. The identity a
 * key pin accepted carries the key and the certificate's hash, no name (a CA or a pinned certificate vouches
 * for names).
 */
function withoutNames(identity: Omit<PeerIdentity, 'verdict'>): Omit<PeerIdentity, 'verdict'> {
  const { subject: _subject, spiffeId: _spiffeId, ...rest } = identity;
  return { ...rest, dnsNames: [], ipAddresses: [], emails: [], uris: [] };
}

/** Judges an RFC 7250 raw public key: only key pins (or the caller) can vouch for a bare key. */
function judgeRawKey(policy: TrustPolicy, spki: Uint8Array, ctx: TrustContext): TrustVerdict {
  switch (policy.kind) {
    case 'pinned-key':
      return judgeKey(policy, spki, ctx);
    case 'any-of': {
      return anyOf(policy.policies.map((p) => judgeRawKey(p, spki, ctx)));
    }
    case 'ask':
      return { trusted: false, pending: true, rule: 'caller', detail: 'waiting for the caller to decide' };
    case 'ca':
    case 'pinned-certificate':
      return rejected(policy.kind, 'BadCertificate', `a ${policy.kind} policy cannot vouch for a raw public key; pin the key`);
    default: {
      const never: never = policy;
      throw new Error(`unknown trust policy ${JSON.stringify(never)}`);
    }
  }
}

/** Judges a raw public key (a DER SubjectPublicKeyInfo, RFC 7250) under a policy. */
export function evaluateRawPublicKey(policy: TrustPolicy, spki: Uint8Array, ctx: TrustContext): { verdict: TrustVerdict; leaf: LeafInfo } {
  let publicKey: PublicKey;
  try {
    publicKey = parseSpki(spki);
  } catch (e) {
    throw new TlsError('BadCertificate', `cannot use the peer's raw public key: ${(e as Error).message}`);
  }
  const fingerprint = sha256Fingerprint(spki, ctx.provider);
  const identity: Omit<PeerIdentity, 'verdict'> = {
    dnsNames: [],
    ipAddresses: [],
    emails: [],
    uris: [],
    spkiSha256: fingerprint.hex,
    spkiSha256Base64: fingerprint.base64,
    keyType: keyType(publicKey),
    chain: [spki],
  };
  return { verdict: judgeRawKey(policy, spki, ctx), leaf: { publicKey, identity } };
}
