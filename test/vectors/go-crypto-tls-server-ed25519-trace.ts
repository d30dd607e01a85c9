// Go's server with an Ed25519 certificate, answering OpenSSL's `s_client`: golang/go,
// src/crypto/tls/testdata/Server-TLSv13-Ed25519 at the commit below, read flow by flow from its data file
// (go-testdata.ts). Go's server draws every random byte from a source of zeros (its X25519 private key is 32 zero
// bytes), and Ed25519 signatures are deterministic: with Go's test key (below) every byte Go wrote can be made again.
import { flowHex, loadGoRecording } from './go-testdata.js';

const flows = loadGoRecording('Server-TLSv13-Ed25519');

export const GO_ED25519_SERVER_TRACE = {
  file: 'Server-TLSv13-Ed25519',
  commit: '2a4f4fc5256f1c743c18979dbcc581c6498de76b',
  /**
   * Go's Ed25519 test key, the RFC 8032 seed: the first 32 bytes of testEd25519PrivateKey in golang/go
   * src/crypto/tls/handshake_test.go (Go writes seed || public key; the public half is the certificate's key).
   */
  goEd25519Seed: '3a884965e76b3f55e5faf9615458a92354894234de3ec9f684d46d55cebf3dc6',
  /** Flow 1: OpenSSL's ClientHello record (TLS_CHACHA20_POLY1305_SHA256 only). */
  clientHello: flowHex(flows, 0),
  /** Flow 2: Go's ServerHello, ChangeCipherSpec, EncryptedExtensions, Certificate, CertificateVerify, Finished, then a NewSessionTicket. */
  serverFlight: flowHex(flows, 1),
  /** Flow 3: OpenSSL's ChangeCipherSpec and Finished. */
  clientFlight: flowHex(flows, 2),
  /** Flow 4: Go's application data and close_notify. */
  serverAfter: flowHex(flows, 3),
};
