// Code points of RFC 8446 (and the RFCs it leans on), as const objects with a reverse name lookup.
// Unknown values are ordinary numbers: they decode, re-encode unchanged, and print as `unknown(0x....)`.

type CodeTable = Readonly<Record<string, number>>;

function reverse<T extends CodeTable>(table: T): ReadonlyMap<number, keyof T & string> {
  return new Map(Object.entries(table).map(([name, value]) => [value, name as keyof T & string]));
}

/** Makes `nameOf(value)` for a table: the RFC's name, or `unknown(0x1234)`. */
function namer<T extends CodeTable>(table: T, width: number): (value: number) => string {
  const names = reverse(table);
  return (value) => names.get(value) ?? `unknown(0x${value.toString(16).padStart(width, '0')})`;
}

/** RFC 8701 GREASE values for cipher suites, groups, extensions, versions, signature schemes. */
export function isGrease(value: number): boolean {
  return (value & 0x0f0f) === 0x0a0a && value >> 8 === (value & 0xff);
}
export const GREASE_VALUES: readonly number[] = Array.from({ length: 16 }, (_, i) => ((i << 4) | 0x0a) * 0x0101);

/** RFC 8446 §5.1 */
export const ContentType = {
  invalid: 0,
  change_cipher_spec: 20,
  alert: 21,
  handshake: 22,
  application_data: 23,
} as const;
export const contentTypeName = namer(ContentType, 2);

/** RFC 8446 §4 and §4.4.1 (message_hash). */
export const HandshakeType = {
  client_hello: 1,
  server_hello: 2,
  new_session_ticket: 4,
  end_of_early_data: 5,
  encrypted_extensions: 8,
  certificate: 11,
  certificate_request: 13,
  certificate_verify: 15,
  finished: 20,
  key_update: 24,
  /** RFC 8879 §4 */
  compressed_certificate: 25,
  message_hash: 254,
} as const;
export type HandshakeTypeName = keyof typeof HandshakeType;
export const handshakeTypeName = namer(HandshakeType, 2);

/** RFC 8446 §4.1.2, §4.2.1 */
export const ProtocolVersion = {
  SSLv3: 0x0300,
  TLSv1_0: 0x0301,
  TLSv1_1: 0x0302,
  TLSv1_2: 0x0303,
  TLSv1_3: 0x0304,
} as const;
export const protocolVersionName = namer(ProtocolVersion, 4);

/** RFC 8446 §B.4 */
export const CipherSuite = {
  TLS_AES_128_GCM_SHA256: 0x1301,
  TLS_AES_256_GCM_SHA384: 0x1302,
  TLS_CHACHA20_POLY1305_SHA256: 0x1303,
  TLS_AES_128_CCM_SHA256: 0x1304,
  TLS_AES_128_CCM_8_SHA256: 0x1305,
  TLS_EMPTY_RENEGOTIATION_INFO_SCSV: 0x00ff,
  TLS_FALLBACK_SCSV: 0x5600,
} as const;
export const cipherSuiteName = namer(CipherSuite, 4);

/** RFC 8446 §4.2 (and RFC 6066, 6961, 6962, 7250, 7301, 7685, 7924, 8449, 8879 for the extensions it lists). */
export const ExtensionType = {
  server_name: 0,
  max_fragment_length: 1,
  status_request: 5,
  supported_groups: 10,
  ec_point_formats: 11,
  signature_algorithms: 13,
  use_srtp: 14,
  heartbeat: 15,
  application_layer_protocol_negotiation: 16,
  signed_certificate_timestamp: 18,
  client_certificate_type: 19,
  server_certificate_type: 20,
  padding: 21,
  encrypt_then_mac: 22,
  extended_master_secret: 23,
  compress_certificate: 27,
  record_size_limit: 28,
  session_ticket: 35,
  pre_shared_key: 41,
  early_data: 42,
  supported_versions: 43,
  cookie: 44,
  psk_key_exchange_modes: 45,
  certificate_authorities: 47,
  oid_filters: 48,
  post_handshake_auth: 49,
  signature_algorithms_cert: 50,
  key_share: 51,
  renegotiation_info: 0xff01,
} as const;
export type ExtensionTypeName = keyof typeof ExtensionType;
export const extensionTypeName = namer(ExtensionType, 4);

