// Go's client against OpenSSL's `s_server` (Go's crypto/tls test data, loaded from
// vectors/published-traces/go-crypto-tls/ by go-testdata.ts), read with our code. Go draws every random byte
// from zeros: its X25519 key is 32 zero bytes and its P-256 key the zeros with byte 1 set to 0x42, so our key
// exchange derives Go's share and the shared secret, and our key schedule must open every record of both sides.
import { p256 } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { finishedVerifyData, KeySchedule } from '../../src/handshake/keyschedule.js';
import { SUITES } from '../../src/handshake/suites.js';
import { splitHandshakeMessages } from '../../src/testing/tamper.js';
import { concat, fromHex, hex } from '../../src/wire/bytes.js';
import { decodeHandshake, encodeHandshake } from '../../src/wire/messages.js';
import { PeerReader } from '../conformance/harness.js';
import { expectCertificateVerify, verifyDataOf } from './go-replay-checks.js';
import { loadGoRecording } from './go-testdata.js';

const CHANGE_CIPHER_SPEC = 20;
const HANDSHAKE = 22;
const APPLICATION_DATA = 23;
const ALPN = 16;
const KEY_SHARE = 51;

/** Go's private keys under a zero random source (Go sets byte 1 of a P-256 scalar so zeros cannot give 0). */
const GO_KEYS = {
  x25519: new Uint8Array(32),
  secp256r1: fromHex('0042' + '00'.repeat(30)),
} as const;
const GROUPS = { 0x001d: 'x25519', 0x0017: 'secp256r1' } as const;

const RECORDINGS = [
  { file: 'Client-TLSv13-ALPN', suite: 'TLS_CHACHA20_POLY1305_SHA256', group: 'x25519', alpn: 'proto1' },
  { file: 'Client-TLSv13-AES128-SHA256', suite: 'TLS_AES_128_GCM_SHA256', group: 'x25519' },
  { file: 'Client-TLSv13-CHACHA20-SHA256', suite: 'TLS_CHACHA20_POLY1305_SHA256', group: 'x25519' },
  { file: 'Client-TLSv13-P256-ECDHE', suite: 'TLS_AES_128_GCM_SHA256', group: 'secp256r1' },
  // After the handshake (flows 4 and 5): one NewSessionTicket of OpenSSL; Go's no_renegotiation at warning level
  // (Go at this commit; RFC 8446 §6 makes it an error alert, which ours treats as such) and its close_notify.
  {
    file: 'Client-TLSv13-RenegotiationRejected',
    suite: 'TLS_AES_128_GCM_SHA256',
    group: 'x25519',
    afterwards: ['server handshake new_session_ticket', 'client alert 1 100', 'client alert 1 0'],
  },
] as const;

