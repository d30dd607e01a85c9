// Differential conformance, ClientHello territory (tlsfuzzer's test-tls13-*hello*, -session-id, -version-
// negotiation, -keyshare, -psk, -signature-algorithms scripts): the same ClientHello to our server, to
// OpenSSL 3.0's s_server and to gnutls-serv; see differential-harness.ts. Where an outcome differs, `verdict`
// says who is right by RFC 8446.
import { concat } from '../../src/wire/bytes.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import { ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import type { Extension } from '../../src/wire/types.js';
import { ext, u16 } from '../handshake/abort-harness.js';
import { type DifferentialCase, differential, helloExtensions, type Run } from './differential-harness.js';
import { codePointList, type ScriptedClient } from './scripted-client.js';

const AES_128_GCM = 0x1301;

interface HelloFields {
  legacyVersion?: number;
  /** The byte the random is made of (the same in both ClientHellos unless changed). */
  random?: number;
  sessionId?: number;
  cipherSuites?: number[];
  compression?: number[];
}

/** A ClientHello with these fields as they are (no check: a 33-byte session id, compression 1). */
function rawHello(fields: HelloFields & { extensions: Extension[] }): Uint8Array {
  return encodeHandshake({
    kind: 'client_hello',
    legacyVersion: fields.legacyVersion ?? 0x0303,
    random: new Uint8Array(32).fill(fields.random ?? 0x5a),
    legacySessionId: new Uint8Array(fields.sessionId ?? 0).fill(0x33),
    cipherSuites: fields.cipherSuites ?? [AES_128_GCM],
    legacyCompressionMethods: Uint8Array.from(fields.compression ?? [0]),
    extensions: fields.extensions,
  });
}

/** Sends `edit` of the usual extensions in a ClientHello of the usual other fields. */
const hello = (edit: (extensions: Extension[], client: ScriptedClient) => Extension[] = (e) => e, fields: HelloFields = {}) =>
  (run: Run) => run.step((c) => c.sendHello(rawHello({ ...fields, extensions: edit(helloExtensions(c), c) })));

/** A ClientHello with an empty key_share (a HelloRetryRequest for X25519 follows), then `second` of the client. */
const afterRetry = (second: (client: ScriptedClient) => Uint8Array) => async (run: Run) => {
  await run.step((c) => c.sendHello(rawHello({ extensions: helloExtensions(c, ext(ExtensionType.key_share, [0, 0])) })));
  await run.step((c) => c.sendHello(second(c)));
};

/** Where cipher_suites' 2-byte length starts: after the header 4, legacy_version 2, random 32 and an empty session id 1. */
const CIPHER_SUITES_LENGTH = 4 + 2 + 32 + 1;
/** `bytes` with `value` at `at`. */
const withByte = (bytes: Uint8Array, at: number, value: number) => Uint8Array.from(bytes, (b, i) => (i === at ? value : b));
const replace = (extensions: Extension[], replacement: Extension) => extensions.map((e) => (e.type === replacement.type ? replacement : e));
const without = (extensions: Extension[], type: number) => extensions.filter((e) => e.type !== type);
const versions = (...list: number[]) => ext(ExtensionType.supported_versions, [list.length * 2, ...list.flatMap(u16)]);
/** key_share with its one entry twice, the same key (whichever a server takes, the client can finish). */
const twice = ({ type, data }: Extension): Extension => ({ type, data: Uint8Array.from([...u16((data.length - 2) * 2), ...data.subarray(2), ...data.subarray(2)]) });
const modes = ext(ExtensionType.psk_key_exchange_modes, [1, 1]);

/** pre_shared_key with `identities` unknown identities and `binders` binders of 32 bytes (RFC 8446 §4.2.11). */
function psk(identities: number, binders: number): Extension {
  const identity = [...u16(16), ...new Array<number>(16).fill(0x42), 0, 0, 0, 0];
  const ids = new Array(identities).fill(identity).flat() as number[];
  const bs = new Array(binders).fill([32, ...new Array<number>(32).fill(0x17)]).flat() as number[];
  return ext(ExtensionType.pre_shared_key, [...u16(ids.length), ...ids, ...u16(bs.length), ...bs]);
}

