// Typed views of extension bodies (RFC 8446 §4.2 and the RFCs it names). Messages keep extensions as raw
// (type, data) pairs; the handshake layer reads and writes their bodies through the codecs here.
//
// Every codec has `encode(value)` (the body only, no type or length), `decode(r)` (reads the whole reader,
// recording spans when the reader carries them) and `parse(body)` (decode over a standalone body). The handshake
// layer reads a received body through `bodyOf(codec, extension)`, which returns the value decoded with the message.
// Which extension may appear in which message, and with which decoder, is extension-table.ts.
import { decodeWhole, encode, encodeValue, type Reader, type Writer } from './bytes.js';
import {
  certificateCompressionAlgorithmName,
  certificateTypeName,
  namedGroupName,
  protocolVersionName,
  pskKeyExchangeModeName,
  signatureSchemeName,
} from './enums.js';
import { TlsError } from './errors.js';
import type { Extension, KeyShareEntry, OfferedPsks, OidFilter, PskIdentity } from './types.js';
import {
  bytesToText,
  DUPLICATE_SCAN_LIMIT,
  elementField,
  readName,
  readOpaqueList,
  readU16Vector,
  readU8Vector,
  textToBytes,
  writeOpaqueList,
  writeU16Vector,
  writeU8Vector,
} from './vectors.js';

export interface BodyCodec<T> {
  /** The extension_data bytes for `value`. */
  encode(value: T): Uint8Array;
  /** Writes what `encode` returns into `w`. */
  write(w: Writer, value: T): void;
  /** Reads the body from `r` and requires every byte of it to be used (else decode_error). */
  decode(r: Reader): T;
  /** `decode` over a standalone body. */
  parse(body: Uint8Array): T;
}

function bodyCodec<T>(write: (w: Writer, value: T) => void, read: (r: Reader) => T): BodyCodec<T> {
  const decode = (r: Reader): T => {
    const value = read(r);
    r.end();
    return value;
  };
  return {
    encode: (value) => encodeValue(write, value),
    write,
    decode,
    parse: (body) => decodeWhole(body, decode),
  };
}

/** `base` with the stricter rules one message adds when decoding; it encodes as `base` does. */
function refined<T>(base: BodyCodec<T>, read: (r: Reader) => T): BodyCodec<T> {
  return bodyCodec<T>(base.write, read);
}

/**
 * An extension of a received message together with the value its body decoded to when the message was
 * decoded (messages.ts checks every known body against the §4.2 table, with the codec of that message).
 * `bodyOf` hands that value to the handshake layer, so a body is decoded once. The value answers only for
 * the codec that made it and while `data` is still the view it was decoded from.
 */
export class DecodedExtension implements Extension {
  readonly #decodedFrom: Uint8Array;
  readonly #codec: BodyCodec<unknown>;
  readonly #value: unknown;

  constructor(
    readonly type: number,
    public data: Uint8Array,
    codec: BodyCodec<unknown>,
    value: unknown,
  ) {
    this.#decodedFrom = data;
    this.#codec = codec;
    this.#value = value;
  }

  /** Whether `value` is what `codec` reads from the current `data`. */
  decodedBy(codec: BodyCodec<unknown>): boolean {
    return this.#codec === codec && this.#decodedFrom === this.data;
  }

  get value(): unknown {
    return this.#value;
  }

