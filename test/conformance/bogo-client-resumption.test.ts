// BoGo's TLS 1.3 client tests of addTLS13HandshakeTests (boringssl ssl/test/runner/tls13_tests.go) that
// resume a session, with or without 0-RTT, replayed against our client (docs/bogo.md). BoGo's runner resumes
// a ticket it issued in a first connection; here the ticket is made by hand (its PSK known to the scripted
// server, anvil-server.ts), which accepts it in its ServerHello (RFC 8446 §4.2.11) or answers with a full
// handshake, and reads our 0-RTT data when it accepts it (§2.3).
import { describe, expect } from 'vitest';
import type { SessionTicket } from '../../src/handshake/events.js';
import { TEST_NOW } from '../../src/testing/certs.js';
import { CipherSuite, ExtensionType, NamedGroup, SignatureScheme } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import type { Extension, ServerHello } from '../../src/wire/types.js';
import { alice, ext, pinned, record, server as serverIdentity, serverLeaf } from '../handshake/abort-harness.js';
import { fails, replay, SUCCEEDS } from './bogo-harness.js';
import { ALERT, ScriptedServer, type Edit, type ServerPsk } from './anvil-server.js';

const utf8 = (text: string) => new TextEncoder().encode(text);
const PSK = new Uint8Array(32).fill(0x33);
const EARLY = utf8('0-RTT request');
/** The certificate of a server that does not resume (EarlyData-RejectTicket: the runner's second credential). */
const otherServer = serverLeaf();

/** A ticket the scripted server can resume: its PSK, TLS_AES_128_GCM_SHA256, for example.test, one second old. */
function ticket(extra: Partial<SessionTicket> = {}): SessionTicket {
  return { lifetime: 7200, ageAdd: 0x01020304, nonce: Uint8Array.of(0), ticket: utf8('BoGo ticket'), psk: PSK, cipherSuite: CipherSuite.TLS_AES_128_GCM_SHA256, receivedAt: TEST_NOW - 1000, serverName: 'example.test', ...extra };
}
/** A ticket that allows 0-RTT (max_early_data_size, RFC 8446 §4.6.1). */
const zeroRttTicket = (extra: Partial<SessionTicket> = {}) => ticket({ maxEarlyDataSize: 16384, ...extra });

/** A client resuming `t`, sending EARLY as 0-RTT data when `t` allows it; it trusts both server certificates. */
function resuming(t: SessionTicket, client: Record<string, unknown> = {}, identity = serverIdentity) {
  return new ScriptedServer({ resumption: { ticket: t, earlyData: EARLY }, trust: pinned(serverIdentity, otherServer), ...client }, identity);
}

const earlyDataExtension = ext(ExtensionType.early_data, []);
const alpn = (protocol: string) => ext(ExtensionType.application_layer_protocol_negotiation, X.alpn.encode([protocol]));
const offers = (server: ScriptedServer, hello: number, type: number) => X.findExtension(server.clientHellos[hello]!.extensions, type) !== undefined;

/** The resumed flight (§2.2): ServerHello accepting the PSK as `psk` says, EncryptedExtensions, Finished. */
function resumedFlight(server: ScriptedServer, options: { psk?: Partial<ServerPsk>; ee?: Extension[]; edit?: Edit<ServerHello> } = {}) {
  const hello = server.serverHello({ psk: { key: PSK, ...options.psk }, edit: options.edit });
  return server.deliver(hello, server.protect(server.encryptedExtensions(options.ee), server.finished()));
}
/** The server accepts the PSK and the 0-RTT data. */
const accept0Rtt = (server: ScriptedServer, ee: Extension[] = []) => resumedFlight(server, { psk: { readEarlyData: true }, ee: [earlyDataExtension, ...ee] });
/** A full handshake: the server ignores the PSK, and answers with its certificate. */
function fullHandshake(server: ScriptedServer, options: { ee?: Extension[]; edit?: Edit<ServerHello> } = {}) {
  const hello = server.serverHello({ edit: options.edit });
  return server.deliver(hello, server.protect(server.encryptedExtensions(options.ee), server.certificate(), server.certificateVerify(), server.finished()));
}
/** A HelloRetryRequest with a cookie only (SendHelloRetryRequestCookie), which rejects 0-RTT (§4.2.10). */
const cookieRetry = (server: ScriptedServer) => server.helloRetryRequest(NamedGroup.x25519, (hrr) => ({ ...hrr, extensions: [hrr.extensions[0]!, ext(ExtensionType.cookie, X.cookie.encode(Uint8Array.of(1, 2, 3, 4)))] }));