describe.each(RECORDINGS)("Go crypto/tls testdata, $file: OpenSSL's server flight and Go's answer, read with our code", (recording) => {
  const flows = loadGoRecording(recording.file);
  const [clientFlow, serverFlow, clientFinishFlow] = flows;
  const clientHello = clientFlow!.records[0]!.subarray(5);
  const [serverHelloRecord, ccs, ...protectedRecords] = serverFlow!.records;
  const serverHello = serverHelloRecord!.subarray(5);
  const hello = decodeHandshake(serverHello);
  if (hello.kind !== 'server_hello') throw new Error('flow 2 does not start with a ServerHello');
  const suite = SUITES.get(hello.cipherSuite)!;
  const serverShare = hello.extensions.find((e) => e.type === KEY_SHARE)!.data;
  const group = GROUPS[((serverShare[0]! << 8) | serverShare[1]!) as keyof typeof GROUPS];
  const exchange = nobleProvider.keyExchange(group);
  const schedule = new KeySchedule(nobleProvider, suite);
  schedule.enterHandshake(exchange.decapsulate(GO_KEYS[group], serverShare.subarray(4))!);
  const transcriptHash = (...messages: Uint8Array[]) => nobleProvider.hash(suite.hash, concat(clientHello, serverHello, ...messages));
  const secrets = schedule.handshakeTrafficSecrets(transcriptHash());
  const serverReader = new PeerReader(suite, secrets.server);
  const opened = protectedRecords.map((record) => serverReader.open(record.subarray(5)));
  const messages = opened.flatMap((record) => splitHandshakeMessages(record.content));

  it("Go's ClientHello holds the share of Go's key by our key exchange; both hellos re-encode byte for byte", () => {
    expect(suite.name).toBe(recording.suite);
    expect(group).toBe(recording.group);
    const clientShares = decodeHandshake(clientHello);
    if (clientShares.kind !== 'client_hello') throw new Error('flow 1 is not a ClientHello');
    const goShare = clientShares.extensions.find((e) => e.type === KEY_SHARE)!.data.subarray(6); // one entry
    if (group === 'x25519') expect(hex(exchange.generate((n) => new Uint8Array(n)).share)).toBe(hex(goShare));
    // P-256: our agreement of Go's key with the base point is the x coordinate of Go's share (RFC 8446 §4.2.8.2)
    else expect(hex(exchange.decapsulate(GO_KEYS[group], p256.Point.BASE.toBytes(false))!)).toBe(hex(goShare.subarray(1, 33)));
    for (const message of [clientHello, serverHello]) expect(hex(encodeHandshake(decodeHandshake(message)))).toBe(hex(message));
    expect(ccs![0]).toBe(CHANGE_CIPHER_SPEC);
  });

  it('every protected record of OpenSSL opens; EncryptedExtensions, Certificate, CertificateVerify, Finished re-encode byte for byte', () => {
    expect(opened.map((r) => r.type)).toEqual(opened.map(() => HANDSHAKE));
    expect(messages.map((m) => decodeHandshake(m).kind)).toEqual(['encrypted_extensions', 'certificate', 'certificate_verify', 'finished']);
    for (const message of messages) expect(hex(encodeHandshake(decodeHandshake(message)))).toBe(hex(message));
  });

  it("OpenSSL's CertificateVerify verifies in the server's context only (a flipped byte fails), and its Finished is ours", () => {
    expectCertificateVerify(messages[1]!, messages[2]!, 'server', transcriptHash(...messages.slice(0, 2)));
    expect(hex(verifyDataOf(messages[3]!))).toBe(hex(finishedVerifyData(nobleProvider, suite, secrets.server, transcriptHash(...messages.slice(0, 3)))));
  });

  // Only the recordings that negotiate ALPN get this test (a skipped test per other recording would read as a gap).
  if ('alpn' in recording) it('OpenSSL selects one protocol Go offered, in EncryptedExtensions (RFC 7301 §3.1)', () => {
    const extensions = decodeHandshake(messages[0]!);
    if (extensions.kind !== 'encrypted_extensions') throw new Error('no EncryptedExtensions');
    const alpn = extensions.extensions.find((e) => e.type === ALPN)!.data;
    expect(new TextDecoder().decode(alpn.subarray(3))).toBe((recording as { alpn?: string }).alpn);
    expect(alpn[2]).toBe(alpn.length - 3); // one ProtocolName in the list
  });

  // Only the recordings with flows after Go's Finished get this test: each record of them opens under its side's
  // application traffic secret (after the data of flow 3 on Go's side), handshake messages re-encode.
  if ('afterwards' in recording) it('the later flows open under the application traffic secrets of their sides', () => {
    schedule.enterMaster();
    const application = schedule.applicationSecrets(transcriptHash(...messages));
    const readers = { client: new PeerReader(suite, application.client), server: new PeerReader(suite, application.server) };
    for (const record of clientFinishFlow!.records.filter((r) => r[0] === APPLICATION_DATA).slice(1)) readers.client.open(record.subarray(5));
    const seen = flows.slice(3).flatMap(({ from, records }) => records.map((record) => {
      const { type, content } = readers[from].open(record.subarray(5));
      if (type !== HANDSHAKE) return `${from} alert ${content[0]} ${content[1]}`;
      expect(hex(encodeHandshake(decodeHandshake(content)))).toBe(hex(content));
      return `${from} handshake ${decodeHandshake(content).kind}`;
    }));
    expect(seen).toEqual((recording as { afterwards?: readonly string[] }).afterwards);
  });

  it("Go's Finished is the verify_data we compute, and its data opens under client_application_traffic_secret_0", () => {
    const records = clientFinishFlow!.records.filter((record) => record[0] !== CHANGE_CIPHER_SPEC);
    const finished = new PeerReader(suite, secrets.client).open(records[0]!.subarray(5));
    expect(finished.type).toBe(HANDSHAKE);
    expect(hex(verifyDataOf(finished.content))).toBe(hex(finishedVerifyData(nobleProvider, suite, secrets.client, transcriptHash(...messages))));
    schedule.enterMaster();
    const reader = new PeerReader(suite, schedule.applicationSecrets(transcriptHash(...messages)).client);
    const after = records.slice(1).map((record) => reader.open(record.subarray(5)));
    expect(after.length).toBeGreaterThan(0);
    expect(after[0]!.type).toBe(APPLICATION_DATA);
  });
});
