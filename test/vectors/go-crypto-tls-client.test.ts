// Real OpenSSL server flights (Go's crypto/tls test data, go-crypto-tls-client-trace.ts) read with our key
// schedule and wire decoders: Go's client key is 32 zero bytes, so our X25519 derives its share and the shared
// secret; our key schedule then opens every protected record of OpenSSL's flight, each handshake message decodes
// and re-encodes byte for byte, OpenSSL's CertificateVerify verifies under its leaf's key, its Finished is the
// one our key schedule computes, and Go's client Finished (flow 3) opens under our client handshake key and
// carries the verify_data we compute.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { parseCertificate } from '../../src/auth/x509.js';
import { finishedVerifyData, KeySchedule } from '../../src/handshake/keyschedule.js';
import { checkCertificateVerify } from '../../src/handshake/signatures.js';
import { SUITES } from '../../src/handshake/suites.js';
import { splitHandshakeMessages } from '../../src/testing/tamper.js';
import { concat, fromHex, hex } from '../../src/wire/bytes.js';
import { decodeHandshake, encodeHandshake } from '../../src/wire/messages.js';
import { PeerReader } from '../conformance/harness.js';
import { GO_CLIENT_TRACES, type GoClientTrace } from './go-crypto-tls-client-trace.js';
import { splitRecords } from './rfc8448-replay.js';

const CHANGE_CIPHER_SPEC = 20;
const APPLICATION_DATA = 23;
const HANDSHAKE = 22;

const hashOf = (suite: NonNullable<ReturnType<typeof SUITES.get>>, ...messages: Uint8Array[]) => nobleProvider.hash(suite.hash, concat(...messages));

function read(trace: GoClientTrace) {
  const clientHello = fromHex(trace.clientHello).subarray(5);
  const [serverHelloRecord, ccs, ...protectedRecords] = splitRecords(fromHex(trace.serverFlight));
  const serverHello = serverHelloRecord!.subarray(5);
  const hello = decodeHandshake(serverHello);
  if (hello.kind !== 'server_hello') throw new Error('flow 2 does not start with a ServerHello');
  const suite = SUITES.get(hello.cipherSuite)!;
  const serverShare = hello.extensions.find((e) => e.type === 51)!.data.subarray(4);

  const x25519 = nobleProvider.keyExchange('x25519');
  const goKey = x25519.generate((length) => new Uint8Array(length));
  const schedule = new KeySchedule(nobleProvider, suite);
  schedule.enterHandshake(x25519.decapsulate(goKey.privateKey, serverShare)!);
  const secrets = schedule.handshakeTrafficSecrets(hashOf(suite, clientHello, serverHello));

  const reader = new PeerReader(suite, secrets.server);
  const opened = protectedRecords.map((record) => reader.open(record.subarray(5)));
  const messages = opened.flatMap((record) => splitHandshakeMessages(record.content));
  return { clientHello, serverHello, ccs: ccs!, suite, goKey, secrets, opened, messages };
}

describe.each(GO_CLIENT_TRACES)("Go crypto/tls testdata, $file ($negotiated): OpenSSL's server flight read with our key schedule", (trace) => {
  const { clientHello, serverHello, ccs, suite, goKey, secrets, opened, messages } = read(trace);

  it("our X25519 makes Go's share from Go's zero key, and Go's ClientHello re-encodes byte for byte", () => {
    expect(hex(clientHello)).toContain(hex(goKey.share));
    expect(hex(encodeHandshake(decodeHandshake(clientHello)))).toBe(hex(clientHello));
    expect(hex(encodeHandshake(decodeHandshake(serverHello)))).toBe(hex(serverHello));
    expect(trace.negotiated.startsWith(suite.name)).toBe(true);
    expect(ccs[0]).toBe(CHANGE_CIPHER_SPEC);
  });

  it('every protected record opens and holds one handshake message: EncryptedExtensions, Certificate, CertificateVerify, Finished', () => {
    expect(opened.map((r) => r.type)).toEqual([HANDSHAKE, HANDSHAKE, HANDSHAKE, HANDSHAKE]);
    expect(messages.map((m) => decodeHandshake(m).kind)).toEqual(['encrypted_extensions', 'certificate', 'certificate_verify', 'finished']);
  });

  it('each message re-encodes byte for byte', () => {
    for (const message of messages) expect(hex(encodeHandshake(decodeHandshake(message)))).toBe(hex(message));
  });

  it("OpenSSL's CertificateVerify verifies, with our code, under the key of the leaf certificate it sent (RFC 8446 §4.4.3)", () => {
    const certificate = decodeHandshake(messages[1]!);
    const verify = decodeHandshake(messages[2]!);
    if (certificate.kind !== 'certificate' || verify.kind !== 'certificate_verify') throw new Error('no Certificate and CertificateVerify');
    const leafKey = parseCertificate(certificate.entries[0]!.data).publicKey!;
    const transcript = hashOf(suite, clientHello, serverHello, ...messages.slice(0, 2));
    expect(checkCertificateVerify(nobleProvider, verify.scheme, leafKey, 'server', transcript, verify.signature)).toBe('ok');
    expect(checkCertificateVerify(nobleProvider, verify.scheme, leafKey, 'client', transcript, verify.signature)).toBe('bad-signature');
  });

  it("OpenSSL's Finished is the verify_data our key schedule computes over the transcript (RFC 8446 §4.4.4)", () => {
    const finished = decodeHandshake(messages[3]!);
    if (finished.kind !== 'finished') throw new Error('no Finished');
    const expected = finishedVerifyData(nobleProvider, suite, secrets.server, hashOf(suite, clientHello, serverHello, ...messages.slice(0, 3)));
    expect(hex(finished.verifyData)).toBe(hex(expected));
  });

  it("Go's client Finished opens under our client handshake key with the verify_data we compute", () => {
    const [goCcs, goFinished, ...appData] = splitRecords(fromHex(trace.clientFlight));
    expect(goCcs![0]).toBe(CHANGE_CIPHER_SPEC);
    const record = new PeerReader(suite, secrets.client).open(goFinished!.subarray(5));
    const finished = decodeHandshake(record.content);
    if (finished.kind !== 'finished') throw new Error('no Finished');
    const expected = finishedVerifyData(nobleProvider, suite, secrets.client, hashOf(suite, clientHello, serverHello, ...messages));
    expect(hex(finished.verifyData)).toBe(hex(expected));
    expect(appData.length).toBeGreaterThan(0);
    expect(appData.map((r) => r[0])).toEqual(appData.map(() => APPLICATION_DATA));
  });
});
