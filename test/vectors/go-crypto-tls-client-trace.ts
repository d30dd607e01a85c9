// Real OpenSSL server flights from Go's crypto/tls test data (golang/go, src/crypto/tls/testdata/<file> at the
// commit named in each entry): Go's client against `openssl s_server`, read from the data files under
// vectors/published-traces/go-crypto-tls/ (go-testdata.ts). Go's client draws every random byte from a source of
// zeros, so its X25519 private key is 32 zero bytes: with it the whole conversation can be read.
import { flowHex, loadGoRecording } from './go-testdata.js';

export interface GoClientTrace {
  /** The file under src/crypto/tls/testdata/, and what OpenSSL negotiated in it. */
  file: string;
  commit: string;
  negotiated: string;
  /** Flow 1: Go's ClientHello record. */
  clientHello: string;
  /** Flow 2: OpenSSL's ServerHello, ChangeCipherSpec, then EncryptedExtensions, Certificate, CertificateVerify and Finished, one protected record each. */
  serverFlight: string;
  /** Flow 3: Go's ChangeCipherSpec, Finished and application data records. */
  clientFlight: string;
  /** Flows 4 on, in order, where a test reads them (Client-TLSv13-KeyUpdate); else the data file holds no later flow. */
  afterHandshake?: string[];
}

/** A recording of Go's client as the replays read it: flows 1 to 3 as hex, and any later flow the data file holds. */
export function goClientTrace(file: string, commit: string, negotiated: string): GoClientTrace {
  const flows = loadGoRecording(file);
  const trace: GoClientTrace = { file, commit, negotiated, clientHello: flowHex(flows, 0), serverFlight: flowHex(flows, 1), clientFlight: flowHex(flows, 2) };
  if (flows.length > 3) trace.afterHandshake = flows.slice(3).map((_, i) => flowHex(flows, 3 + i));
  return trace;
}

export const GO_CLIENT_TRACES: GoClientTrace[] = [
  goClientTrace('Client-TLSv13-X25519-ECDHE', '090372e8316831e7d6fd8a9c45195cd55d272b29', 'TLS_CHACHA20_POLY1305_SHA256, RSA certificate'),
  goClientTrace('Client-TLSv13-AES256-SHA384', '250fccbface5ca3f8e88e054e63ddbdf6edf2ef5', 'TLS_AES_256_GCM_SHA384 (the SHA-384 key schedule), RSA certificate'),
  goClientTrace('Client-TLSv13-Ed25519', '090372e8316831e7d6fd8a9c45195cd55d272b29', 'TLS_CHACHA20_POLY1305_SHA256, Ed25519 certificate and CertificateVerify'),
  goClientTrace('Client-TLSv13-ECDSA', '0007017f9631f4793f5699d77942c7224ad2b349', 'TLS_AES_128_GCM_SHA256, ECDSA P-256 certificate and CertificateVerify'),
  goClientTrace('Client-TLSv13-KeyUpdate', 'e90acc814de247f58330be1d8ba3b11c78c96077', 'TLS_CHACHA20_POLY1305_SHA256, RSA certificate; OpenSSL sends a KeyUpdate after the handshake'),
];