/** TLS_AES_256_GCM_SHA384, a suite whose hash (SHA-384) our SHA-256 tickets cannot use (RFC 8446 §4.2.11). */
const inSha384: Edit<ServerHello> = (sh) => ({ ...sh, cipherSuite: CipherSuite.TLS_AES_256_GCM_SHA384 });
/** A HelloRetryRequest for secp384r1 in TLS_AES_256_GCM_SHA384, then a full handshake in that suite. */
function retryInSha384(server: ScriptedServer) {
  server.helloRetryRequest(NamedGroup.secp384r1, (hrr) => ({ ...hrr, cipherSuite: CipherSuite.TLS_AES_256_GCM_SHA384 }));
  return fullHandshake(server, { edit: inSha384 });
}

/** Runs `play` on the scripted server `make` builds and checks `after` on it and the victim. */
function scenario(make: () => ScriptedServer, play: (s: ScriptedServer) => ReturnType<ScriptedServer['deliver']>, after?: (s: ScriptedServer) => void) {
  return () => {
    const server = make();
    const result = play(server);
    after?.(server);
    return result;
  };
}

describe('addTLS13HandshakeTests: resumption', () => {
  replay([
    {
      name: 'TLS13SessionID-TLS13 (resumption)',
      expected: SUCCEEDS,
      ours: 'continues',
      run: scenario(() => resuming(ticket()), (s) => resumedFlight(s), (s) => {
        expect(s.clientHello.legacySessionId).toHaveLength(32);
        expect(s.client.info.resumed).toBe(true);
      }),
    },
    // We offer psk_dhe_ke only: a ServerHello with the PSK and no key_share (psk_ke) is missing one (§4.2.9).
    { name: 'NegotiatePSKResumption-TLS13', expected: fails(':MISSING_KEY_SHARE:'), ours: 'missing_extension', run: scenario(() => resuming(ticket()), (s) => resumedFlight(s, { psk: { keyShare: false } })) },
    { name: 'InvalidPSKIdentity-TLS13', expected: fails(':PSK_IDENTITY_NOT_FOUND:'), ours: 'illegal_parameter', run: scenario(() => resuming(ticket()), (s) => resumedFlight(s, { psk: { selected: 1 } })) },
    {
      name: 'HelloRetryRequest-NonResumableCipher-TLS13',
      expected: SUCCEEDS,
      ours: 'continues',
      // The HelloRetryRequest picks TLS_AES_256_GCM_SHA384: our SHA-256 ticket leaves ClientHello2 (ExpectNoTLS13PSKAfterHRR, §4.1.4).
      run: scenario(
        () => resuming(ticket()),
        retryInSha384,
        (s) => expect([offers(s, 0, ExtensionType.pre_shared_key), offers(s, 1, ExtensionType.pre_shared_key)]).toEqual([true, false]),
      ),
    },
    {
      name: 'CertificateInResumption-TLS13',
      expected: fails(':UNEXPECTED_MESSAGE:', 'unexpected_message'),
      ours: 'unexpected_message',
      run: scenario(() => resuming(ticket()), (s) => {
        const hello = s.serverHello({ psk: { key: PSK } });
        return s.deliver(hello, s.protect(s.encryptedExtensions(), s.certificate(), s.certificateVerify(), s.finished()));
      }),
    },
    {
      name: 'CertificateRequestInResumption-TLS13',
      expected: fails(':UNEXPECTED_MESSAGE:', 'unexpected_message'),
      ours: 'unexpected_message',
      run: scenario(() => resuming(ticket(), { certificate: alice }), (s) => {
        const hello = s.serverHello({ psk: { key: PSK } });
        const ee = s.encryptedExtensions();
        const request = s.add({ kind: 'certificate_request', context: new Uint8Array(0), extensions: [ext(ExtensionType.signature_algorithms, X.signatureAlgorithms.encode([SignatureScheme.ed25519]))] });
        return s.deliver(hello, s.protect(ee, request, s.finished()));
      }),
    },
  ]);
});

