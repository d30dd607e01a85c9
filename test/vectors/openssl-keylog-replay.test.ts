// OpenSSL handshakes recorded with `-debug -keylogfile` and published with their key log
// (vectors/published-traces/openssl/, loaded by openssl-debug-trace.ts): OpenSSL's client (3.5 or later: the first
// with ML-KEM) in a pure ML-KEM-768, TLS_AES_128_CCM_SHA256 handshake, OpenSSL's server answering an X25519
// ClientHello with TLS_AES_256_GCM_SHA384, and OpenSSL's client offering TLS_AES_128_GCM_SHA256 alone to a server
// with an ECDSA P-256 certificate. The randomness is not known (the key shares' private halves, the
// ML-KEM encapsulation, the PSS salt), so nothing is written byte for byte; the key log gives the traffic secrets,
// and from them our code must open every record, re-encode every message, verify the server's CertificateVerify
// and compute both Finished over the transcript we hash ourselves.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { finishedVerifyData, trafficProtection } from '../../src/handshake/keyschedule.js';
import { SUITES } from '../../src/handshake/suites.js';
import type { RecordProtection } from '../../src/record/protection.js';
import { splitHandshakeMessages } from '../../src/testing/tamper.js';
import { concat, hex, utf8 } from '../../src/wire/bytes.js';
import { CipherSuite, ContentType, ExtensionType, NamedGroup, SignatureScheme } from '../../src/wire/enums.js';
import { decodeHandshake, encodeHandshake } from '../../src/wire/messages.js';
import { expectCertificateVerify, verifyDataOf } from './go-replay-checks.js';
import { loadOpenSslDebugTrace } from './openssl-debug-trace.js';

interface Recording {
  file: string;
  /** The side whose -debug output it is: its "write to" records are that side's. */
  recordedBy: 'client' | 'server';
  suite: number;
  /** The one group offered and chosen, and the sizes of the client's and the server's key_exchange. */
  group: number;
  shareLengths: [client: number, server: number];
  scheme: number;
  /** The client's application data. */
  data: string;
}

const RECORDINGS: Recording[] = [
  {
    file: 's_client-MLKEM768-AES128CCM.txt',
    recordedBy: 'client',
    suite: CipherSuite.TLS_AES_128_CCM_SHA256,
    group: NamedGroup.MLKEM768,
    shareLengths: [1184, 1088],
    scheme: SignatureScheme.ecdsa_secp256r1_sha256,
    data: 'test',
  },
  {
    file: 's_server-X25519-AES256GCM.txt',
    recordedBy: 'server',
    suite: CipherSuite.TLS_AES_256_GCM_SHA384,
    group: NamedGroup.x25519,
    shareLengths: [32, 32],
    scheme: SignatureScheme.rsa_pss_rsae_sha256,
    data: 'hello',
  },
  {
    file: 's_client-X25519-AES128GCM.txt',
    recordedBy: 'client',
    suite: CipherSuite.TLS_AES_128_GCM_SHA256,
    group: NamedGroup.x25519,
    shareLengths: [32, 32],
    scheme: SignatureScheme.ecdsa_secp256r1_sha256,
    data: 'test',
  },
];

/** The content of each record, opened in order by our record layer under one traffic secret. */
function openAll(protection: RecordProtection, records: Uint8Array[]) {
  return records.map((record) => protection.open(record));
}

/** KeyShareEntry fields (RFC 8446 §4.2.8): the group and the key_exchange length, at `at`. */
const shareEntry = (data: Uint8Array, at: number) => [(data[at]! << 8) | data[at + 1]!, (data[at + 2]! << 8) | data[at + 3]!];