  /** A copy whose data and value are `copied` from ours, decoded by the same codec (handshake/handed-out-message.ts). */
  copy(copied: (value: unknown) => unknown): DecodedExtension {
    return new DecodedExtension(this.type, copied(this.data) as Uint8Array, this.#codec, copied(this.#value));
  }
}

/** The value of an extension's body as `codec` reads it: the one decoded with its message, or parsed now. */
export function bodyOf<T>(codec: BodyCodec<T>, extension: Extension): T {
  return extension instanceof DecodedExtension && extension.decodedBy(codec) ? (extension.value as T) : codec.parse(extension.data);
}

export function ext(type: number, body: Uint8Array): Extension {
  return { type, data: body };
}

/** The bytes `list` takes inside an extensions<..> block: each extension's type and length (4) and its data. */
export function extensionsLength(list: readonly Extension[]): number {
  return list.reduce((sum, e) => sum + 4 + e.data.length, 0);
}

export function findExtension(list: Extension[], type: number): Extension | undefined {
  for (const e of list) if (e.type === type) return e;
  return undefined;
}

const u16Codec = (field: string, name: (v: number) => string) =>
  bodyCodec<number>((w, v) => w.u16(v), (r) => r.u16(field, name));

const u8Codec = (field: string, name: (v: number) => string) =>
  bodyCodec<number>((w, v) => w.u8(v), (r) => r.u8(field, name));

/** Empty extension_data: acknowledgements and flags (early_data in CH/EE, post_handshake_auth, ...). */
export const emptyBody = bodyCodec<void>(
  () => {},
  () => {},
);

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

// ---- supported_groups, signature_algorithms(_cert) (RFC 8446 §4.2.7, §4.2.3) ----

function u16ListCodec(field: string, name: (v: number) => string): BodyCodec<number[]> {
  return bodyCodec<number[]>(
    (w, values) => writeU16Vector(w, 2, values),
    (r) => readU16Vector(r, 2, field, 2, 0xffff, name),
  );
}

export const supportedGroups = u16ListCodec('named_group_list', namedGroupName);
export const signatureAlgorithms = u16ListCodec('supported_signature_algorithms', signatureSchemeName);
/** §4.2.3: signature_algorithms_cert has the same SignatureSchemeList structure. */
export const signatureAlgorithmsCert = signatureAlgorithms;

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

// ---- pre_shared_key (RFC 8446 §4.2.11) ----

function writeBinders(w: Writer, binders: Uint8Array[]): void {
  writeOpaqueList(w, 2, 1, binders);
}

/** OfferedPsks: identities <7..2^16-1>, binders <33..2^16-1>, one binder (PskBinderEntry<32..255>) per identity. */
export const preSharedKeyClientHello = bodyCodec<OfferedPsks>(
  (w, offered) => {
    const identities = w.startVector(2);
    for (const id of offered.identities) w.vec(2, id.identity).u32(id.obfuscatedTicketAge);
    w.endVector(identities, 2);
    writeBinders(w, offered.binders);
  },
  (r) => {
    const outer = r.open(2, 'identities', 7, 0xffff);
    const identities = r.list(
      (e): PskIdentity => ({ identity: e.vec(2, 'identity', 1, 0xffff), obfuscatedTicketAge: e.u32('obfuscated_ticket_age') }),
    );
    r.close(outer);
    const binders = readOpaqueList(r, 'binders', { prefixBytes: 2, min: 33, max: 0xffff }, { prefixBytes: 1, min: 32, max: 0xff });
    // §4.2.11: binders are "one for each value in the identities list and in the same order".
    if (binders.length !== identities.length) {
      r.refuse(new TlsError('illegal_parameter', `${r.path}: ${identities.length} identities but ${binders.length} binders`));
    }
    return { identities, binders };
  },
);

/** selected_identity in a ServerHello. */
export const preSharedKeyServerHello = u16Codec('selected_identity', (v) => `identity #${v}`);

/** The `binders` vector (with its 2-byte length) as it ends a ClientHello. */
export function encodePreSharedKeyBinders(binders: Uint8Array[]): Uint8Array {
  return encode((w) => writeBinders(w, binders));
}

/** Bytes the binders vector takes at the end of the ClientHello (RFC 8446 §4.2.11.2 truncation). */
export function bindersLength(offered: OfferedPsks): number {
  return offered.binders.reduce((sum, b) => sum + 1 + b.length, 2);
}

// ---- early_data (RFC 8446 §4.2.10) ----

/** Empty in ClientHello and EncryptedExtensions. */
export const earlyDataEmpty = emptyBody;
/** max_early_data_size in NewSessionTicket. */
export const earlyDataNewSessionTicket = bodyCodec<number>(
  (w, size) => w.u32(size),
  (r) => r.u32('max_early_data_size'),
);

// ---- psk_key_exchange_modes (RFC 8446 §4.2.9) ----

export const pskKeyExchangeModes = bodyCodec<number[]>(
  (w, modes) => writeU8Vector(w, modes),
  (r) => readU8Vector(r, 'ke_modes', 1, pskKeyExchangeModeName),
);

// ---- cookie (RFC 8446 §4.2.2) ----

export const cookie = bodyCodec<Uint8Array>(
  (w, value) => w.vec(2, value),
  (r) => r.vec(2, 'cookie', 1, 0xffff),
);

// ---- supported_versions (RFC 8446 §4.2.1) ----

/** ProtocolVersion versions<2..254> in a ClientHello. */
export const supportedVersionsClientHello = bodyCodec<number[]>(
  (w, versions) => writeU16Vector(w, 1, versions),
  (r) => readU16Vector(r, 1, 'versions', 2, 254, protocolVersionName),
);

/** selected_version in a ServerHello or HelloRetryRequest. */
export const supportedVersionsServerHello = u16Codec('selected_version', protocolVersionName);

// ---- certificate_authorities (RFC 8446 §4.2.4) ----

/** DistinguishedName authorities<3..2^16-1>, each DER opaque<1..2^16-1>. */
export const certificateAuthorities = bodyCodec<Uint8Array[]>(
  (w, names) => writeOpaqueList(w, 2, 2, names),
  (r) => readOpaqueList(r, 'authorities', { prefixBytes: 2, min: 3, max: 0xffff }, { prefixBytes: 2, min: 1, max: 0xffff }),
);

// ---- oid_filters (RFC 8446 §4.2.5) ----

export const oidFilters = bodyCodec<OidFilter[]>(
  (w, filters) => w.block(2, (list) => filters.forEach((f) => list.vec(1, f.oid).vec(2, f.values))),
  (r) => {
    const outer = r.open(2, 'filters', 0, 0xffff);
    const filters = r.list((e) => ({
      oid: e.vec(1, 'certificate_extension_oid', 1, 0xff),
      values: e.vec(2, 'certificate_extension_values', 0, 0xffff),
    }));
    r.close(outer);
    return filters;
  },
);

// ---- post_handshake_auth (RFC 8446 §4.2.6) ----

export const postHandshakeAuth = emptyBody;

// ---- key_share (RFC 8446 §4.2.8) ----

function writeKeyShareEntry(w: Writer, entry: KeyShareEntry): void {
  w.u16(entry.group).vec(2, entry.keyExchange);
}

function readKeyShareEntry(r: Reader): KeyShareEntry {
  const group = r.u16('group', namedGroupName);
  const keyExchange = r.vec(2, 'key_exchange', 0, 0xffff);
  // key_exchange<1..2^16-1>. Its content and so its length are the group's (§4.2.8: "determined by the
  // specified group"): an empty value is a share of the wrong length, which every group definition answers
  // with illegal_parameter (§4.2.8.2 validation; draft-ietf-tls-ecdhe-mlkem §3, draft-ietf-tls-mlkem §4).
  if (keyExchange.length === 0) r.refuse(new TlsError('BadKeyShare', `${r.path}: empty key_exchange for ${namedGroupName(group)}`));
  return { group, keyExchange };
}

/** KeyShareEntry client_shares<0..2^16-1>. */
export const keyShareClientHello = bodyCodec<KeyShareEntry[]>(
  (w, entries) => {
    const list = w.startVector(2);
    for (const e of entries) writeKeyShareEntry(w, e);
    w.endVector(list, 2);
  },
  (r) => {
    const outer = r.open(2, 'client_shares', 0, 0xffff);
    const entries = r.list(readKeyShareEntry);
    r.close(outer);
    // §4.2.8: "Clients MUST NOT offer multiple KeyShareEntry values for the same group ... Servers MAY check".
    if (repeatsGroup(entries)) r.refuse(new TlsError('BadKeyShare', `${r.path}: two key shares for one group`));
    return entries;
  },
);

/** Whether two of `entries` are for one group (pairwise up to DUPLICATE_SCAN_LIMIT entries, through a set beyond). */
function repeatsGroup(entries: KeyShareEntry[]): boolean {
  if (entries.length > DUPLICATE_SCAN_LIMIT) return new Set(entries.map((e) => e.group)).size !== entries.length;
  for (let i = 1; i < entries.length; i++) for (let j = 0; j < i; j++) if (entries[j]!.group === entries[i]!.group) return true;
  return false;
}

/** server_share in a ServerHello. */
export const keyShareServerHello = bodyCodec<KeyShareEntry>(writeKeyShareEntry, readKeyShareEntry);

/** selected_group in a HelloRetryRequest. */
export const keyShareHelloRetryRequest = u16Codec('selected_group', namedGroupName);

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
