// A real OpenSSL HelloRetryRequest conversation from Go's crypto/tls test data: golang/go,
// src/crypto/tls/testdata/Client-TLSv13-HelloRetryRequest at the commit below, Go's client (X25519 then P-256
// preferred) against `openssl s_server -curves P-256`, read flow by flow from its data file (go-testdata.ts). Go's
// client draws every random byte from a source of zeros: its X25519 private key is 32 zero bytes, and its P-256
// private key the zeros with byte 1 flipped to 0x42 (Go's key generation does that so a zero source cannot give
// the zero scalar), so the whole conversation can be read.
import { flowHex, loadGoRecording } from './go-testdata.js';

const flows = loadGoRecording('Client-TLSv13-HelloRetryRequest');

export const GO_HRR_CLIENT_TRACE = {
  file: 'Client-TLSv13-HelloRetryRequest',
  commit: 'ba159b1f150ba2116f8e56283a0f57ef2afb170d',
  /** Go's P-256 private key: 32 zero bytes, byte 1 set to 0x42. */
  goP256PrivateKey: '0042' + '00'.repeat(30),
  /** Flow 1: Go's first ClientHello record, an X25519 share only. */
  clientHello1: flowHex(flows, 0),
  /** Flow 2: OpenSSL's HelloRetryRequest (secp256r1) and ChangeCipherSpec. */
  retryFlight: flowHex(flows, 1),
  /** Flow 3: Go's ChangeCipherSpec and second ClientHello, a P-256 share. */
  clientHello2: flowHex(flows, 2),
  /** Flow 4: OpenSSL's ServerHello, then EncryptedExtensions, Certificate, CertificateVerify and Finished, one protected record each. */
  serverFlight: flowHex(flows, 3),
  /** Flow 5: Go's Finished and application data. */
  clientFlight: flowHex(flows, 4),
  /** Flow 6: OpenSSL's two NewSessionTickets. */
  newSessionTickets: flowHex(flows, 5),
  /** Flow 7: Go's close_notify. */
  closeNotify: flowHex(flows, 6),
};