const cases: DifferentialCase[] = [
  {
    name: 'a plain ClientHello and our Finished: the handshake completes',
    script: async (run) => {
      await hello()(run);
      await run.step((c) => c.finish());
    },
    ours: 'finished, open',
  },
  { name: 'legacy_session_id of 0 bytes', script: hello(undefined, { sessionId: 0 }), ours: 'finished, open' },
  { name: 'legacy_session_id of 32 bytes (middlebox compatibility)', script: hello(undefined, { sessionId: 32 }), ours: 'finished, open' },
  { name: 'legacy_session_id of 33 bytes (<0..32>)', script: hello(undefined, { sessionId: 33 }), ours: 'decode_error, closed' },
  { name: 'legacy_version 0x0300 (App. D.5: MUST be protocol_version)', script: hello(undefined, { legacyVersion: 0x0300 }), ours: 'protocol_version, closed', openssl: 'handshake_failure, closed', verdict: 'ours (and GnuTLS): App. D.5, a ClientHello.legacy_version of 0x0300 MUST be protocol_version' },
  { name: 'legacy_version 0x0304 beside supported_versions (§4.2.1: not used for negotiation)', script: hello(undefined, { legacyVersion: 0x0304 }), ours: 'finished, open' },
  { name: 'compression methods [1] (§4.1.2: exactly one byte, 0)', script: hello(undefined, { compression: [1] }), ours: 'illegal_parameter, closed', openssl: 'decode_error, closed', openssl35: 'illegal_parameter, closed', verdict: 'ours (and GnuTLS, and OpenSSL 3.5, which changed to it): §4.1.2 names illegal_parameter for any other value in this field' },
  { name: 'compression methods [0, 1]', script: hello(undefined, { compression: [0, 1] }), ours: 'illegal_parameter, closed', gnutls: 'finished, open', verdict: 'ours: §4.1.2, the vector MUST be exactly one byte, zero, else illegal_parameter; GnuTLS accepts a list holding 0' },
  { name: 'supported_groups twice (§4.2: not more than one of a type)', script: hello((e) => [...e.slice(0, 2), e[1]!, ...e.slice(2)]), ours: 'illegal_parameter, closed', gnutls: 'unsupported_extension, closed', verdict: 'ours (and OpenSSL): §6.2 keeps unsupported_extension for extensions prohibited in the message or not offered; a second one of a type is an illegal field' },
  { name: 'supported_versions listing only TLS 1.2', script: hello((e) => replace(e, versions(0x0303))), ours: 'protocol_version, closed' },
  { name: 'supported_versions listing only unknown versions', script: hello((e) => replace(e, versions(0x0305, 0x7f1c))), ours: 'protocol_version, closed' },
  { name: 'supported_versions with GREASE values around TLS 1.3 (RFC 8701)', script: hello((e) => replace(e, versions(0x0a0a, 0x0304, 0x1a1a))), ours: 'finished, open' },
  { name: 'supported_versions empty (<2..254>)', script: hello((e) => replace(e, ext(ExtensionType.supported_versions, [0]))), ours: 'decode_error, closed', openssl: 'protocol_version, closed', gnutls: 'protocol_version, closed', verdict: 'ours: versions<2..254> with 0 bytes cannot be decoded (§6.2 decode_error); the others treat it as no common version, which the RFC does not name' },
  {
    name: 'a key share for a group not in supported_groups (§4.2.8: servers MAY check)',
    script: hello((e, c) => replace(replace(e, codePointList(ExtensionType.supported_groups, [NamedGroup.secp256r1])), c.keyShare(NamedGroup.x25519))),
    ours: 'illegal_parameter, closed', gnutls: 'hello_retry_request, open', verdict: 'both: §4.2.8 lets a server check (illegal_parameter) or not; GnuTLS ignores the share and asks for P-256',
  },
  {
    name: 'two key shares for one group (§4.2.8: servers MAY check)',
    script: hello((e, c) => replace(e, twice(c.keyShare(NamedGroup.x25519)))),
    ours: 'illegal_parameter, closed', openssl: 'finished, open', gnutls: 'finished, open', verdict: 'both: §4.2.8, clients MUST NOT, servers MAY check; we check',
  },
  {
    name: 'an empty key_share: HelloRetryRequest, then a ClientHello with the share completes',
    script: async (run) => {
      const first = await run.step((c) => c.sendHello(rawHello({ extensions: helloExtensions(c, ext(ExtensionType.key_share, [0, 0])) })));
      if (first.messages.at(-1)?.kind !== 'hello_retry_request') return;
      await run.step((c) => c.sendHello(rawHello({ extensions: helloExtensions(c) })));
    },
    ours: 'finished, open',
  },
  { name: 'pre_shared_key not last (§4.2.11: illegal_parameter)', script: hello((e) => [...e.slice(0, 1), psk(1, 1), modes, ...e.slice(1)]), ours: 'illegal_parameter, closed' },
  { name: 'an unknown PSK identity, well formed: a full handshake', script: hello((e) => [...e, modes, psk(1, 1)]), ours: 'finished, open' },
  { name: 'two identities and one binder (§4.2.11: one binder per identity)', script: hello((e) => [...e, modes, psk(2, 1)]), ours: 'illegal_parameter, closed', openssl: 'finished, open', gnutls: 'finished, open', verdict: 'ours: §4.2.11, one binder for each identity; the others ignore the binders of identities they do not know, and the RFC requires validating only the chosen one, so theirs is lax but not a hole' },
  { name: 'one identity and two binders', script: hello((e) => [...e, modes, psk(1, 2)]), ours: 'illegal_parameter, closed', openssl: 'finished, open', gnutls: 'finished, open', verdict: 'ours, as for two identities and one binder' },
  { name: 'pre_shared_key without psk_key_exchange_modes (§4.2.9: MUST abort)', script: hello((e) => [...e, psk(1, 1)]), ours: 'missing_extension, closed', gnutls: 'unsupported_extension, closed', verdict: 'ours (and OpenSSL): §9.2 names missing_extension' },
  { name: 'signature_algorithms missing (§9.2: missing_extension)', script: hello((e) => without(e, ExtensionType.signature_algorithms)), ours: 'missing_extension, closed', gnutls: 'handshake_failure, closed', verdict: 'ours (and OpenSSL): §9.2 names missing_extension for a certificate-authenticated ClientHello without signature_algorithms' },
  { name: 'signature_algorithms empty (<2..2^16-2>)', script: hello((e) => replace(e, ext(ExtensionType.signature_algorithms, [0, 0]))), ours: 'decode_error, closed' },
  {
    name: 'signature_algorithms with nothing the server can sign with',
    script: hello((e) => replace(e, codePointList(ExtensionType.signature_algorithms, [0x0807]))),
    ours: 'handshake_failure, closed',
  },
  {
    name: 'oid_filters, a CertificateRequest extension, in a ClientHello (§4.2: illegal_parameter)',
    script: hello((e) => [ext(ExtensionType.oid_filters, [0, 0]), ...e]),
    ours: 'illegal_parameter, closed', openssl: 'finished, open', gnutls: 'finished, open', verdict: 'all: §4.2 binds an implementation that recognizes the extension (we implement oid_filters); neither OpenSSL 3.0 nor GnuTLS 3.7 knows it, so they ignore it as unknown',
  },
  { name: 'post_handshake_auth with a body (an empty extension_data)', script: hello((e) => [ext(ExtensionType.post_handshake_auth, [0]), ...e]), ours: 'decode_error, closed', gnutls: 'finished, open', verdict: 'ours (and OpenSSL): §4.2.6, its extension_data is zero length; a byte more is a decode error' },
  { name: 'a cookie the server never sent (§4.2.2)', script: hello((e) => [ext(ExtensionType.cookie, [0, 4, 1, 2, 3, 4]), ...e]), ours: 'finished, open' },
  {
    name: 'an empty key_share, then a second ClientHello with a share for the wrong group (§4.1.4: illegal_parameter)',
    script: afterRetry((c) => rawHello({ extensions: helloExtensions(c, c.keyShare(NamedGroup.secp256r1)) })),
    ours: 'illegal_parameter, closed', gnutls: 'handshake_failure, closed', verdict: 'ours (and OpenSSL): §4.1.2, the second ClientHello carries one share, of the group asked for; the RFC names no alert, illegal_parameter is §6.2\'s for a field inconsistent with others',
  },
  {
    name: 'an empty key_share, then a second ClientHello that is the first again (§4.1.2: the share must be there)',
    script: afterRetry((c) => rawHello({ extensions: helloExtensions(c, ext(ExtensionType.key_share, [0, 0])) })),
    ours: 'illegal_parameter, closed', gnutls: 'handshake_failure, closed', verdict: 'ours (and OpenSSL), as for the wrong group',
  },
  { name: 'cipher_suites of odd length', script: (run) => run.step((c) => c.sendHello(withByte(rawHello({ extensions: helloExtensions(c) }), CIPHER_SUITES_LENGTH + 1, 3))), ours: 'decode_error, closed' },
  { name: 'no TLS 1.3 cipher suite (only TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)', script: hello(undefined, { cipherSuites: [0xc02f] }), ours: 'handshake_failure, closed' },
  { name: 'supported_groups empty (<2..2^16-1>)', script: hello((e) => replace(e, ext(ExtensionType.supported_groups, [0, 0]))), ours: 'decode_error, closed', gnutls: 'handshake_failure, closed', verdict: 'ours (and OpenSSL): a vector below its minimum length is decode_error (§6.2)' },
  { name: 'a key share with an empty key_exchange (<1..2^16-1>)', script: hello((e) => replace(e, ext(ExtensionType.key_share, [0, 4, 0, 0x1d, 0, 0]))), ours: 'illegal_parameter, closed', openssl: 'decode_error, closed', verdict: 'both: OpenSSL reads the empty vector against its bound <1..2^16-1> (§6.2 decode_error); we (and GnuTLS) read it as a share of the wrong length for its group, like the 31-byte X25519 share all four refuse with illegal_parameter (§4.2.8; docs/robustness.md decided it)' },
  { name: 'an X25519 share of 32 zero bytes (§7.4.2: the all-zero secret)', script: hello((e) => replace(e, ext(ExtensionType.key_share, [0, 36, 0, 0x1d, 0, 32, ...new Array<number>(32).fill(0)]))), ours: 'illegal_parameter, closed' },
  { name: 'an X25519 share of 31 bytes', script: hello((e) => replace(e, ext(ExtensionType.key_share, [0, 35, 0, 0x1d, 0, 31, ...new Array<number>(31).fill(9)]))), ours: 'illegal_parameter, closed' },
  { name: 'a compressed P-256 share (§4.2.8.2: uncompressed only)', script: hello((e, c) => { const d = c.keyShare(NamedGroup.secp256r1).data; const x = Array.from(d.subarray(7, 39)); return replace(e, ext(ExtensionType.key_share, [0, 37, 0, 0x17, 0, 33, 2, ...x])); }), ours: 'illegal_parameter, closed', gnutls: 'hello_retry_request, open', verdict: 'ours (and OpenSSL): §4.2.8.2, the share is the uncompressed point and peers MUST validate it; GnuTLS drops the bad share and asks for another, which leaves the client to try again' },
  { name: 'a P-256 share off the curve (§4.2.8.2: peers MUST validate)', script: hello((e) => replace(e, ext(ExtensionType.key_share, [0, 69, 0, 0x17, 0, 65, 4, ...new Array<number>(64).fill(1)]))), ours: 'illegal_parameter, closed', gnutls: 'hello_retry_request, open', verdict: 'ours (and OpenSSL), as for the compressed share' },
  { name: 'ALPN with an empty protocol name (RFC 7301 §3.1)', script: hello((e) => [...e, ext(16, [0, 1, 0])]), ours: 'decode_error, closed' },
  { name: 'max_fragment_length 5 (RFC 6066 §4: illegal_parameter)', script: hello((e) => [...e, ext(ExtensionType.max_fragment_length, [5])]), ours: 'illegal_parameter, closed' },
  { name: 'server_name with two host names (RFC 6066 §3: not two of a type)', script: hello((e) => [ext(ExtensionType.server_name, [0, 16, 0, 0, 5, ...'a.com'.split('').map((x) => x.charCodeAt(0)), 0, 0, 5, ...'b.com'.split('').map((x) => x.charCodeAt(0))]), ...e]), ours: 'illegal_parameter, closed', openssl: 'decode_error, closed', gnutls: 'finished, open', verdict: 'ours or OpenSSL: RFC 6066 §3 forbids two names of one type and names no alert; GnuTLS takes the first' },
  { name: 'early_data without a PSK: ignored, a full handshake', script: hello((e) => [...e, ext(ExtensionType.early_data, [])]), ours: 'finished, open' },
  { name: 'psk_key_exchange_modes empty (<1..255>)', script: hello((e) => [...e, ext(ExtensionType.psk_key_exchange_modes, [0]), psk(1, 1)]), ours: 'decode_error, closed', gnutls: 'finished, open', verdict: 'ours (and OpenSSL): ke_modes<1..255> with none is decode_error' },
  { name: 'psk_ke only, an unknown identity: a full handshake', script: hello((e) => [...e, ext(ExtensionType.psk_key_exchange_modes, [1, 0]), psk(1, 1)]), ours: 'finished, open' },
  { name: 'record_size_limit 63 (RFC 8449 §4: illegal_parameter below 64)', script: hello((e) => [...e, ext(ExtensionType.record_size_limit, [0, 63])]), ours: 'illegal_parameter, closed', openssl: 'finished, open', verdict: 'ours (and GnuTLS): RFC 8449 §4 names illegal_parameter below 64; OpenSSL 3.0 and 3.5 do not implement record_size_limit and ignore it' },
  { name: 'supported_versions of odd length', script: hello((e) => replace(e, ext(ExtensionType.supported_versions, [3, 3, 4, 3]))), ours: 'decode_error, closed', openssl: 'protocol_version, closed', verdict: 'ours (and GnuTLS): a list of 2-byte versions of odd length cannot be decoded' },
  { name: 'a byte after the extensions block', script: (run) => run.step((c) => { const h = rawHello({ extensions: helloExtensions(c) }); return c.sendHello(withByte(concat(h, Uint8Array.of(0)), 3, h[3]! + 1)); }), ours: 'decode_error, closed' },
  { name: 'status_request cut short', script: hello((e) => [...e, ext(ExtensionType.status_request, [1, 0])]), ours: 'decode_error, closed' },
  { name: 'signature_algorithms of odd length', script: hello((e) => replace(e, ext(ExtensionType.signature_algorithms, [0, 3, 4, 3, 8]))), ours: 'decode_error, closed' },
  { name: 'legacy_version 0x0304 and no supported_versions (§4.2.1: a TLS 1.2 client)', script: hello((e) => without(e, ExtensionType.supported_versions), { legacyVersion: 0x0304 }), ours: 'protocol_version, closed', gnutls: 'handshake_failure, closed', verdict: 'ours (and OpenSSL): without supported_versions the client offers TLS 1.2 at most (§4.2.1), a version we do not speak: protocol_version (§6.2)' },
  { name: 'the heartbeat extension (RFC 6520): ignored', script: hello((e) => [...e, ext(15, [1])]), ours: 'finished, open' },
  { name: 'after a HelloRetryRequest, a second ClientHello with other cipher suites (§4.1.2)', script: afterRetry((c) => rawHello({ cipherSuites: [0x1302, 0x1301], extensions: helloExtensions(c) })), ours: 'illegal_parameter, closed', gnutls: 'finished, open', verdict: 'ours (and OpenSSL): §4.1.2, the second ClientHello is the first with listed changes only; GnuTLS does not compare the suites' },
  { name: 'after a HelloRetryRequest, a second ClientHello with a new random (§4.1.2)', script: afterRetry((c) => rawHello({ random: 0x5b, extensions: helloExtensions(c) })), ours: 'illegal_parameter, closed', openssl: 'finished, open', gnutls: 'finished, open', verdict: 'ours: §4.1.2 lets the random change in no way; the others do not compare it (the transcript still binds both hellos, so theirs is lax, not a hole)' },
  { name: 'after a HelloRetryRequest, a second ClientHello without supported_versions', script: afterRetry((c) => rawHello({ extensions: without(helloExtensions(c), ExtensionType.supported_versions) })), ours: 'illegal_parameter, closed', openssl: 'protocol_version, closed', gnutls: 'handshake_failure, closed', verdict: 'all three refuse; the RFC names no alert. We call the second ClientHello inconsistent with the first (§4.1.2: supported_versions may not go), OpenSSL sees a client without TLS 1.3' },
];

differential('the same ClientHello to our server, OpenSSL and GnuTLS', cases);
