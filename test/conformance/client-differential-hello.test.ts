// Differential conformance of clients, the server's hellos (TLS-Attacker's and tlsfuzzer's client territory):
// ServerHello fields and extensions, HelloRetryRequest, EncryptedExtensions; the same flights to our client,
// to OpenSSL 3.0's s_client, to gnutls-cli and to node:tls 26, see client-differential-harness.ts. Where an
// outcome differs, `verdict` says who is right by RFC 8446.
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import { SUITES } from '../../src/handshake/suites.js';
import { ExtensionType, NamedGroup, namedGroupName } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import type { Extension, HelloRetryRequest, ServerHello } from '../../src/wire/types.js';
import { ext } from '../handshake/abort-harness.js';
import type { Edit, ScriptedServer } from './anvil-server.js';
import { type ClientCase, clientDifferential, type ClientRun } from './client-differential-harness.js';

/** The whole server flight, its ServerHello edited. */
const flight = (edit?: Edit<ServerHello>) => (run: ClientRun) => run.step((s) => [s.serverHello({ edit }), s.protect(...s.authentication())]);
/** The whole flight, its EncryptedExtensions holding `extensions`. */
const withEncryptedExtensions = (extensions: Extension[]) => (run: ClientRun) =>
  run.step((s) => [s.serverHello(), s.protect(s.encryptedExtensions(extensions), s.certificate(), s.certificateVerify(), s.finished())]);

const versions = (version: number) => ext(ExtensionType.supported_versions, X.supportedVersionsServerHello.encode(version));
const replaced = <M extends ServerHello | HelloRetryRequest>(m: M, replacement: Extension): M => ({ ...m, extensions: m.extensions.map((e) => (e.type === replacement.type ? replacement : e)) });
const added = <M extends ServerHello | HelloRetryRequest>(...extra: Extension[]) => (m: M): M => ({ ...m, extensions: [...m.extensions, ...extra] });

/** The groups of the client's last ClientHello: those it offered, those it sent a key share for. */
function groupsOf(s: ScriptedServer) {
  const offered = X.bodyOf(X.supportedGroups, X.findExtension(s.clientHello.extensions, ExtensionType.supported_groups)!);
  const shared = X.bodyOf(X.keyShareClientHello, X.findExtension(s.clientHello.extensions, ExtensionType.key_share)!).map((e) => e.group);
  return { offered, shared, retry: offered.find((g) => !shared.includes(g))! };
}
/** A TLS 1.3 suite this client did not offer. */
const unofferedSuite = (s: ScriptedServer) => [...SUITES.keys()].find((suite) => !s.clientHello.cipherSuites.includes(suite))!;
/** A key share of `group`, valid, that answers no share of the client. */
const strangerShare = (group: number) =>
  ext(ExtensionType.key_share, X.keyShareServerHello.encode({ group, keyExchange: nobleProvider.keyExchange(namedGroupName(group) as never).generate(seededRandom(`stranger ${group}`)).share }));

/**
 * A HelloRetryRequest for `group` (default: one the client offered without a share), edited, then `then` with
 * that group (default: the whole flight).
 */
const retry = (edit?: Edit<HelloRetryRequest>, then: (run: ClientRun, group: number) => Promise<unknown> = flight(), group = (s: ScriptedServer) => groupsOf(s).retry) => async (run: ClientRun) => {
  const selected = group(run.server);
  await run.step((s) => void s.helloRetryRequest(selected, edit));
  await then(run, selected);
};

/** supported_groups as a server may send it in EncryptedExtensions (§4.2.7). */
const serverGroups = ext(ExtensionType.supported_groups, X.supportedGroups.encode([NamedGroup.x25519]));

/** The DOWNGRD sentinel of a TLS 1.2 server (RFC 8446 §4.1.3) at the end of a random. */
const downgradeRandom = () => Uint8Array.from([...new Uint8Array(24).fill(0x42), 0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01]);
const tls12 = (random?: Uint8Array): Edit<ServerHello> => (sh) => ({ ...sh, ...(random ? { random } : {}), extensions: sh.extensions.filter((e) => e.type !== ExtensionType.supported_versions) });

