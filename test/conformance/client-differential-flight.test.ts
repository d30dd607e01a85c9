// Differential conformance of clients, the server's authentication, messages after the handshake and the
// record layer (TLS-Attacker's and tlsfuzzer's client territory): the same flights to our client, to OpenSSL
// 3.0's s_client, to gnutls-cli and to node:tls 26, see client-differential-harness.ts. Where an outcome
// differs, `verdict` says who is right by RFC 8446.
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import { ContentType, ExtensionType, SignatureScheme } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import type { NewSessionTicket } from '../../src/wire/types.js';
import { ext, record } from '../handshake/abort-harness.js';
import type { ScriptedServer } from './anvil-server.js';
import { type ClientCase, clientDifferential, type ClientRun, RSA, SCHEMES } from './client-differential-harness.js';

const { change_cipher_spec: CHANGE_CIPHER_SPEC, alert: ALERT, handshake: HANDSHAKE, application_data: APPLICATION_DATA } = ContentType;

/** The ServerHello, then `records` of the server (its encrypted flight, edited). */
const flight = (records: (s: ScriptedServer) => Uint8Array[]) => (run: ClientRun) => run.step((s) => [s.serverHello(), ...records(s)]);
/** A whole handshake (the client's Finished read), then `records` under the server's application keys. */
const afterHandshake = (records: (s: ScriptedServer) => Uint8Array[]) => async (run: ClientRun) => {
  await run.step((s) => [s.serverHello(), s.protect(...s.authentication())]);
  await run.step((s) => {
    s.application();
    return records(s);
  });
};

const flipped = (bytes: Uint8Array) => Uint8Array.from(bytes, (b, i) => (i === bytes.length - 1 ? b ^ 1 : b));
const ticket = (fields: Partial<NewSessionTicket>) =>
  encodeHandshake({ kind: 'new_session_ticket', lifetime: 3600, ageAdd: 7, nonce: Uint8Array.of(0), ticket: Uint8Array.of(1, 2, 3, 4), extensions: [], ...fields });
const schemes = ext(ExtensionType.signature_algorithms, X.signatureAlgorithms.encode(SCHEMES));
/** A handshake CertificateRequest of `context` after EncryptedExtensions (§4.3.2), then the rest. */
const requested = (context: Uint8Array) => flight((s) => [s.protect(s.encryptedExtensions(), s.add({ kind: 'certificate_request', context, extensions: [schemes] }), s.certificate(), s.certificateVerify(), s.finished())]);
/** The RSA server's flight with its CertificateVerify of `scheme` (signed as edit says). */
const rsaVerify = (edit: Parameters<ScriptedServer['certificateVerify']>[1]) =>
  flight((s) => [s.protect(s.encryptedExtensions(), s.certificate(), s.certificateVerify(SignatureScheme.rsa_pss_rsae_sha256, edit), s.finished())]);

