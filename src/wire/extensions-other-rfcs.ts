// Codecs of the extension bodies other RFCs define, which RFC 8446 §4.2 lists beside its own: server_name,
// max_fragment_length and status_request (RFC 6066), compress_certificate (RFC 8879), use_srtp (RFC 5764),
// heartbeat (RFC 6520), ALPN (RFC 7301), signed_certificate_timestamp (RFC 6962), client/server_certificate_type
// (RFC 7250), padding (RFC 7685), record_size_limit (RFC 8449). Each is a BodyCodec (extension-body.ts).
import type { Reader } from './bytes.js';
import { certificateCompressionAlgorithmName, certificateTypeName } from './enums.js';
import { TlsError } from './errors.js';
import { bodyCodec, refined, u8Codec } from './extension-body.js';
import { bytesToText, elementField, readName, readOpaqueList, readU16Vector, readU8Vector, textToBytes, writeOpaqueList, writeU16Vector, writeU8Vector } from './vectors.js';

// ---- server_name (RFC 6066 §3) ----

/**
 * ServerNameList in a ClientHello; an empty body (the server's acknowledgement in EncryptedExtensions)
 * decodes as []. Only host_name (type 0) is defined, so another type cannot be parsed (decode_error).
 */
export const serverName = bodyCodec<string[]>(
  (w, hostNames) => {
    if (hostNames.length === 0) return;
    const list = w.startVector(2);
    for (const name of hostNames) w.u8(0).vec(2, textToBytes(name));
    w.endVector(list, 2);
  },
  (r) => {
    if (r.remaining === 0) return [];
    const outer = r.open(2, 'server_name_list', 1, 0xffff);
    const names = r.list(readHostName);
    r.close(outer);
    return names;
  },
);

function readHostName(entry: Reader): string {
  const nameType = entry.u8('name_type', (t) => (t === 0 ? 'host_name' : undefined));
  if (nameType !== 0) throw new TlsError('decode_error', `${entry.path}: unknown name_type ${nameType}`);
  const name = readName(entry, 2, 'host_name', 1, 0xffff);
  // ASCII without control characters: a host name, and nothing that could forge a log line downstream.
  if (name.some((b) => b < 0x20 || b >= 0x7f)) throw new TlsError('decode_error', `${entry.path}: HostName is not printable ASCII`);
  return bytesToText(name);
}

/** RFC 6066 §3: "The ServerNameList MUST NOT contain more than one name of the same name_type." */
export const offeredServerName = refined(serverName, (r) => {
  if (r.remaining === 0) throw new TlsError('decode_error', `${r.path}: empty server_name in ClientHello`);
  const names = serverName.decode(r);
  if (names.length > 1) r.refuse(new TlsError('illegal_parameter', `${r.path}: more than one host_name`));
  return names;
});

// ---- max_fragment_length (RFC 6066 §4) ----

const MAX_FRAGMENT_LENGTHS: Record<number, string> = { 1: '2^9', 2: '2^10', 3: '2^11', 4: '2^12' };

/** RFC 6066 §4: a value other than 1..4 is an illegal_parameter. */
export const maxFragmentLength = bodyCodec<number>(
  (w, v) => w.u8(v),
  (r) => {
    const v = r.u8('max_fragment_length', (x) => MAX_FRAGMENT_LENGTHS[x]);
    if (v < 1 || v > 4) r.refuse(new TlsError('illegal_parameter', `max_fragment_length ${v} is not one of 1..4`));
    return v;
  },
);

// ---- status_request (RFC 6066 §8; RFC 8446 §4.4.2.1) ----

/** OCSPStatusRequest, the only CertificateStatusRequest defined (status_type ocsp = 1). */
export interface OcspStatusRequest {
  responderIds: Uint8Array[];
  /** DER-encoded request Extensions. */
  requestExtensions: Uint8Array;
}

const OCSP = 1;
const U16_LIST = { prefixBytes: 2, min: 0, max: 0xffff } as const;

function readOcspStatusType(r: Reader): void {
  if (r.u8('status_type', (t) => (t === OCSP ? 'ocsp' : undefined)) !== OCSP) {
    throw new TlsError('decode_error', `${r.path}: unknown CertificateStatusType`);
  }
}

/** CertificateStatusRequest in a ClientHello. (In a CertificateRequest the body is empty.) */
export const statusRequestClientHello = bodyCodec<OcspStatusRequest>(
  (w, req) => {
    w.u8(OCSP);
    writeOpaqueList(w, 2, 2, req.responderIds);
    w.vec(2, req.requestExtensions);
  },
  (r) => {
    readOcspStatusType(r);
    const responderIds = readOpaqueList(r, 'responder_id_list', U16_LIST, { prefixBytes: 2, min: 1, max: 0xffff });
    return { responderIds, requestExtensions: r.vec(2, 'request_extensions') };
  },
);

/** CertificateStatus in a CertificateEntry: the OCSP response (RFC 8446 §4.4.2.1). */
export const statusRequestCertificate = bodyCodec<Uint8Array>(
  (w, response) => w.u8(OCSP).vec(3, response),
  (r) => {
    readOcspStatusType(r);
    return r.vec(3, 'ocsp_response', 1, 0xffffff);
  },
);

