// Go's server with an Ed25519 certificate (go-crypto-tls-server-ed25519-trace.ts), read and then written again
// with our code. Read: our X25519 run as a server with Go's zero randomness makes Go's share and the shared
// secret, our key schedule opens every record, Go's CertificateVerify verifies under its certificate in the
// server's context (RFC 8446 §4.4.3) and both Finished messages are the ones we compute. Written: Ed25519 is
// deterministic (RFC 8032 §5.1.6), so our signing code with Go's key makes Go's signature byte for byte, and our
// server, given Go's certificate, key, randomness and extension order, answers OpenSSL's ClientHello with Go's
// whole handshake flight, every encrypted record byte for byte, then accepts OpenSSL's Finished.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { Connection } from '../../src/handshake/connection.js';
import { finishedVerifyData, KeySchedule } from '../../src/handshake/keyschedule.js';
import { signCertificateVerify } from '../../src/handshake/signatures.js';
import { SUITES } from '../../src/handshake/suites.js';
import { splitHandshakeMessages } from '../../src/testing/tamper.js';
import { concat, fromHex, hex } from '../../src/wire/bytes.js';
import { decodeHandshake, encodeHandshake } from '../../src/wire/messages.js';
import type { Certificate, ClientHello, ServerHello } from '../../src/wire/types.js';
import { serverConfig } from '../handshake/abort-harness.js';
import { PeerReader } from '../conformance/harness.js';
import { GO_ED25519_SERVER_TRACE as trace } from './go-crypto-tls-server-ed25519-trace.js';
import { expectCertificateVerify, verifyDataOf } from './go-replay-checks.js';
import { splitRecords } from './rfc8448-replay.js';

const HANDSHAKE = 22;
const APPLICATION_DATA = 23;
const KEY_SHARE = 51;
const SUPPORTED_VERSIONS = 43;
const ED25519 = 0x0807;
const zeros = (length: number) => new Uint8Array(length);

const clientHello = fromHex(trace.clientHello).subarray(5);
const serverRecords = splitRecords(fromHex(trace.serverFlight));
const serverHello = serverRecords[0]!.subarray(5);
const hello = decodeHandshake(serverHello) as ServerHello;
const offer = decodeHandshake(clientHello) as ClientHello;
const suite = SUITES.get(hello.cipherSuite)!;
const exchange = nobleProvider.keyExchange('x25519').encapsulate(offer.extensions.find((e) => e.type === KEY_SHARE)!.data.subarray(6), zeros)!;
const schedule = new KeySchedule(nobleProvider, suite);
schedule.enterHandshake(exchange.sharedSecret);
const hashOf = (...messages: Uint8Array[]) => nobleProvider.hash(suite.hash, concat(clientHello, serverHello, ...messages));
const secrets = schedule.handshakeTrafficSecrets(hashOf());
// EncryptedExtensions, Certificate, CertificateVerify and Finished under the handshake key; then a NewSessionTicket.
const handshakeRecords = serverRecords.slice(2, 6);
const reader = new PeerReader(suite, secrets.server);
const messages = handshakeRecords.flatMap((record) => splitHandshakeMessages(reader.open(record.subarray(5)).content));
const certificate = decodeHandshake(messages[1]!) as Certificate;
const goCertificate = certificate.entries[0]!.data;
const goKey = { kind: 'ed25519' as const, seed: fromHex(trace.goEd25519Seed) };

describe("Go crypto/tls testdata, Server-TLSv13-Ed25519: Go's server flight read, then written again, with our code", () => {
  it("our X25519 run as a server with Go's zero randomness makes Go's share, and every message re-encodes byte for byte", () => {
    expect(hex(hello.extensions.find((e) => e.type === KEY_SHARE)!.data.subarray(4))).toBe(hex(exchange.share));
    expect(serverRecords[1]![0]).toBe(20); // ChangeCipherSpec
    expect(messages.map((m) => decodeHandshake(m).kind)).toEqual(['encrypted_extensions', 'certificate', 'certificate_verify', 'finished']);
    for (const message of [clientHello, serverHello, ...messages]) expect(hex(encodeHandshake(decodeHandshake(message)))).toBe(hex(message));
  });

  it("Go's CertificateVerify verifies under its certificate's key in the server's context only; one flipped byte fails", () => {
    const { verify } = expectCertificateVerify(messages[1]!, messages[2]!, 'server', hashOf(...messages.slice(0, 2)));
    expect(verify.scheme).toBe(ED25519);
  });

  it("our Ed25519 signing with Go's test key makes Go's CertificateVerify signature byte for byte (RFC 8032 is deterministic)", () => {
    const verify = decodeHandshake(messages[2]!);
    if (verify.kind !== 'certificate_verify') throw new Error('no CertificateVerify');
    const ours = signCertificateVerify(nobleProvider, ED25519, { chain: [goCertificate], privateKey: goKey }, 'server', hashOf(...messages.slice(0, 2)), zeros);
    expect(hex(ours)).toBe(hex(verify.signature));
  });

  it("Go's Finished and OpenSSL's are the ones we compute; Go's ticket, data and close_notify open under server_application_traffic_secret_0", () => {
    expect(hex(verifyDataOf(messages[3]!))).toBe(hex(finishedVerifyData(nobleProvider, suite, secrets.server, hashOf(...messages.slice(0, 3)))));
    const [, clientFinished] = splitRecords(fromHex(trace.clientFlight));
    const opened = new PeerReader(suite, secrets.client).open(clientFinished!.subarray(5));
    expect(hex(verifyDataOf(opened.content))).toBe(hex(finishedVerifyData(nobleProvider, suite, secrets.client, hashOf(...messages))));

    schedule.enterMaster();
    const app = schedule.applicationSecrets(hashOf(...messages));
    const appReader = new PeerReader(suite, app.server);
    const after = [...serverRecords.slice(6), ...splitRecords(fromHex(trace.serverAfter))].map((record) => appReader.open(record.subarray(5)));
    expect(after.map((r) => r.type)).toEqual([HANDSHAKE, APPLICATION_DATA, 21]);
    expect(decodeHandshake(after[0]!.content).kind).toBe('new_session_ticket');
    expect([...after[2]!.content]).toEqual([1, 0]); // close_notify, warning level
  });

  it("our server, given Go's certificate, key, zero randomness and extension order, writes Go's handshake flight byte for byte and accepts OpenSSL's Finished", () => {
    const server = Connection.server(
      serverConfig({
        certificate: { chain: [goCertificate], privateKey: goKey },
        random: zeros,
        serverFlight: { extensionOrder: { serverHello: [SUPPORTED_VERSIONS, KEY_SHARE] }, handshakeRecords: 'one-per-record' },
      }),
    );
    server.receive(fromHex(trace.clientHello));
    const ours = splitRecords(server.takeOutput()).map(hex);
    expect(ours).toEqual(serverRecords.slice(0, 6).map(hex));
    server.receive(fromHex(trace.clientFlight));
    expect(server.takeEvents().filter((e) => e.type === 'alert')).toEqual([]);
    expect(server.isConnected).toBe(true);
  });
});