const cases: ClientCase[] = [
  { name: 'an honest flight: the handshake completes', script: flight(), ours: 'finished, open' },
  { name: 'ServerHello.legacy_version 0x0302 (§4.1.3: 0x0303)', script: flight((sh) => ({ ...sh, legacyVersion: 0x0302 })), ours: 'illegal_parameter, closed', openssl: 'finished, open', gnutls: 'protocol_version, closed', verdict: 'ours: RFC 8446bis §4.1.3 (tlswg/tls13-spec#1412) aborts with illegal_parameter, as docs/tls-anvil.md decided; OpenSSL follows RFC 8446 §4.2.1 ("clients MUST ignore the ServerHello.legacy_version value"); GnuTLS reads a version from it' },
  { name: 'ServerHello.legacy_version 0x0304', script: flight((sh) => ({ ...sh, legacyVersion: 0x0304 })), ours: 'illegal_parameter, closed', openssl: 'finished, open', gnutls: 'protocol_version, closed', verdict: 'ours, as for 0x0302' },
  { name: 'supported_versions selects TLS 1.2 (§4.2.1: illegal_parameter)', script: flight((sh) => replaced(sh, versions(0x0303))), ours: 'illegal_parameter, closed' },
  { name: 'supported_versions selects a version not offered (0x0305)', script: flight((sh) => replaced(sh, versions(0x0305))), ours: 'illegal_parameter, closed', gnutls: 'protocol_version, closed', verdict: 'ours (and OpenSSL): §4.2.1 names illegal_parameter for a version not offered' },
  { name: 'a TLS 1.2 ServerHello with the downgrade sentinel in its random', script: flight(tls12(downgradeRandom())), ours: 'illegal_parameter, closed', openssl: 'protocol_version, closed', gnutls: 'protocol_version, closed', verdict: 'both: all refuse. §4.1.3 tells TLS 1.3 clients to check the sentinel in any TLS 1.2 ServerHello and answer illegal_parameter, which we do first; the others, told to speak TLS 1.3 only, refuse the version first (protocol_version)' },
  { name: 'a TLS 1.2 ServerHello without the sentinel', script: flight(tls12()), ours: 'protocol_version, closed' },
  { name: 'a TLS 1.3 cipher suite not offered (§4.1.3)', script: (run) => flight((sh) => ({ ...sh, cipherSuite: unofferedSuite(run.server) }))(run), ours: 'illegal_parameter, closed', gnutls: 'handshake_failure, closed', verdict: 'ours (and OpenSSL): §4.1.3 names illegal_parameter' },
  { name: 'a TLS 1.2 cipher suite', script: flight((sh) => ({ ...sh, cipherSuite: 0xc02b })), ours: 'illegal_parameter, closed', gnutls: 'handshake_failure, closed', verdict: 'ours (and OpenSSL): a suite not offered, §4.1.3 illegal_parameter' },
  { name: 'a key share of a group not offered (x448)', script: flight((sh) => replaced(sh, strangerShare(NamedGroup.x448))), ours: 'illegal_parameter, closed', gnutls: 'handshake_failure, closed', verdict: 'ours (and OpenSSL): §4.2.8, a share of a group not offered is illegal_parameter' },
  { name: 'a key share of an offered group the client sent no share for (P-384)', script: flight((sh) => replaced(sh, strangerShare(NamedGroup.secp384r1))), ours: 'illegal_parameter, closed' },
  { name: 'no key_share (no PSK offered)', script: flight((sh) => ({ ...sh, extensions: sh.extensions.filter((e) => e.type !== ExtensionType.key_share) })), ours: 'missing_extension, closed', gnutls: 'illegal_parameter, closed', openssl35: 'illegal_parameter, closed', verdict: 'both: no alert named; §6.2 missing_extension ("not containing an extension that is mandatory ... for the negotiated parameters") fits, as OpenSSL 3.0 says; GnuTLS and OpenSSL 3.5 call the ServerHello ill-formed' },
  { name: 'legacy_compression_method 1', script: flight((sh) => ({ ...sh, legacyCompressionMethod: 1 })), ours: 'illegal_parameter, closed' },
  { name: 'legacy_session_id_echo not the one sent (§4.1.3: illegal_parameter)', script: flight((sh) => ({ ...sh, legacySessionIdEcho: Uint8Array.of(1, 2, 3, 4) })), ours: 'illegal_parameter, closed', gnutls: 'finished, open', verdict: 'ours (and OpenSSL): §4.1.3, a client MUST abort with illegal_parameter; GnuTLS does not compare the echo (lax: the transcript binds it, not a hole)' },
  { name: 'ALPN in the ServerHello, not asked for', script: flight(added(ext(ExtensionType.application_layer_protocol_negotiation, [0, 3, 2, 0x68, 0x32]))), ours: 'illegal_parameter, closed', openssl: 'unsupported_extension, closed', gnutls: 'unsupported_extension, closed', verdict: 'both: §4.2 (a recognized extension not specified for the message: illegal_parameter) and §6.2 (an extension prohibited in the message, or not offered: unsupported_extension) both apply; we check the message first, OpenSSL itself does so for cookie and server_name' },
  { name: 'server_name (empty) in the ServerHello', script: flight(added(ext(ExtensionType.server_name, []))), ours: 'illegal_parameter, closed', gnutls: 'unsupported_extension, closed', verdict: 'both: GnuTLS sent no server_name (it connects to an address), so for it the extension is also unsolicited; §4.2 (a recognized extension not specified for the message: illegal_parameter) and §6.2 (an extension prohibited in the message, or not offered: unsupported_extension) both apply' },
  { name: 'cookie in the ServerHello (§4.2: HelloRetryRequest only)', script: flight(added(ext(ExtensionType.cookie, X.cookie.encode(Uint8Array.of(1, 2, 3))))), ours: 'illegal_parameter, closed', gnutls: 'unsupported_extension, closed', verdict: 'both: §4.2 (a recognized extension not specified for the message: illegal_parameter) and §6.2 (an extension prohibited in the message, or not offered: unsupported_extension) both apply' },
  { name: 'supported_versions twice in the ServerHello (§4.2)', script: flight(added(versions(0x0304))), ours: 'illegal_parameter, closed', gnutls: 'finished, open', verdict: 'ours (and OpenSSL): §4.2, no two extensions of a type in a block; GnuTLS takes one' },
  { name: 'an unknown extension in the ServerHello (§4.2: unsupported_extension)', script: flight(added(ext(0x1234, []))), ours: 'unsupported_extension, closed', openssl: 'finished, open', gnutls: 'finished, open', verdict: 'ours: §4.2, an extension response the client did not request MUST be unsupported_extension; the others ignore an extension they do not know' },
  { name: 'a HelloRetryRequest, then the flight: completes', script: retry(), ours: 'finished, open' },
  { name: 'a HelloRetryRequest with a cookie: echoed, completes', script: retry(added(ext(ExtensionType.cookie, X.cookie.encode(Uint8Array.of(7, 7, 7))))), ours: 'finished, open' },
  { name: 'two HelloRetryRequests (§4.1.4: unexpected_message)', script: retry(undefined, retry()), ours: 'unexpected_message, closed' },
  { name: 'a HelloRetryRequest that changes nothing (§4.1.4: illegal_parameter)', script: retry((hrr) => ({ ...hrr, extensions: hrr.extensions.filter((e) => e.type !== ExtensionType.key_share) })), ours: 'illegal_parameter, closed' },
  {
    name: 'a HelloRetryRequest for a group the client sent a share for (§4.2.8)',
    script: retry(undefined, flight(), (s) => groupsOf(s).shared[0]!),
    ours: 'illegal_parameter, closed', gnutls: 'finished, open', verdict: 'ours (and OpenSSL): §4.2.8, the selected group MUST NOT be one with a share in ClientHello1 (illegal_parameter); GnuTLS sends a new share and completes (lax: the transcript binds both hellos)',
  },
  { name: 'a HelloRetryRequest for a group not offered (x448)', script: retry(undefined, flight(), () => NamedGroup.x448), ours: 'illegal_parameter, closed', gnutls: 'handshake_failure, closed', verdict: 'ours (and OpenSSL): §4.2.8 names illegal_parameter' },
  { name: 'a HelloRetryRequest with a suite not offered', script: (run) => retry((hrr) => ({ ...hrr, cipherSuite: unofferedSuite(run.server) }))(run), ours: 'illegal_parameter, closed' },
  {
    name: 'after a HelloRetryRequest, a ServerHello of another suite (§4.1.4)',
    script: retry(undefined, (run) => flight((sh) => ({ ...sh, cipherSuite: run.server.clientHello.cipherSuites.filter((s) => SUITES.has(s))[1]! }))(run)),
    ours: 'illegal_parameter, closed',
  },
  {
    name: 'after a HelloRetryRequest, a ServerHello key share of another group (§4.2.8)',
    script: retry(undefined, (run, group) => flight((sh) => replaced(sh, strangerShare(group === NamedGroup.x25519 ? NamedGroup.secp256r1 : NamedGroup.x25519)))(run)),
    ours: 'illegal_parameter, closed', gnutls: 'other keys, closed', verdict: 'ours (and OpenSSL): §4.2.8, the ServerHello group MUST be the HelloRetryRequest one (illegal_parameter); GnuTLS takes the share with the key of its first ClientHello and goes on under keys of that exchange',
  },
  { name: 'key_share in EncryptedExtensions (§4.2: illegal_parameter)', script: withEncryptedExtensions([strangerShare(NamedGroup.secp384r1)]), ours: 'illegal_parameter, closed', gnutls: 'unsupported_extension, closed', verdict: 'both: the client offered it, so only the "not for this message" rule applies: §4.2 says illegal_parameter, §6.2 unsupported_extension ("known to be prohibited for inclusion in the given handshake message")' },
  { name: 'supported_versions in EncryptedExtensions', script: withEncryptedExtensions([versions(0x0304)]), ours: 'illegal_parameter, closed', gnutls: 'unsupported_extension, closed', verdict: 'both, as for key_share' },
  { name: 'signature_algorithms in EncryptedExtensions', script: withEncryptedExtensions([ext(ExtensionType.signature_algorithms, X.signatureAlgorithms.encode([0x0807]))]), ours: 'illegal_parameter, closed', gnutls: 'unsupported_extension, closed', verdict: 'both, as for key_share' },
  { name: 'an unknown extension in EncryptedExtensions', script: withEncryptedExtensions([ext(0x1234, [])]), ours: 'unsupported_extension, closed', openssl: 'finished, open', gnutls: 'finished, open', verdict: 'ours: §4.2, unsupported_extension for a response not requested; the others ignore it' },
  { name: 'ALPN in EncryptedExtensions, not asked for', script: withEncryptedExtensions([ext(ExtensionType.application_layer_protocol_negotiation, [0, 3, 2, 0x68, 0x32])]), ours: 'unsupported_extension, closed' },
  { name: 'supported_groups twice in EncryptedExtensions (§4.2)', script: withEncryptedExtensions([serverGroups, serverGroups]), ours: 'illegal_parameter, closed', gnutls: 'finished, open', verdict: 'ours (and OpenSSL): §4.2, no two of a type' },
];

clientDifferential('the same server hellos to our client, OpenSSL, GnuTLS and node:tls 26', cases);
