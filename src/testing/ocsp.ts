// A small OCSP response builder (RFC 6960 §4.2.1) for tests: deterministic, in-process, able to make the
// broken responses attackers would staple (another serial, a foreign signer, stale or future windows).
// Core-safe (no node imports). `openssl ocsp` makes the real ones in the interop tests.
import { defaultSignatureAlgorithm, encodeSignatureAlgorithm } from '../auth/builder.js';
import { Tag } from '../auth/der.js';
import { der } from '../auth/der-writer.js';
import { subjectPublicKeyBits } from '../auth/keys.js';
import { OID } from '../auth/oids.js';
import type { Certificate } from '../auth/x509.js';
import type { CryptoProvider, PrivateKey, RandomSource } from '../crypto/provider.js';
import { fromHex, utf8 } from '../wire/bytes.js';

export interface OcspResponseSpec {
  /** The certificate the status is about, and the CA that issued it (for the CertID hashes). */
  leaf: Certificate;
  issuer: Certificate;
  /** Who signs: the issuer, or a delegated responder. */
  signer: { certificate: Certificate; privateKey: PrivateKey };
  status: 'good' | 'unknown' | { revokedAt: number; reason?: number };
  thisUpdate: number;
  /** Omitted: no nextUpdate. */
  nextUpdate?: number;
  producedAt?: number;
  /** CertID hash (default sha1, as openssl ocsp). */
  hash?: 'sha1' | 'sha256';
  /** ResponderID form (default byName). */
  responderId?: 'byName' | 'byKey';
  /** Certificates in BasicOCSPResponse.certs (a delegated responder sends its own). */
  certs?: Uint8Array[];
  /** Override the serial number the CertID names (hex of the INTEGER content). */
  serialHex?: string;
  /** A non-successful responseStatus: no responseBytes. */
  responseStatus?: number;
  /** How many times the SingleResponse is repeated (default 1). */
  copies?: number;
  /** Certificates of the same issuer reported `good` in SingleResponses before the leaf's. */
  others?: Certificate[];
}

const generalizedTime = (ms: number) => der.tlv(Tag.GeneralizedTime, utf8.encode(new Date(ms).toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z')));
const ENUMERATED = 0x0a;

export function buildOcspResponse(spec: OcspResponseSpec, provider: CryptoProvider, random: RandomSource): Uint8Array {
  if (spec.responseStatus !== undefined) return der.sequence(der.tlv(ENUMERATED, Uint8Array.of(spec.responseStatus)));
  const hash = spec.hash ?? 'sha1';
  const certIdOf = (serialHex: string) =>
    der.sequence(
      der.sequence(der.oid(OID[hash]), der.null()),
      der.octetString(provider.hash(hash, spec.leaf.issuer.raw)),
      der.octetString(provider.hash(hash, subjectPublicKeyBits(spec.issuer.spki))),
      der.tlv(Tag.INTEGER, fromHex(serialHex)),
    );
  const certId = certIdOf(spec.serialHex ?? spec.leaf.serialNumber);
  const s = spec.status;
  const certStatus =
    s === 'good' ? der.implicit(0, new Uint8Array(0))
    : s === 'unknown' ? der.implicit(2, new Uint8Array(0))
    : der.tlv(0xa1, generalizedTime(s.revokedAt), ...(s.reason === undefined ? [] : [der.explicit(0, der.tlv(ENUMERATED, Uint8Array.of(s.reason)))]));
  const window = [generalizedTime(spec.thisUpdate), ...(spec.nextUpdate === undefined ? [] : [der.explicit(0, generalizedTime(spec.nextUpdate))])];
  const single = der.sequence(certId, certStatus, ...window);
  const others = (spec.others ?? []).map((c) => der.sequence(certIdOf(c.serialNumber), der.implicit(0, new Uint8Array(0)), ...window));
  const signer = spec.signer.certificate;
  const responderId =
    spec.responderId === 'byKey' ? der.explicit(2, der.octetString(provider.hash('sha1', subjectPublicKeyBits(signer.spki)))) : der.explicit(1, signer.subject.raw);
  const tbs = der.sequence(responderId, generalizedTime(spec.producedAt ?? spec.thisUpdate), der.sequence(...others, ...Array.from({ length: spec.copies ?? 1 }, () => single)));
  const algorithm = defaultSignatureAlgorithm(spec.signer.privateKey);
  const signature = provider.sign(algorithm, spec.signer.privateKey, tbs, random);
  const basic = der.sequence(tbs, encodeSignatureAlgorithm(algorithm), der.bitString(signature), ...(spec.certs ? [der.explicit(0, der.sequence(...spec.certs))] : []));
  return der.sequence(der.tlv(ENUMERATED, Uint8Array.of(0)), der.explicit(0, der.sequence(der.oid(OID.ocspBasic), der.octetString(basic))));
}
