// The Illustrated TLS 1.3 Connection, tampered: one flipped bit in what the server sends must make our client
// refuse with the exact RFC 8446 alert. To change only the field under test, the record is re-sealed under
// the trace's own server handshake key and IV (node:crypto), so its AEAD tag is valid again: the client then
// meets a well-protected record whose CertificateVerify signature or Finished verify_data is wrong
// (decrypt_error, RFC 8446 §4.4.3 and §4.4.4). A flipped tag bit instead must fail record protection
// (bad_record_mac, §5.2). Each expectation names the check that fired: a CertificateVerify accepted without
// its check would still end in decrypt_error, one message later, at the Finished over the altered transcript.
import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Connection } from '../../src/handshake/connection.js';
import { fromHex, hex } from '../../src/wire/bytes.js';
import { EDITIONS, loadTrace, traceClient, type IllustratedTrace } from './illustrated-replay.js';

const FLIGHT = ['serverHello', 'changeCipherSpec', 'encryptedExtensions', 'certificate', 'certificateVerify', 'finished'] as const;
/** Record sequence numbers under the server handshake key. */
const SEQUENCE: Partial<Record<(typeof FLIGHT)[number], number>> = { encryptedExtensions: 0, certificate: 1, certificateVerify: 2, finished: 3 };

/** Seals a handshake message (content type 0x16) as the server's record number `sequence` (RFC 8446 §5.2, §5.3). */
function sealHandshake(trace: IllustratedTrace, sequence: number, message: Uint8Array): string {
  const nonce = Buffer.from(trace.keys.serverHandshakeIv!, 'hex');
  nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ sequence) >>> 0, 8);
  const header = Buffer.from([0x17, 0x03, 0x03, 0, 0]);
  header.writeUInt16BE(message.length + 1 + 16, 3);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(trace.keys.serverHandshakeKey!, 'hex'), nonce).setAAD(header);
  const sealed = Buffer.concat([cipher.update(message), cipher.update(Buffer.from([0x16])), cipher.final(), cipher.getAuthTag()]);
  return Buffer.concat([header, sealed]).toString('hex');
}

/** Flips the low bit of byte `at` (negative: from the end). */
function flipBit(hexBytes: string, at: number): Uint8Array {
  const b = fromHex(hexBytes);
  b[at < 0 ? b.length + at : at]! ^= 0x01;
  return b;
}

/** Our client fed the trace's server flight with `replace`d records; what it said and whether it connected. */
function clientAgainst(trace: IllustratedTrace, replace: Partial<Record<(typeof FLIGHT)[number], string>>) {
  const client = Connection.client(traceClient(EDITIONS.openssl, trace));
  client.takeOutput();
  client.receive(fromHex(FLIGHT.map((name) => replace[name] ?? trace.server.records[name]!).join('')));
  const events = client.takeEvents();
  return {
    alerts: events.flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [`${e.level} ${e.description} (${e.reason})`] : [])),
    connected: events.some((e) => e.type === 'connected'),
    sentFinished: events.some((e) => e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'finished'),
    state: client.state,
  };
}

describe('The Illustrated TLS 1.3 Connection, tampered: our client refuses with the RFC alert', () => {
  const trace = loadTrace();
  const refused = { connected: false, sentFinished: false, state: 'CLOSED' };

  it('re-sealing an unchanged message reproduces the trace record, so a re-sealed record differs only where we flip', () => {
    for (const name of ['encryptedExtensions', 'certificate', 'certificateVerify', 'finished'] as const) {
      expect(sealHandshake(trace, SEQUENCE[name]!, fromHex(trace.server.messages[name]!)), name).toBe(trace.server.records[name]);
    }
    expect(clientAgainst(trace, {})).toEqual({ alerts: [], connected: true, sentFinished: true, state: 'CONNECTED' });
  });

  it('one flipped bit in the CertificateVerify signature: decrypt_error', () => {
    const certificateVerify = sealHandshake(trace, 2, flipBit(trace.server.messages.certificateVerify!, 100));
    expect(clientAgainst(trace, { certificateVerify })).toEqual({ alerts: ['fatal decrypt_error (BadCertificateVerifySignature)'], ...refused });
  });

  it('one flipped bit in the server Finished verify_data: decrypt_error', () => {
    const finished = sealHandshake(trace, 3, flipBit(trace.server.messages.finished!, -1));
    expect(clientAgainst(trace, { finished })).toEqual({ alerts: ['fatal decrypt_error (BadFinished)'], ...refused });
  });

  it('one flipped bit in a record authentication tag, or in the ciphertext it covers: bad_record_mac', () => {
    for (const [name, at] of [
      ['encryptedExtensions', -1],
      ['certificateVerify', -16],
      ['certificate', 400],
      ['finished', 5],
    ] as const) {
      const tampered = hex(flipBit(trace.server.records[name]!, at));
      expect(clientAgainst(trace, { [name]: tampered }), `${name} byte ${at}`).toEqual({ alerts: ['fatal bad_record_mac (BadRecordMac)'], ...refused });
    }
  });
});
