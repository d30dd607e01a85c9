// Codecs of the extension bodies RFC 8446 defines (§4.2): supported_versions, cookie, signature_algorithms(_cert),
// supported_groups, key_share, pre_shared_key, psk_key_exchange_modes, early_data, certificate_authorities,
// oid_filters, post_handshake_auth. Each is a BodyCodec (extension-body.ts).
import { encode, type Reader, type Writer } from './bytes.js';
import { namedGroupName, protocolVersionName, pskKeyExchangeModeName, signatureSchemeName } from './enums.js';
import { TlsError } from './errors.js';
import { bodyCodec, emptyBody, u16Codec, type BodyCodec } from './extension-body.js';
import type { KeyShareEntry, OfferedPsks, OidFilter, PskIdentity } from './types.js';
import { DUPLICATE_SCAN_LIMIT, readOpaqueList, readU16Vector, readU8Vector, writeOpaqueList, writeU16Vector, writeU8Vector } from './vectors.js';

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
