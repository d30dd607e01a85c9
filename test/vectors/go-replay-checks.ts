// Checks shared by the replays of Go's crypto/tls recordings (go-crypto-tls-*.test.ts): a CertificateVerify judged
// with our code, a transcript that starts with ClientHello1's message_hash, a Finished's verify_data.
import { expect } from 'vitest';
import { parseCertificate } from '../../src/auth/x509.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { checkCertificateVerify } from '../../src/handshake/signatures.js';
import type { SuiteInfo } from '../../src/handshake/suites.js';
import { Transcript } from '../../src/handshake/transcript.js';
import { decodeHandshake } from '../../src/wire/messages.js';

/**
 * The recorded CertificateVerify, judged by our code under the key of the leaf in the recorded Certificate: it
 * verifies in the signer's context and not in the other side's (RFC 8446 §4.4.3), and with one signature byte
 * flipped it does not verify. Returns the decoded messages for further checks.
 */
export function expectCertificateVerify(certificateMessage: Uint8Array, verifyMessage: Uint8Array, signer: 'client' | 'server', transcriptHash: Uint8Array) {
  const certificate = decodeHandshake(certificateMessage);
  const verify = decodeHandshake(verifyMessage);
  if (certificate.kind !== 'certificate' || verify.kind !== 'certificate_verify') throw new Error('no Certificate and CertificateVerify');
  const key = parseCertificate(certificate.entries[0]!.data).publicKey!;
  const check = (as: 'client' | 'server', signature: Uint8Array) => checkCertificateVerify(nobleProvider, verify.scheme, key, as, transcriptHash, signature);
  expect(check(signer, verify.signature)).toBe('ok');
  expect(check(signer === 'client' ? 'server' : 'client', verify.signature)).toBe('bad-signature');
  const flipped = verify.signature.slice();
  flipped[flipped.length >> 1]! ^= 1;
  expect(check(signer, flipped)).toBe('bad-signature');
  return { certificate, verify };
}

/** Transcript-Hash after a HelloRetryRequest, by our Transcript: ClientHello1 as message_hash, then the rest (§4.4.1). */
export function messageHashTranscript(suite: SuiteInfo, clientHello1: Uint8Array, ...after: Uint8Array[]): Uint8Array {
  const transcript = new Transcript(nobleProvider);
  transcript.add(clientHello1);
  transcript.selectHash(suite.hash);
  transcript.replaceWithMessageHash();
  for (const message of after) transcript.add(message);
  return transcript.current();
}

export function verifyDataOf(message: Uint8Array): Uint8Array {
  const finished = decodeHandshake(message);
  if (finished.kind !== 'finished') throw new Error(`a ${finished.kind}, not a Finished`);
  return finished.verifyData;
}
