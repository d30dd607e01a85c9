// Go's server refusing or falling back (Go's crypto/tls test data, vectors/published-traces/go-crypto-tls/), and
// our server given the same ClientHello and the equivalent configuration: the same decision, or a difference
// the RFC backs.
import { describe, expect, it } from 'vitest';
import { Connection } from '../../src/handshake/connection.js';
import { chooseScheme } from '../../src/handshake/signatures.js';
import { rsaTestKey } from '../../src/testing/rsa-keys.js';
import { hex } from '../../src/wire/bytes.js';
import { decodeHandshake } from '../../src/wire/messages.js';
import { serverConfig, serverLeaf } from '../handshake/abort-harness.js';
import { loadGoRecording } from './go-testdata.js';
import { splitRecords } from './rfc8448-replay.js';

const SIGNATURE_ALGORITHMS = 13;
const ALPN = 16;
const PRE_SHARED_KEY = 41;
const RSA_PSS_RSAE_SHA256 = 0x0804;
const RSA_PSS_RSAE_SHA512 = 0x0806;

/** Go's test certificate is RSA 1024 (testRSACertificate in src/crypto/tls/handshake_test.go). */
const rsa1024 = rsaTestKey(1024);
const zeros = (length: number) => new Uint8Array(length);

describe("Go crypto/tls testdata, Server-TLSv13-RSA-RSAPSS-TooSmall: a 1024-bit RSA key cannot sign rsa_pss_rsae_sha512", () => {
  const [clientFlow, serverFlow] = loadGoRecording('Server-TLSv13-RSA-RSAPSS-TooSmall');
  const clientHello = decodeHandshake(clientFlow!.records[0]!.subarray(5));

  it('OpenSSL offers rsa_pss_rsae_sha512 alone; Go answers a fatal handshake_failure alert in the clear', () => {
    if (clientHello.kind !== 'client_hello') throw new Error('flow 1 is not a ClientHello');
    expect(hex(clientHello.extensions.find((e) => e.type === SIGNATURE_ALGORITHMS)!.data)).toBe('00020806');
    expect(hex(serverFlow!.records[0]!)).toBe('15030300020228');
  });

  it("our server with a 1024-bit RSA key writes Go's alert byte for byte (RFC 8017 §9.1.1: emLen < hLen + sLen + 2 is an encoding error, so no scheme fits)", () => {
    const server = Connection.server(serverConfig({ certificate: serverLeaf({ privateKey: rsa1024 }), random: zeros }));
    server.receive(clientFlow!.records[0]!);
    expect(hex(server.takeOutput())).toBe(hex(serverFlow!.records[0]!));
    expect(server.state).toBe('CLOSED');
  });

  it('the same key still fits rsa_pss_rsae_sha256 (32 + 32 + 2 bytes fit in 128), and a 2048-bit key fits sha512', () => {
    const publicOf = (key: typeof rsa1024) => ({ kind: 'rsa' as const, n: key.n, e: key.e });
    const both = [RSA_PSS_RSAE_SHA512, RSA_PSS_RSAE_SHA256];
    expect(chooseScheme(both, both, publicOf(rsa1024))).toBe(RSA_PSS_RSAE_SHA256);
    expect(chooseScheme(both, [RSA_PSS_RSAE_SHA512], publicOf(rsa1024))).toBeUndefined();
    expect(chooseScheme(both, [RSA_PSS_RSAE_SHA512], publicOf(rsaTestKey(2048)))).toBe(RSA_PSS_RSAE_SHA512);
  });
});

describe('Go crypto/tls testdata, Server-TLSv13-ALPN-Fallback: no common protocol, and the client offers http/1.1 to an h2 server', () => {
  const [clientFlow, serverFlow] = loadGoRecording('Server-TLSv13-ALPN-Fallback');

  it('OpenSSL offers proto3, http/1.1, proto4; Go (proto1, h2, proto2) goes on without ALPN: a ServerHello, not an alert', () => {
    const hello = decodeHandshake(clientFlow!.records[0]!.subarray(5));
    if (hello.kind !== 'client_hello') throw new Error('flow 1 is not a ClientHello');
    const alpn = hello.extensions.find((e) => e.type === ALPN)!.data;
    expect(new TextDecoder().decode(alpn.subarray(2))).toBe('\x06proto3\x08http/1.1\x06proto4');
    expect(decodeHandshake(serverFlow!.records[0]!.subarray(5)).kind).toBe('server_hello');
  });

  it('our server with the same protocols answers no_application_protocol instead: RFC 7301 §3.2 "SHALL respond with a fatal no_application_protocol alert" (Go\'s fallback is its own, golang/go#46310)', () => {
    const server = Connection.server(serverConfig({ alpnProtocols: ['proto1', 'h2', 'proto2'], random: zeros }));
    server.receive(clientFlow!.records[0]!);
    expect(hex(server.takeOutput())).toBe('15030300020278'); // fatal no_application_protocol (120), in the clear
    expect(server.state).toBe('CLOSED');
  });
});

describe("Go crypto/tls testdata, Server-TLSv13-ResumeDisabled: a ticket offered to a server with tickets disabled", () => {
  // Go's randomness in this recording (commit 499c189) is not zeros: its flight is not opened, only its shape read.
  const [clientFlow, serverFlow] = loadGoRecording('Server-TLSv13-ResumeDisabled');
  const offer = clientFlow!.records[0]!;

  it('OpenSSL offers a pre_shared_key (last, RFC 8446 §4.2.11) with psk_dhe_ke; Go answers a full handshake: no pre_shared_key, four protected records', () => {
    const hello = decodeHandshake(offer.subarray(5));
    if (hello.kind !== 'client_hello') throw new Error('flow 1 is not a ClientHello');
    expect(hello.extensions.at(-1)!.type).toBe(PRE_SHARED_KEY);
    const [goHello, ccs, ...sealed] = serverFlow!.records;
    const decoded = decodeHandshake(goHello!.subarray(5));
    if (decoded.kind !== 'server_hello') throw new Error('flow 2 does not start with a ServerHello');
    expect(decoded.extensions.map((e) => e.type)).toEqual([43, 51]);
    expect(ccs![0]).toBe(20);
    expect(sealed.map((r) => r[0])).toEqual([23, 23, 23, 23]); // EncryptedExtensions, Certificate, CertificateVerify, Finished
  });

  it('our server with tickets disabled (none issued, none resumes) makes the same decision: a full handshake with a Certificate, no pre_shared_key', () => {
    const server = Connection.server(serverConfig({ random: zeros, tickets: { count: 0, lifetime: 0 }, serverFlight: { handshakeRecords: 'one-per-record' } }));
    server.receive(offer);
    const [ourHello, ccs, ...sealed] = splitRecords(server.takeOutput());
    const decoded = decodeHandshake(ourHello!.subarray(5));
    if (decoded.kind !== 'server_hello') throw new Error('our first record is not a ServerHello');
    expect(decoded.extensions.map((e) => e.type).sort()).toEqual([43, 51]);
    expect(ccs![0]).toBe(20);
    expect(sealed.map((r) => r[0])).toEqual([23, 23, 23, 23]);
    expect(server.state).toBe('WAIT_FINISHED');
  });
});