describe('addTLS13HandshakeTests: 0-RTT', () => {
  replay([
    {
      name: 'EarlyData-Client-TLS13',
      expected: SUCCEEDS,
      ours: 'continues',
      run: scenario(() => resuming(zeroRttTicket()), (s) => accept0Rtt(s), (s) => {
        expect(s.earlyData).toEqual([EARLY]);
        // EndOfEarlyData under the early keys, then Finished under the handshake keys (§4.5).
        expect(s.clientMessages.map((m) => m.kind)).toEqual(['end_of_early_data', 'finished']);
        expect(s.client.info.earlyData).toBe('accepted');
      }),
    },
    {
      name: 'EarlyData-Reject-Client-TLS13',
      expected: SUCCEEDS,
      ours: 'continues',
      run: scenario(() => resuming(zeroRttTicket()), (s) => resumedFlight(s), (s) => {
        expect(s.clientMessages.map((m) => m.kind)).toEqual(['finished']);
        expect(s.client.info.earlyData).toBe('rejected');
      }),
    },
    {
      name: 'EarlyData-RejectTicket-Client-TLS13',
      expected: SUCCEEDS,
      ours: 'continues',
      // A full handshake with another certificate: the connection reports that one (-on-retry-expect-peer-cert-file).
      run: scenario(() => resuming(zeroRttTicket(), {}, otherServer), (s) => fullHandshake(s), (s) => {
        expect(s.client.info.resumed).not.toBe(true);
        expect(s.client.info.peer && 'chain' in s.client.info.peer ? s.client.info.peer.chain?.[0] : undefined).toEqual(otherServer.der);
      }),
    },
    {
      name: 'EarlyData-HRR-Client-TLS13',
      expected: SUCCEEDS,
      ours: 'continues',
      run: scenario(
        () => resuming(zeroRttTicket()),
        (s) => {
          cookieRetry(s);
          return resumedFlight(s);
        },
        (s) => {
          // ClientHello2 offers the ticket again, without early_data (§4.1.2).
          expect([offers(s, 1, ExtensionType.pre_shared_key), offers(s, 0, ExtensionType.early_data), offers(s, 1, ExtensionType.early_data)]).toEqual([true, true, false]);
          expect(s.client.info.resumed).toBe(true);
        },
      ),
    },
    {
      name: 'EarlyData-HRR-RejectTicket-Client-TLS13',
      expected: SUCCEEDS,
      ours: 'continues',
      run: scenario(() => resuming(zeroRttTicket(), {}, otherServer), (s) => {
        cookieRetry(s);
        return fullHandshake(s);
      }),
    },
    { name: 'EarlyDataWithoutResume-Client-TLS13', expected: fails(':UNEXPECTED_EXTENSION:'), ours: 'unsupported_extension', run: scenario(() => resuming(zeroRttTicket()), (s) => fullHandshake(s, { ee: [earlyDataExtension] })) },
    {
      name: 'EarlyDataVersionDowngrade-Client-TLS13',
      expected: fails(':WRONG_VERSION_ON_EARLY_DATA:'),
      ours: 'protocol_version',
      // A TLS 1.2 ServerHello: no supported_versions (RFC 8446 §4.2.1).
      run: scenario(() => resuming(zeroRttTicket()), (s) => s.deliver(s.serverHello({ edit: (sh) => ({ ...sh, extensions: sh.extensions.filter((e) => e.type !== ExtensionType.supported_versions) }) }))),
    },
    {
      name: 'EarlyDataVersionDowngrade-Client-TLS13-WarningAlert',
      expected: fails(':WRONG_VERSION_ON_EARLY_DATA:'),
      ours: 'closed',
      // BoringSSL, which speaks TLS 1.2 too, reads what precedes the ServerHello as TLS 1.2 would and skips the
      // warning. We offer TLS 1.3 only: unrecognized_name is an error alert "regardless of the AlertLevel" (§6),
      // so the connection ends there, without an answer (§6.2), before the ServerHello is read.
      divergence: 'RFC 8446 §6: an alert of §6.2 received at warning level is an error alert; a TLS 1.3-only client ends the connection at it',
      // SendSNIWarningAlert: a plaintext warning unrecognized_name (112) before the TLS 1.2 ServerHello.
      run: scenario(() => resuming(zeroRttTicket()), (s) =>
        s.deliver(record(ALERT, Uint8Array.of(1, 112)), s.serverHello({ edit: (sh) => ({ ...sh, extensions: sh.extensions.filter((e) => e.type !== ExtensionType.supported_versions) }) })),
      ),
    },
    {
      name: 'ServerAcceptsEarlyDataOnHRR-Client-TLS13',
      expected: fails(':UNEXPECTED_EXTENSION:'),
      ours: 'unsupported_extension',
      run: scenario(() => resuming(zeroRttTicket()), (s) => {
        cookieRetry(s);
        return resumedFlight(s, { ee: [earlyDataExtension] });
      }),
    },
    { name: 'EarlyData-Client-BadFinished-TLS13', expected: fails(':DIGEST_CHECK_FAILED:', 'decrypt_error'), ours: 'decrypt_error', run: scenario(() => resuming(zeroRttTicket()), (s) => {
      const hello = s.serverHello({ psk: { key: PSK, readEarlyData: true } });
      return s.deliver(hello, s.protect(s.encryptedExtensions([earlyDataExtension]), s.finished((f) => ({ ...f, verifyData: f.verifyData.map((b, i) => (i === 0 ? b ^ 1 : b)) }))));
    }) },
    {
      name: 'EarlyData-Reject0RTT-DifferentPRF-Client',
      expected: SUCCEEDS,
      ours: 'continues',
      run: scenario(() => resuming(zeroRttTicket()), (s) => fullHandshake(s, { edit: inSha384 }), (s) => expect(s.client.info.cipherSuite).toBe('TLS_AES_256_GCM_SHA384')),
    },
    {
      name: 'EarlyData-Reject0RTT-DifferentPRF-HRR-Client',
      expected: SUCCEEDS,
      ours: 'continues',
      run: scenario(
        () => resuming(zeroRttTicket()),
        retryInSha384,
        (s) => expect(s.client.info.cipherSuite).toBe('TLS_AES_256_GCM_SHA384'),
      ),
    },
    {
      name: 'EarlyData-CipherMismatch-Client-TLS13',
      expected: fails(':CIPHER_MISMATCH_ON_EARLY_DATA:', 'illegal_parameter'),
      ours: 'illegal_parameter',
      // The PSK resumed (SHA-256 both) and 0-RTT accepted, in TLS_CHACHA20_POLY1305_SHA256 instead of the ticket's suite.
      run: scenario(() => resuming(zeroRttTicket()), (s) => resumedFlight(s, { ee: [earlyDataExtension], edit: (sh) => ({ ...sh, cipherSuite: CipherSuite.TLS_CHACHA20_POLY1305_SHA256 }) })),
    },
    {
      name: 'EarlyData-NonZeroRTTSession-Client-TLS13',
      expected: SUCCEEDS,
      ours: 'continues',
      // A ticket without max_early_data_size: no early_data offered (-on-resume-expect-no-offer-early-data).
      run: scenario(() => resuming(ticket()), (s) => resumedFlight(s), (s) => expect(offers(s, 0, ExtensionType.early_data)).toBe(false)),
    },
  ]);
});