describe.each(RECORDINGS.map((r) => [r.file, r]))('OpenSSL %s, replayed with its key log', (_, recording) => {
  const trace = loadOpenSslDebugTrace(recording.file);
  const [client, server] = recording.recordedBy === 'client' ? [trace.written, trace.read] : [trace.read, trace.written];
  const suite = SUITES.get(recording.suite)!;
  const secret = (label: string) => trace.keylog.get(label)!;
  const [clientHelloRecord, clientCcs, clientFinishedRecord, clientData, clientClose] = client;
  const [serverHelloRecord, serverCcs, ...serverProtected] = server;
  const clientHello = clientHelloRecord!.subarray(5);
  const serverHello = serverHelloRecord!.subarray(5);
  const transcriptHash = (...messages: Uint8Array[]) => nobleProvider.hash(suite.hash, concat(clientHello, serverHello, ...messages));
  const serverHandshake = openAll(trafficProtection(nobleProvider, suite, secret('SERVER_HANDSHAKE_TRAFFIC_SECRET')), serverProtected.slice(0, 4));
  const serverMessages = serverHandshake.flatMap(({ content }) => splitHandshakeMessages(content));

  it('holds the client\'s five records and the server\'s nine; the key log is the one of this ClientHello\'s random', () => {
    expect([client.length, server.length]).toEqual([5, 9]);
    expect(hex(clientHello.subarray(6, 38))).toBe(hex(trace.clientRandom));
    expect([clientCcs, serverCcs].map((r) => hex(r!))).toEqual(['140303000101', '140303000101']);
  });

  it('both hellos decode and re-encode byte for byte; the suite, and one key share each of the one group', () => {
    const hello = decodeHandshake(clientHello);
    const reply = decodeHandshake(serverHello);
    if (hello.kind !== 'client_hello' || reply.kind !== 'server_hello') throw new Error('not the hellos');
    expect(hex(encodeHandshake(hello))).toBe(hex(clientHello));
    expect(hex(encodeHandshake(reply))).toBe(hex(serverHello));
    expect(hello.cipherSuites).toContain(recording.suite);
    expect(reply.cipherSuite).toBe(recording.suite);
    const offered = hello.extensions.find((e) => e.type === ExtensionType.key_share)!.data;
    const chosen = reply.extensions.find((e) => e.type === ExtensionType.key_share)!.data;
    // KeyShareClientHello: client_shares<0..2^16-1> holding one entry; KeyShareServerHello: one entry.
    expect([...shareEntry(offered, 2), offered.length]).toEqual([recording.group, recording.shareLengths[0], 2 + 4 + recording.shareLengths[0]]);
    expect([...shareEntry(chosen, 0), chosen.length]).toEqual([recording.group, recording.shareLengths[1], 4 + recording.shareLengths[1]]);
  });

  it('our record layer opens the server\'s flight under SERVER_HANDSHAKE_TRAFFIC_SECRET (four records, one message each), and each re-encodes', () => {
    expect(serverHandshake.map((r) => r.contentType)).toEqual([ContentType.handshake, ContentType.handshake, ContentType.handshake, ContentType.handshake]);
    expect(serverMessages.map((m) => decodeHandshake(m).kind)).toEqual(['encrypted_extensions', 'certificate', 'certificate_verify', 'finished']);
    for (const message of serverMessages) expect(hex(encodeHandshake(decodeHandshake(message)))).toBe(hex(message));
    // Under the client's key the server's first record does not open.
    expect(() => trafficProtection(nobleProvider, suite, secret('CLIENT_HANDSHAKE_TRAFFIC_SECRET')).open(serverProtected[0]!)).toThrow(/AEAD/);
  });

  it('the server\'s CertificateVerify verifies over our transcript, in the server\'s context only', () => {
    const [encryptedExtensions, certificate, verify] = serverMessages;
    const { verify: decoded } = expectCertificateVerify(certificate!, verify!, 'server', transcriptHash(encryptedExtensions!, certificate!));
    expect(decoded.kind === 'certificate_verify' && decoded.scheme).toBe(recording.scheme);
  });

  it('both Finished are the verify_data our key schedule computes from the key-logged handshake secrets', () => {
    const [encryptedExtensions, certificate, verify, serverFinished] = serverMessages;
    expect(hex(verifyDataOf(serverFinished!))).toBe(hex(finishedVerifyData(nobleProvider, suite, secret('SERVER_HANDSHAKE_TRAFFIC_SECRET'), transcriptHash(encryptedExtensions!, certificate!, verify!))));
    const [clientFinished] = openAll(trafficProtection(nobleProvider, suite, secret('CLIENT_HANDSHAKE_TRAFFIC_SECRET')), [clientFinishedRecord!]);
    expect(clientFinished!.contentType).toBe(ContentType.handshake);
    const throughServerFinished = transcriptHash(...serverMessages);
    expect(hex(verifyDataOf(clientFinished!.content))).toBe(hex(finishedVerifyData(nobleProvider, suite, secret('CLIENT_HANDSHAKE_TRAFFIC_SECRET'), throughServerFinished)));
    // Not the server's key over the same transcript: the two directions' finished keys differ.
    expect(hex(verifyDataOf(clientFinished!.content))).not.toBe(hex(finishedVerifyData(nobleProvider, suite, secret('SERVER_HANDSHAKE_TRAFFIC_SECRET'), throughServerFinished)));
  });

  it('after the handshake: two NewSessionTickets and close_notify from the server, the client\'s data and close_notify, under the application secrets', () => {
    const after = openAll(trafficProtection(nobleProvider, suite, secret('SERVER_TRAFFIC_SECRET_0')), serverProtected.slice(4));
    const tickets = after.slice(0, 2).map(({ contentType, content }) => (expect(contentType).toBe(ContentType.handshake), content));
    for (const ticket of tickets) {
      const decoded = decodeHandshake(ticket);
      expect(decoded.kind === 'new_session_ticket' && decoded.lifetime).toBe(7200);
      expect(hex(encodeHandshake(decoded))).toBe(hex(ticket));
    }
    expect(after[2]).toEqual({ contentType: ContentType.alert, content: Uint8Array.of(1, 0), protected: true });
    const fromClient = openAll(trafficProtection(nobleProvider, suite, secret('CLIENT_TRAFFIC_SECRET_0')), [clientData!, clientClose!]);
    expect(fromClient[0]!.contentType).toBe(ContentType.application_data);
    expect(utf8.decode(fromClient[0]!.content).trimEnd()).toBe(recording.data);
    expect(fromClient[1]).toEqual({ contentType: ContentType.alert, content: Uint8Array.of(1, 0), protected: true });
  });
});