/** RFC 8446 §4.2.7 (and RFC 7919 ffdhe, draft-ietf-tls-mlkem, draft-ietf-tls-ecdhe-mlkem). */
export const NamedGroup = {
  secp256r1: 0x0017,
  secp384r1: 0x0018,
  secp521r1: 0x0019,
  x25519: 0x001d,
  x448: 0x001e,
  ffdhe2048: 0x0100,
  ffdhe3072: 0x0101,
  ffdhe4096: 0x0102,
  ffdhe6144: 0x0103,
  ffdhe8192: 0x0104,
  MLKEM512: 0x0200,
  MLKEM768: 0x0201,
  MLKEM1024: 0x0202,
  SecP256r1MLKEM768: 0x11eb,
  X25519MLKEM768: 0x11ec,
  SecP384r1MLKEM1024: 0x11ed,
} as const;
export const namedGroupName = namer(NamedGroup, 4);

/** RFC 8446 §4.2.3 */
export const SignatureScheme = {
  rsa_pkcs1_sha256: 0x0401,
  rsa_pkcs1_sha384: 0x0501,
  rsa_pkcs1_sha512: 0x0601,
  ecdsa_secp256r1_sha256: 0x0403,
  ecdsa_secp384r1_sha384: 0x0503,
  ecdsa_secp521r1_sha512: 0x0603,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
  ed25519: 0x0807,
  ed448: 0x0808,
  rsa_pss_pss_sha256: 0x0809,
  rsa_pss_pss_sha384: 0x080a,
  rsa_pss_pss_sha512: 0x080b,
  /** draft-ietf-tls-mldsa §3: pure ML-DSA, TLS 1.3 only; not offered unless configured (docs/ml-dsa.md). */
  mldsa44: 0x0904,
  mldsa65: 0x0905,
  mldsa87: 0x0906,
  rsa_pkcs1_sha1: 0x0201,
  ecdsa_sha1: 0x0203,
} as const;
export const signatureSchemeName = namer(SignatureScheme, 4);

/** RFC 8446 §6 */
export const AlertLevel = { warning: 1, fatal: 2 } as const;
export const alertLevelName = namer(AlertLevel, 2);

/** RFC 8446 §6 */
export const AlertDescription = {
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  record_overflow: 22,
  handshake_failure: 40,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_revoked: 44,
  certificate_expired: 45,
  certificate_unknown: 46,
  illegal_parameter: 47,
  unknown_ca: 48,
  access_denied: 49,
  decode_error: 50,
  decrypt_error: 51,
  protocol_version: 70,
  insufficient_security: 71,
  internal_error: 80,
  inappropriate_fallback: 86,
  user_canceled: 90,
  missing_extension: 109,
  unsupported_extension: 110,
  unrecognized_name: 112,
  bad_certificate_status_response: 113,
  unknown_psk_identity: 115,
  certificate_required: 116,
  no_application_protocol: 120,
} as const;
export type AlertName = keyof typeof AlertDescription;
export const alertDescriptionName = namer(AlertDescription, 2);

/** RFC 8446 §4.2.9 */
export const PskKeyExchangeMode = { psk_ke: 0, psk_dhe_ke: 1 } as const;
export const pskKeyExchangeModeName = namer(PskKeyExchangeMode, 2);

/** RFC 7250 §3 (values from the TLS Certificate Types registry). */
export const CertificateType = { X509: 0, RawPublicKey: 2 } as const;
export const certificateTypeName = namer(CertificateType, 2);

/** RFC 8446 §4.6.3 */
/** RFC 8879 §7.3: CertificateCompressionAlgorithm. */
export const CertificateCompressionAlgorithm = { zlib: 1, brotli: 2, zstd: 3 } as const;
export const certificateCompressionAlgorithmName = namer(CertificateCompressionAlgorithm, 2);

export const KeyUpdateRequest = { update_not_requested: 0, update_requested: 1 } as const;
export const keyUpdateRequestName = namer(KeyUpdateRequest, 2);

/** RFC 6066 §3 */
export const ServerNameType = { host_name: 0 } as const;

/** RFC 8446 §4.1.3: ServerHello.random of a HelloRetryRequest is SHA-256("HelloRetryRequest"). */
export const HELLO_RETRY_REQUEST_RANDOM = Uint8Array.from([
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
  0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
]);

/** RFC 8446 §4.1.3: the last 8 bytes of ServerHello.random when a TLS 1.3 server negotiates an older version. */
export const DOWNGRADE_TLS12 = Uint8Array.from([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01]);
export const DOWNGRADE_TLS11 = Uint8Array.from([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00]);
