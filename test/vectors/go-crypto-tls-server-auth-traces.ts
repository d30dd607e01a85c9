// OpenSSL's `s_client` authenticating itself to Go's server, from Go's crypto/tls test data (golang/go,
// src/crypto/tls/testdata/<file> at the commit named in each entry), read from the data files under
// vectors/published-traces/go-crypto-tls/ (go-testdata.ts). Go's server draws every random byte from a source of
// zeros, so its X25519 private key is 32 zero bytes: with OpenSSL's share from the ClientHello the whole
// conversation can be read.
import { flowHex, loadGoRecording } from './go-testdata.js';

export interface GoServerAuthTrace {
  /** The file under src/crypto/tls/testdata/, and what was negotiated in it. */
  file: string;
  commit: string;
  negotiated: string;
  /** Flow 1: OpenSSL's ClientHello record. */
  clientHello: string;
  /** Flow 2: Go's ServerHello, ChangeCipherSpec, then EncryptedExtensions, CertificateRequest, Certificate, CertificateVerify and Finished, one protected record each. */
  serverFlight: string;
  /** Flow 3: OpenSSL's ChangeCipherSpec, Certificate, CertificateVerify (none after an empty Certificate) and Finished, then what follows under its application key. */
  clientFlight: string;
  /** Flow 4: Go's NewSessionTicket and what follows under its application key. */
  serverAfter: string;
}

function goServerAuthTrace(file: string, commit: string, negotiated: string): GoServerAuthTrace {
  const flows = loadGoRecording(file);
  return { file, commit, negotiated, clientHello: flowHex(flows, 0), serverFlight: flowHex(flows, 1), clientFlight: flowHex(flows, 2), serverAfter: flowHex(flows, 3) };
}

export const GO_SERVER_AUTH_TRACES: GoServerAuthTrace[] = [
  goServerAuthTrace(
    'Server-TLSv13-ClientAuthRequestedAndGiven',
    '2a4f4fc5256f1c743c18979dbcc581c6498de76b',
    "TLS_AES_128_GCM_SHA256, Go's RSA certificate, OpenSSL's RSA client certificate, rsa_pss_rsae_sha256 both ways",
  ),
  goServerAuthTrace(
    'Server-TLSv13-ClientAuthRequestedAndEd25519Given',
    '07f61d008dc9a78cbe69f546e5c2f4c4b5eb0c15',
    "TLS_AES_128_GCM_SHA256, Go's RSA certificate (rsa_pss_rsae_sha256), OpenSSL's Ed25519 client certificate",
  ),
  goServerAuthTrace(
    'Server-TLSv13-ClientAuthRequestedNotGiven',
    '250fccbface5ca3f8e88e054e63ddbdf6edf2ef5',
    "TLS_AES_128_GCM_SHA256, Go's RSA certificate (rsa_pss_rsae_sha256), OpenSSL's empty Certificate",
  ),
  goServerAuthTrace(
    'Server-TLSv13-ClientAuthRequestedAndECDSAGiven',
    '250fccbface5ca3f8e88e054e63ddbdf6edf2ef5',
    "TLS_AES_128_GCM_SHA256, Go's RSA certificate (rsa_pss_rsae_sha256), OpenSSL's ECDSA P-521 client certificate (ecdsa_secp521r1_sha512)",
  ),
];