describe('addTLS13HandshakeTests: 0-RTT and ALPN', () => {
  const alpnClient = { alpnProtocols: ['foo', 'bar'] };
  replay([
    {
      name: 'EarlyData-ALPNMismatch-Client-TLS13',
      expected: SUCCEEDS,
      ours: 'continues',
      run: scenario(() => resuming(zeroRttTicket({ alpn: 'foo' }), alpnClient), (s) => resumedFlight(s, { ee: [alpn('bar')] }), (s) => expect([s.client.info.earlyData, s.client.info.alpn]).toEqual(['rejected', 'bar'])),
    },
    {
      name: 'EarlyData-ALPNOmitted1-Client-TLS13',
      expected: SUCCEEDS,
      ours: 'continues',
      run: scenario(() => resuming(zeroRttTicket(), alpnClient), (s) => resumedFlight(s, { ee: [alpn('foo')] }), (s) => expect([s.client.info.earlyData, s.client.info.alpn]).toEqual(['rejected', 'foo'])),
    },
    {
      name: 'EarlyData-ALPNOmitted2-Client-TLS13',
      expected: SUCCEEDS,
      ours: 'continues',
      run: scenario(() => resuming(zeroRttTicket({ alpn: 'foo' }), alpnClient), (s) => resumedFlight(s), (s) => expect([s.client.info.earlyData, s.client.info.alpn]).toEqual(['rejected', undefined])),
    },
    {
      name: 'EarlyData-BadALPNMismatch-Client-TLS13',
      expected: fails(':ALPN_MISMATCH_ON_EARLY_DATA:', 'illegal_parameter'),
      ours: 'illegal_parameter',
      run: scenario(() => resuming(zeroRttTicket({ alpn: 'foo' }), alpnClient), (s) => resumedFlight(s, { ee: [earlyDataExtension, alpn('bar')] })),
    },
    {
      name: 'EarlyData-ALPNPreferenceChanged-TLS13',
      expected: SUCCEEDS,
      ours: 'continues',
      // The ticket's protocol is foo; we now offer bar only: no early_data offered (alpn_mismatch), the session resumes.
      run: scenario(() => resuming(zeroRttTicket({ alpn: 'foo' }), { alpnProtocols: ['bar'] }), (s) => resumedFlight(s, { ee: [alpn('bar')] }), (s) => {
        expect(offers(s, 0, ExtensionType.early_data)).toBe(false);
        expect(s.client.info.alpn).toBe('bar');
      }),
    },
  ]);
});