const cases: ClientCase[] = [
  { name: 'Certificate with an empty list (§4.4.2.4: decode_error)', script: flight((s) => [s.protect(s.encryptedExtensions(), s.certificate((m) => ({ ...m, entries: [] })), s.certificateVerify(), s.finished())]), ours: 'decode_error, closed' },
  { name: 'CertificateVerify of a scheme not offered (rsa_pss_rsae_sha384)', identity: RSA, script: rsaVerify((m, sign) => ({ ...m, scheme: SignatureScheme.rsa_pss_rsae_sha384, signature: sign(SignatureScheme.rsa_pss_rsae_sha384) })), ours: 'illegal_parameter, closed', openssl: 'handshake_failure, closed', verdict: 'both: §4.4.3 requires an offered scheme and names no alert; illegal_parameter (ours, GnuTLS, BoGo) or handshake_failure (OpenSSL)' },
  {
    name: 'CertificateVerify with RSASSA-PKCS1-v1_5 (§4.4.3: RSA signatures MUST use RSASSA-PSS)',
    identity: RSA,
    script: (run) =>
      rsaVerify((m) => ({ ...m, scheme: SignatureScheme.rsa_pkcs1_sha256, signature: nobleProvider.sign({ kind: 'rsa-pkcs1', hash: 'sha256' }, RSA.privateKey, run.server.certificateVerifyContent(), seededRandom('pkcs1')) }))(run),
    ours: 'illegal_parameter, closed',
  },
  { name: 'CertificateVerify with a bit flipped (§4.4.3: decrypt_error)', script: flight((s) => [s.protect(s.encryptedExtensions(), s.certificate(), s.certificateVerify(undefined, (m) => ({ ...m, signature: flipped(m.signature) })), s.finished())]), ours: 'decrypt_error, closed' },
  { name: 'no CertificateVerify: Certificate, then Finished', script: flight((s) => [s.protect(s.encryptedExtensions(), s.certificate(), s.finished())]), ours: 'unexpected_message, closed' },
  { name: 'Finished with a bit flipped (§4.4.4: decrypt_error)', script: flight((s) => [s.protect(s.encryptedExtensions(), s.certificate(), s.certificateVerify(), s.finished((m) => ({ ...m, verifyData: flipped(m.verifyData) })))]), ours: 'decrypt_error, closed' },
  { name: 'a CertificateRequest in the handshake: an empty Certificate, completes', script: requested(new Uint8Array(0)), ours: 'finished, open' },
  { name: 'a CertificateRequest in the handshake with a non-empty context (§4.3.2)', script: requested(Uint8Array.of(1)), ours: 'decode_error, closed', openssl: 'finished, open', gnutls: 'illegal_parameter, closed', verdict: 'ours or GnuTLS: §4.3.2 "SHALL be zero length", no alert named (BoGo expects decode_error); OpenSSL echoes the context and completes (lax)' },
  { name: 'a NewSessionTicket of lifetime 0 (§4.6.1: discard it)', script: afterHandshake((s) => [s.seal(HANDSHAKE, ticket({ lifetime: 0 }))]), ours: 'finished, open' },
  { name: 'a NewSessionTicket of lifetime 7 days + 1 s (§4.6.1: servers MUST NOT)', script: afterHandshake((s) => [s.seal(HANDSHAKE, ticket({ lifetime: 604_801 }))]), ours: 'finished, open' },
  { name: 'a NewSessionTicket with an empty ticket (ticket<1..2^16-1>)', script: afterHandshake((s) => [s.seal(HANDSHAKE, ticket({ ticket: new Uint8Array(0) }))]), ours: 'decode_error, closed', gnutls: 'finished, open', verdict: 'ours (and OpenSSL): ticket<1..2^16-1> (§4.6.1), an empty one cannot be decoded; GnuTLS keeps it' },
  { name: 'a NewSessionTicket inside the handshake flight, before the Finished', script: flight((s) => [s.protect(s.encryptedExtensions(), s.certificate(), s.certificateVerify(), ticket({}), s.finished())]), ours: 'unexpected_message, closed' },
  { name: 'a KeyUpdate of value 2 (§4.6.3: illegal_parameter)', script: afterHandshake((s) => [s.seal(HANDSHAKE, Uint8Array.of(24, 0, 0, 1, 2))]), ours: 'illegal_parameter, closed', gnutls: 'finished, closed', verdict: 'ours (and OpenSSL): §4.6.3 names illegal_parameter; gnutls-cli closes without an alert once connected' },
  { name: 'a KeyUpdate, not requesting one: accepted', script: afterHandshake((s) => [s.seal(HANDSHAKE, Uint8Array.of(24, 0, 0, 1, 0))]), ours: 'finished, open' },
  { name: 'a KeyUpdate requesting one: the client answers with its own (§4.6.3)', script: afterHandshake((s) => [s.seal(HANDSHAKE, Uint8Array.of(24, 0, 0, 1, 1))]), ours: 'key_update, open', openssl: 'finished, open', gnutls: 'finished, open', verdict: 'both: §4.6.3 asks for the answer "prior to sending its next Application Data record"; we send it at once, the others with their next write (none comes here)' },
  { name: 'a post-handshake CertificateRequest without post_handshake_auth (§4.6.2: unexpected_message)', script: afterHandshake((s) => [s.seal(HANDSHAKE, encodeHandshake({ kind: 'certificate_request', context: Uint8Array.of(1), extensions: [schemes] }))]), ours: 'unexpected_message, closed', gnutls: 'finished, closed', verdict: 'ours (and OpenSSL): §4.6.2 names unexpected_message; gnutls-cli closes without an alert once connected' },
  { name: 'a CCS between the ServerHello and the encrypted flight: dropped (§5)', script: flight((s) => [record(CHANGE_CIPHER_SPEC, Uint8Array.of(1)), s.protect(...s.authentication())]), ours: 'finished, open' },
  { name: "a CCS after the server's Finished (§5: only before it)", script: flight((s) => [s.protect(...s.authentication()), record(CHANGE_CIPHER_SPEC, Uint8Array.of(1))]), ours: 'unexpected_message, closed', gnutls: 'finished, closed', openssl35: 'finished, open', verdict: "ours (and OpenSSL 3.0): §5 drops a CCS only before the peer's Finished, any other is an unexpected record; gnutls-cli closes without an alert once connected; OpenSSL 3.5 drops it" },
  { name: 'a CCS after the handshake', script: afterHandshake(() => [record(CHANGE_CIPHER_SPEC, Uint8Array.of(1))]), ours: 'unexpected_message, closed', gnutls: 'finished, closed', openssl35: 'finished, open', verdict: "ours, as for a CCS after the server's Finished" },
  { name: 'a zero-length application data record after the handshake (§5.4: MAY be sent)', script: afterHandshake((s) => [s.seal(APPLICATION_DATA, new Uint8Array(0))]), ours: 'finished, open' },
  { name: 'application data of 2^14 + 1 bytes (§5.4: record_overflow)', script: afterHandshake((s) => [s.seal(APPLICATION_DATA, new Uint8Array(2 ** 14 + 1))]), ours: 'record_overflow, closed', gnutls: 'finished, closed', verdict: 'ours (and OpenSSL): §5.4 names record_overflow; gnutls-cli closes without an alert once connected' },
  { name: 'application data before the server Finished', script: flight((s) => [s.protect(s.encryptedExtensions(), s.certificate(), s.certificateVerify()), s.seal(APPLICATION_DATA, Uint8Array.of(1, 2, 3)), s.protect(s.finished())]), ours: 'unexpected_message, closed' },
  {
    name: 'a warning alert between two halves of EncryptedExtensions (§5.1: not interleaved)',
    script: flight((s) => {
      const encrypted = s.encryptedExtensions();
      return [s.protect(encrypted.subarray(0, 2)), s.seal(ALERT, Uint8Array.of(1, 90)), s.protect(encrypted.subarray(2), s.certificate(), s.certificateVerify(), s.finished())];
    }),
    ours: 'unexpected_message, closed', openssl: 'finished, open', gnutls: 'silent, closed', verdict: 'ours: §5.1, handshake messages MUST NOT be interleaved with other record types; OpenSSL 3.0 and 3.5 take the warning and complete; GnuTLS closes without an alert (§6: an error SHOULD be sent)',
  },
  { name: 'an alert in a protected handshake record, then the flight', script: flight((s) => [s.seal(HANDSHAKE, Uint8Array.of(2, 40)), s.protect(...s.authentication())]), ours: 'unexpected_message, closed', gnutls: 'silent, open', verdict: 'both: the two alert bytes and the flight read as one handshake message of type 2 (server_hello) and 2.6 MB; we and OpenSSL refuse its type at once, GnuTLS waits for its body (bounded by its own limit)' },
  { name: 'EncryptedExtensions in a plaintext record (§5: protected once keys are in use)', script: flight((s) => [record(HANDSHAKE, s.encryptedExtensions()), s.protect(s.certificate(), s.certificateVerify(), s.finished())]), ours: 'unexpected_message, closed', gnutls: 'bad_record_mac, closed', verdict: 'ours (and OpenSSL): a plaintext handshake record once keys are in use is an unexpected record (§5), not a failed decryption' },
  { name: 'a protected handshake record of no bytes before the flight (§5.1)', script: flight((s) => [s.seal(HANDSHAKE, new Uint8Array(0)), s.protect(...s.authentication())]), ours: 'unexpected_message, closed' },
  { name: 'a protected record of padding only before the Finished (§5.4: unexpected_message)', script: flight((s) => [s.protect(s.encryptedExtensions(), s.certificate(), s.certificateVerify()), s.sealInner(new Uint8Array(8)), s.protect(s.finished())]), ours: 'unexpected_message, closed', gnutls: 'bad_record_mac, closed', verdict: 'ours (and OpenSSL): §5.4, no non-zero octet MUST be unexpected_message' },
];

clientDifferential('the same server flights to our client, OpenSSL, GnuTLS and node:tls 26', cases);