/** compress_certificate (RFC 8879 §3): algorithms the sender can decompress, <2..2^8-2>. */
export const compressCertificate = bodyCodec<number[]>(
  (w, values) => writeU16Vector(w, 1, values),
  (r) => readU16Vector(r, 1, 'algorithms', 2, 0xfe, certificateCompressionAlgorithmName),
);

// ---- use_srtp (RFC 5764 §4.1.1) ----

export interface UseSrtpData {
  profiles: number[];
  mki: Uint8Array;
}

export const useSrtp = bodyCodec<UseSrtpData>(
  (w, d) => {
    writeU16Vector(w, 2, d.profiles);
    w.vec(1, d.mki);
  },
  (r) => ({
    profiles: readU16Vector(r, 2, 'srtp_protection_profiles', 2, 0xffff),
    mki: r.vec(1, 'srtp_mki'),
  }),
);

// ---- heartbeat (RFC 6520 §2) ----

const HEARTBEAT_MODES: Record<number, string> = { 1: 'peer_allowed_to_send', 2: 'peer_not_allowed_to_send' };

/** RFC 6520 §2: an unknown mode is an illegal_parameter. */
export const heartbeat = bodyCodec<number>(
  (w, mode) => w.u8(mode),
  (r) => {
    const mode = r.u8('mode', (m) => HEARTBEAT_MODES[m]);
    if (mode !== 1 && mode !== 2) r.refuse(new TlsError('illegal_parameter', `heartbeat mode ${mode}`));
    return mode;
  },
);

// ---- application_layer_protocol_negotiation (RFC 7301 §3.1) ----

/** ProtocolNameList: ProtocolName<1..2^8-1>, list <2..2^16-1>. Names map byte for byte to characters. */
export const alpn = bodyCodec<string[]>(
  (w, protocols) => {
    const list = w.startVector(2);
    for (const p of protocols) w.vec(1, textToBytes(p));
    w.endVector(list, 2);
  },
  (r) => {
    const outer = r.open(2, 'protocol_name_list', 2, 0xffff);
    const names: string[] = [];
    for (let i = 0; r.remaining > 0; i++) names.push(bytesToText(readName(r, 1, elementField(r, i), 1, 0xff)));
    r.close(outer);
    return names;
  },
);

/** RFC 7301 §3.1: the server's list "MUST contain exactly one ProtocolName". */
export const selectedAlpn = refined(alpn, (r) => {
  const names = alpn.decode(r);
  if (names.length !== 1) throw new TlsError('decode_error', `${r.path}: server sent ${names.length} protocols`);
  return names;
});

// ---- signed_certificate_timestamp (RFC 6962 §3.3; empty in ClientHello and CertificateRequest) ----

/** SignedCertificateTimestampList in a CertificateEntry: SerializedSCT<1..2^16-1>, list <1..2^16-1>. */
export const signedCertificateTimestamps = bodyCodec<Uint8Array[]>(
  (w, scts) => writeOpaqueList(w, 2, 2, scts),
  (r) => readOpaqueList(r, 'sct_list', { prefixBytes: 2, min: 1, max: 0xffff }, { prefixBytes: 2, min: 1, max: 0xffff }),
);

// ---- client_certificate_type, server_certificate_type (RFC 7250 §3) ----

function certificateTypeCodecs(offered: string, selected: string) {
  return {
    clientHello: bodyCodec<number[]>(
      (w, types) => writeU8Vector(w, types),
      (r) => readU8Vector(r, offered, 1, certificateTypeName),
    ),
    serverSide: u8Codec(selected, certificateTypeName),
  };
}

const clientCertificateType = certificateTypeCodecs('client_certificate_types', 'client_certificate_type');
const serverCertificateType = certificateTypeCodecs('server_certificate_types', 'server_certificate_type');
/** CertificateType client_certificate_types<1..2^8-1> offered in a ClientHello. */
export const clientCertificateTypeClientHello = clientCertificateType.clientHello;
/** The one type the server chose, in EncryptedExtensions. */
export const clientCertificateTypeServerSide = clientCertificateType.serverSide;
export const serverCertificateTypeClientHello = serverCertificateType.clientHello;
export const serverCertificateTypeServerSide = serverCertificateType.serverSide;

// ---- padding (RFC 7685 §3) ----

/**
 * The extension_data as sent. The client fills it with zero bytes (§3: "The client MUST fill the padding
 * extension completely with zero bytes"); §3 asks nothing of the server but not to echo it, and OpenSSL,
 * BoringSSL, GnuTLS, NSS and rustls read nothing of the body, so a non-zero byte is not refused either
 * (docs/robustness.md).
 */
export const padding = bodyCodec<Uint8Array>(
  (w, body) => w.raw(body),
  (r) => r.rest('padding'),
);

// ---- record_size_limit (RFC 8449 §4) ----

/** RFC 8449 §4: "An endpoint MUST treat receipt of a smaller value [than 64] as a fatal error" (illegal_parameter). */
export const recordSizeLimit = bodyCodec<number>(
  (w, limit) => w.u16(limit),
  (r) => {
    const limit = r.u16('record_size_limit');
    if (limit < 64) r.refuse(new TlsError('illegal_parameter', `record_size_limit ${limit} is below 64`));
    return limit;
  },
);
