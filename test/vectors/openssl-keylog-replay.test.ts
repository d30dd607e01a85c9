// OpenSSL's client (3.5 or later: the first with ML-KEM) in a pure ML-KEM-768, TLS_AES_128_CCM_SHA256 handshake,
// recorded with `s_client -debug -keylogfile` and published with its key log
// (vectors/published-traces/openssl/s_client-MLKEM768-AES128CCM.txt). The randomness is not known (OpenSSL's ML-KEM
// key, the server's encapsulation), so nothing is written byte for byte; the key log gives the traffic secrets, and
// from them our code must open every record, re-encode every message, verify the server's CertificateVerify and
// compute both Finished over the transcript we hash ourselves.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { finishedVerifyData, trafficProtection } from '../../src/handshake/keyschedule.js';
import { SUITES } from '../../src/handshake/suites.js';
import type { RecordProtection } from '../../src/record/protection.js';
import { splitHandshakeMessages } from '../../src/testing/tamper.js';
import { concat, hex, utf8 } from '../../src/wire/bytes.js';
import { CipherSuite, ContentType, ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import { decodeHandshake, encodeHandshake } from '../../src/wire/messages.js';
import { loadOpenSslDebugTrace } from './openssl-debug-trace.js';
import { expectCertificateVerify, verifyDataOf } from './go-replay-checks.js';

const trace = loadOpenSslDebugTrace('s_client-MLKEM768-AES128CCM.txt');
const suite = SUITES.get(CipherSuite.TLS_AES_128_CCM_SHA256)!;
const secret = (label: string) => trace.keylog.get(label)!;
const [clientHelloRecord, clientCcs, clientFinishedRecord, clientData, clientClose] = trace.written;
const [serverHelloRecord, serverCcs, ...serverProtected] = trace.read;
const clientHello = clientHelloRecord!.subarray(5);
const serverHello = serverHelloRecord!.subarray(5);
const transcriptHash = (...messages: Uint8Array[]) => nobleProvider.hash(suite.hash, concat(clientHello, serverHello, ...messages));

/** The content of each record, opened in order by our record layer under one traffic secret. */
function openAll(protection: RecordProtection, records: Uint8Array[]) {
  return records.map((record) => protection.open(record));
}

const serverHandshake = openAll(trafficProtection(nobleProvider, suite, secret('SERVER_HANDSHAKE_TRAFFIC_SECRET')), serverProtected.slice(0, 4));
const serverMessages = serverHandshake.flatMap(({ content }) => splitHandshakeMessages(content));

describe('OpenSSL s_client, ML-KEM-768 and AES-128-CCM, replayed with its key log', () => {
  it('holds OpenSSL\'s five records and the server\'s nine; the key log is the one of this ClientHello\'s random', () => {
    expect([trace.written.length, trace.read.length]).toEqual([5, 9]);
    expect(hex(clientHello.subarray(6, 38))).toBe(hex(trace.clientRandom));
    expect([clientCcs, serverCcs].map((r) => hex(r!))).toEqual(['140303000101', '140303000101']);
  });

  it('both hellos decode and re-encode byte for byte: TLS_AES_128_CCM_SHA256 alone, MLKEM768 alone (a 1184-byte key, a 1088-byte ciphertext)', () => {
    const hello = decodeHandshake(clientHello);
    const server = decodeHandshake(serverHello);
    if (hello.kind !== 'client_hello' || server.kind !== 'server_hello') throw new Error('not the hellos');
    expect(hex(encodeHandshake(hello))).toBe(hex(clientHello));
    expect(hex(encodeHandshake(server))).toBe(hex(serverHello));
    expect(hello.cipherSuites).toEqual([CipherSuite.TLS_AES_128_CCM_SHA256]);
    expect(server.cipherSuite).toBe(CipherSuite.TLS_AES_128_CCM_SHA256);
    const offered = hello.extensions.find((e) => e.type === ExtensionType.key_share)!.data;
    const chosen = server.extensions.find((e) => e.type === ExtensionType.key_share)!.data;
    // KeyShareClientHello: client_shares<0..2^16-1> of one entry; KeyShareServerHello: one entry (RFC 8446 §4.2.8).
    expect([(offered[2]! << 8) | offered[3]!, (offered[4]! << 8) | offered[5]!, offered.length]).toEqual([NamedGroup.MLKEM768, 1184, 2 + 4 + 1184]);
    expect([(chosen[0]! << 8) | chosen[1]!, (chosen[2]! << 8) | chosen[3]!, chosen.length]).toEqual([NamedGroup.MLKEM768, 1088, 4 + 1088]);
  });

  it('our record layer opens the server\'s flight under SERVER_HANDSHAKE_TRAFFIC_SECRET (four records, one message each), and each re-encodes', () => {
    expect(serverHandshake.map((r) => r.contentType)).toEqual([ContentType.handshake, ContentType.handshake, ContentType.handshake, ContentType.handshake]);
    expect(serverMessages.map((m) => decodeHandshake(m).kind)).toEqual(['encrypted_extensions', 'certificate', 'certificate_verify', 'finished']);
    for (const message of serverMessages) expect(hex(encodeHandshake(decodeHandshake(message)))).toBe(hex(message));
    // Under the client's key the server's first record does not open.
    expect(() => trafficProtection(nobleProvider, suite, secret('CLIENT_HANDSHAKE_TRAFFIC_SECRET')).open(serverProtected[0]!)).toThrow(/AEAD/);
  });

  it('the server\'s ecdsa_secp256r1_sha256 CertificateVerify verifies over our transcript, in the server\'s context only', () => {
    const [, certificate, verify] = serverMessages;
    const { verify: decoded } = expectCertificateVerify(certificate!, verify!, 'server', transcriptHash(serverMessages[0]!, certificate!));
    expect(decoded.kind === 'certificate_verify' && decoded.scheme).toBe(0x0403);
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

  it('after the handshake: two NewSessionTickets and close_notify from the server, "test" and close_notify from OpenSSL, under the application secrets', () => {
    const server = openAll(trafficProtection(nobleProvider, suite, secret('SERVER_TRAFFIC_SECRET_0')), serverProtected.slice(4));
    const tickets = server.slice(0, 2).map(({ contentType, content }) => (expect(contentType).toBe(ContentType.handshake), content));
    for (const ticket of tickets) {
      const decoded = decodeHandshake(ticket);
      expect(decoded.kind === 'new_session_ticket' && decoded.lifetime).toBe(7200);
      expect(hex(encodeHandshake(decoded))).toBe(hex(ticket));
    }
    expect(server[2]).toEqual({ contentType: ContentType.alert, content: Uint8Array.of(1, 0) });
    const client = openAll(trafficProtection(nobleProvider, suite, secret('CLIENT_TRAFFIC_SECRET_0')), [clientData!, clientClose!]);
    expect(client[0]!.contentType).toBe(ContentType.application_data);
    expect(utf8.decode(client[0]!.content).trimEnd()).toBe('test');
    expect(client[1]).toEqual({ contentType: ContentType.alert, content: Uint8Array.of(1, 0) });
  });
});
