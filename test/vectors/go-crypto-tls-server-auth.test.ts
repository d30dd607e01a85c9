// Real client authentication to a server (OpenSSL's s_client to Go's server; go-crypto-tls-server-auth-traces.ts)
// read with our code: our X25519 key exchange, run as a server with Go's randomness (zeros), makes Go's share
// and the shared secret from OpenSSL's share; our key schedule opens every protected record of both sides; each
// message re-encodes byte for byte; Go's CertificateVerify verifies in the server's context and OpenSSL's in the
// client's (RFC 8446 §4.4.3); both Finished messages are the ones we compute; the records after the handshake
// open under our application traffic secrets.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { finishedVerifyData, KeySchedule } from '../../src/handshake/keyschedule.js';
import { SUITES } from '../../src/handshake/suites.js';
import { splitHandshakeMessages } from '../../src/testing/tamper.js';
import { concat, fromHex, hex } from '../../src/wire/bytes.js';
import { decodeHandshake, encodeHandshake } from '../../src/wire/messages.js';
import type { ServerHello } from '../../src/wire/types.js';
import { PeerReader } from '../conformance/harness.js';
import { GO_SERVER_AUTH_TRACES, type GoServerAuthTrace } from './go-crypto-tls-server-auth-traces.js';
import { expectCertificateVerify, verifyDataOf } from './go-replay-checks.js';
import { loadGoRecording } from './go-testdata.js';
import { splitRecords } from './rfc8448-replay.js';

const CHANGE_CIPHER_SPEC = 20;
const ALERT = 21;
const HANDSHAKE = 22;
const APPLICATION_DATA = 23;
const KEY_SHARE = 51;
const SIGNATURE_ALGORITHMS = 13;

function keyShareOf(message: { extensions: { type: number; data: Uint8Array }[] }, skip: number): Uint8Array {
  return message.extensions.find((e) => e.type === KEY_SHARE)!.data.subarray(skip);
}

function read(trace: GoServerAuthTrace) {
  const clientHello = fromHex(trace.clientHello).subarray(5);
  const [serverHelloRecord, ccs, ...protectedRecords] = splitRecords(fromHex(trace.serverFlight));
  const serverHello = serverHelloRecord!.subarray(5);
  const hello = decodeHandshake(serverHello) as ServerHello;
  const offer = decodeHandshake(clientHello);
  if (hello.kind !== 'server_hello' || offer.kind !== 'client_hello') throw new Error('flows 1 and 2 do not start with the hellos');
  const suite = SUITES.get(hello.cipherSuite)!;
  // The server's side of the exchange, with Go's randomness: OpenSSL offers one X25519 share (its 2-byte list
  // length, group and length first).
  const exchange = nobleProvider.keyExchange('x25519').encapsulate(keyShareOf(offer, 6), (length) => new Uint8Array(length))!;

  const schedule = new KeySchedule(nobleProvider, suite);
  schedule.enterHandshake(exchange.sharedSecret);
  const hashOf = (...messages: Uint8Array[]) => nobleProvider.hash(suite.hash, concat(clientHello, serverHello, ...messages));
  const secrets = schedule.handshakeTrafficSecrets(hashOf());
  const serverReader = new PeerReader(suite, secrets.server);
  const goOpened = protectedRecords.map((record) => serverReader.open(record.subarray(5)));
  const goMessages = goOpened.flatMap((record) => splitHandshakeMessages(record.content));

  const [clientCcs, ...clientRecords] = splitRecords(fromHex(trace.clientFlight));
  const clientReader = new PeerReader(suite, secrets.client);
  const certificate = clientReader.open(clientRecords[0]!.subarray(5)).content;
  const certificateEntries = (decodeHandshake(certificate) as { entries?: unknown[] }).entries ?? [];
  // An empty Certificate is followed directly by the Finished (RFC 8446 §4.4.2.4, §4.4.3).
  const handshakeRecords = certificateEntries.length > 0 ? 3 : 2;
  const clientMessages = [certificate, ...clientRecords.slice(1, handshakeRecords).map((record) => clientReader.open(record.subarray(5)).content)];
  const clientAfter = clientRecords.slice(handshakeRecords);
  return { clientHello, serverHello, hello, ccs: ccs!, clientCcs: clientCcs!, suite, exchange, schedule, hashOf, secrets, goOpened, goMessages, clientMessages, clientAfter };
}

/** A recording kept as a data file (go-testdata.ts), in the shape of the traces above. */
function fromDataFile(file: string, commit: string, negotiated: string): GoServerAuthTrace {
  const [clientHello, serverFlight, clientFlight, serverAfter] = loadGoRecording(file).map((flow) => hex(concat(...flow.records)));
  return { file, commit, negotiated, clientHello: clientHello!, serverFlight: serverFlight!, clientFlight: clientFlight!, serverAfter: serverAfter! };
}

// Go with RSA-PSS disabled for TLS 1.2 (GODEBUG at 4ed8ad4) still asks for and makes RSA-PSS in TLS 1.3, where
// RSA "MUST use an RSASSA-PSS algorithm" (RFC 8446 §4.4.3)
const PSS_DISABLED = fromDataFile(
  'Server-TLSv13-ClientAuthRequestedAndGiven-PSS-Disabled',
  '4ed8ad4d69d68da66fac413ed897bdde8d47057b',
  "TLS_AES_256_GCM_SHA384, Go's RSA certificate, OpenSSL's RSA client certificate, rsa_pss_rsae_sha256 both ways",
);

