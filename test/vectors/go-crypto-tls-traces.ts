// Real TLS 1.3 conversations from Go's crypto/tls test data (golang/go, src/crypto/tls/testdata/, the file
// named in each entry, as stored at commit 2a4f4fc5256f1c743c18979dbcc581c6498de76b; ALPN-NoMatch at
// 499c189d5038145a417602124e333cc7d974ef63, CHACHA20-SHA256 at 250fccbface5ca3f8e88e054e63ddbdf6edf2ef5), read
// from the data files under vectors/published-traces/go-crypto-tls/ (go-testdata.ts). Each "Server-TLSv13-*" file
// records OpenSSL's `s_client` (the client bytes) against Go's server, which draws every random byte from a
// source of zeros: its ServerHello.random is 32 zero bytes and its X25519 private key is 32 zero bytes.
import { flowHex, loadGoRecording } from './go-testdata.js';

export interface GoServerTrace {
  /** The file under src/crypto/tls/testdata/. */
  file: string;
  /** Flow 1: OpenSSL's ClientHello record. */
  clientHello: string;
  /** Flow 2 as far as the ServerHello record goes (HelloRetryRequest and ChangeCipherSpec, or the alert). */
  serverReply: string;
}

/** Flow 1, and the first `replyRecords` records of flow 2. */
function goServerTrace(file: string, replyRecords: number): GoServerTrace {
  const flows = loadGoRecording(file);
  return { file, clientHello: flowHex(flows, 0), serverReply: flowHex(flows, 1, 0, replyRecords) };
}

export const GO_SERVER_TRACES = {
  aes128Sha256: goServerTrace('Server-TLSv13-AES128-SHA256', 1),
  chacha20Sha256: goServerTrace('Server-TLSv13-CHACHA20-SHA256', 1),
  p256: goServerTrace('Server-TLSv13-P256', 1),
  alpnNoMatch: goServerTrace('Server-TLSv13-ALPN-NoMatch', 1),
  helloRetryRequest: goServerTrace('Server-TLSv13-HelloRetryRequest', 2),
} satisfies Record<string, GoServerTrace>;

const hrrFlows = loadGoRecording('Server-TLSv13-HelloRetryRequest');

/** Server-TLSv13-HelloRetryRequest, after the HelloRetryRequest: flow 3 (ChangeCipherSpec, second ClientHello) and
 * flow 4's ServerHello record. */
export const GO_HRR_SECOND_FLIGHT = {
  clientHello: flowHex(hrrFlows, 2),
  serverHello: flowHex(hrrFlows, 3, 0, 1),
};

/** Server-TLSv13-HelloRetryRequest, the rest: flow 4 after its ServerHello (EncryptedExtensions, Certificate,
 * CertificateVerify, Finished, then a NewSessionTicket), flow 5 (OpenSSL's Finished) and flow 6 (Go's data and
 * close_notify). Go's P-256 private key is GO_HRR_CLIENT_TRACE.goP256PrivateKey: the same rule on both sides. */
export const GO_HRR_SERVER_REST = {
  encryptedFlight: flowHex(hrrFlows, 3, 1),
  clientFinished: flowHex(hrrFlows, 4),
  serverAfter: flowHex(hrrFlows, 5),
};