describe.each([...GO_SERVER_AUTH_TRACES, PSS_DISABLED])("Go crypto/tls testdata, $file ($negotiated): OpenSSL's client authentication to Go's server, read with our code", (trace) => {
  const { clientHello, serverHello, hello, ccs, clientCcs, suite, exchange, schedule, hashOf, secrets, goOpened, goMessages, clientMessages, clientAfter } = read(trace);

  it("our X25519, run as a server with Go's zero randomness, makes Go's share; both hellos re-encode byte for byte", () => {
    expect(hex(keyShareOf(hello, 4))).toBe(hex(exchange.share));
    expect(trace.negotiated.startsWith(suite.name)).toBe(true);
    for (const message of [clientHello, serverHello]) expect(hex(encodeHandshake(decodeHandshake(message)))).toBe(hex(message));
    expect([ccs[0], clientCcs[0]]).toEqual([CHANGE_CIPHER_SPEC, CHANGE_CIPHER_SPEC]);
  });

  it("Go's flight opens under our server handshake key: EncryptedExtensions, CertificateRequest (empty context, §4.3.2), Certificate, CertificateVerify, Finished, each byte for byte", () => {
    expect(goOpened.map((r) => r.type)).toEqual(goOpened.map(() => HANDSHAKE));
    const decoded = goMessages.map((m) => decodeHandshake(m));
    expect(decoded.map((m) => m.kind)).toEqual(['encrypted_extensions', 'certificate_request', 'certificate', 'certificate_verify', 'finished']);
    const request = decoded[1]!;
    if (request.kind !== 'certificate_request') throw new Error('no CertificateRequest');
    expect(request.context).toHaveLength(0);
    expect(request.extensions.some((e) => e.type === SIGNATURE_ALGORITHMS)).toBe(true);
    for (const message of goMessages) expect(hex(encodeHandshake(decodeHandshake(message)))).toBe(hex(message));
  });

  it("Go's CertificateVerify verifies under its leaf's key in the server's context only, and its Finished is the one we compute", () => {
    expectCertificateVerify(goMessages[2]!, goMessages[3]!, 'server', hashOf(...goMessages.slice(0, 3)));
    expect(hex(verifyDataOf(goMessages[4]!))).toBe(hex(finishedVerifyData(nobleProvider, suite, secrets.server, hashOf(...goMessages.slice(0, 4)))));
  });

  it("OpenSSL's answer opens under our client handshake key and re-encodes; a certificate's CertificateVerify verifies in the client's context only; one flipped byte fails", () => {
    for (const message of clientMessages) expect(hex(encodeHandshake(decodeHandshake(message)))).toBe(hex(message));
    const kinds = clientMessages.map((m) => decodeHandshake(m).kind);
    if (kinds.length === 2) {
      expect(kinds).toEqual(['certificate', 'finished']); // no certificate: no CertificateVerify (§4.4.3)
      return;
    }
    expect(kinds).toEqual(['certificate', 'certificate_verify', 'finished']);
    const { certificate } = expectCertificateVerify(clientMessages[0]!, clientMessages[1]!, 'client', hashOf(...goMessages, clientMessages[0]!));
    expect(certificate.context).toHaveLength(0);
  });

  it("OpenSSL's Finished is the one we compute; the records after the handshake open under our application traffic secrets", () => {
    const finished = clientMessages.at(-1)!;
    const expected = finishedVerifyData(nobleProvider, suite, secrets.client, hashOf(...goMessages, ...clientMessages.slice(0, -1)));
    expect(hex(verifyDataOf(finished))).toBe(hex(expected));

    schedule.enterMaster();
    const app = schedule.applicationSecrets(hashOf(...goMessages));
    const open = (secret: Uint8Array, records: Uint8Array[]) => {
      const reader = new PeerReader(suite, secret);
      return records.map((record) => reader.open(record.subarray(5)));
    };
    const closeNotify = [ALERT, 1, 0]; // warning level
    // What OpenSSL's s_client sent after its Finished, where the recording has it in this flow: its close_notify.
    expect(open(app.client, clientAfter).map((record) => [record.type, ...record.content])).toEqual(clientAfter.map(() => closeNotify));
    const [ticket, ...fromServer] = open(app.server, splitRecords(fromHex(trace.serverAfter)));
    expect(ticket!.type).toBe(HANDSHAKE);
    expect(decodeHandshake(ticket!.content).kind).toBe('new_session_ticket');
    expect(hex(encodeHandshake(decodeHandshake(ticket!.content)))).toBe(hex(ticket!.content));
    expect(fromServer.map((r) => r.type)).toEqual([APPLICATION_DATA, ALERT]);
    expect([fromServer[1]!.type, ...fromServer[1]!.content]).toEqual(closeNotify);
  });
});

describe("Go crypto/tls testdata, Server-TLSv13-ClientAuthRequestedAndGiven-PSS-Disabled: RSA-PSS both ways in TLS 1.3", () => {
  const { goMessages, clientMessages } = read(PSS_DISABLED);
  const RSA_PSS_RSAE_SHA256 = 0x0804;

  it("Go's CertificateRequest offers rsa_pss_rsae_sha256; both CertificateVerify use it, neither rsa_pkcs1", () => {
    const request = decodeHandshake(goMessages[1]!);
    if (request.kind !== 'certificate_request') throw new Error('no CertificateRequest');
    const offered = request.extensions.find((e) => e.type === SIGNATURE_ALGORITHMS)!.data;
    const schemes = Array.from({ length: (offered.length - 2) / 2 }, (_, i) => (offered[2 + 2 * i]! << 8) | offered[3 + 2 * i]!);
    expect(schemes).toContain(RSA_PSS_RSAE_SHA256);
    const schemeOf = (message: Uint8Array) => (decodeHandshake(message) as { scheme?: number }).scheme;
    expect([schemeOf(goMessages[3]!), schemeOf(clientMessages[1]!)]).toEqual([RSA_PSS_RSAE_SHA256, RSA_PSS_RSAE_SHA256]);
  });
});
