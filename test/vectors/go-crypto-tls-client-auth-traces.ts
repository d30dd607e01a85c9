// Go's client authenticating itself to `openssl s_server -Verify 1`, from Go's crypto/tls test data (golang/go,
// src/crypto/tls/testdata/<file> at the commit named in each entry), read from the data files as in
// go-crypto-tls-client-trace.ts: Go's X25519 private key is 32 zero bytes, so the whole conversation can be read.
// OpenSSL's flight holds a CertificateRequest between EncryptedExtensions and Certificate; Go's flow 3 is its
// Certificate, CertificateVerify and Finished, then application data and close_notify. The file names name Go's
// certificate first, then OpenSSL's.
import { goClientTrace, type GoClientTrace } from './go-crypto-tls-client-trace.js';

export const GO_CLIENT_AUTH_TRACES: GoClientTrace[] = [
  goClientTrace('Client-TLSv13-ClientCert-Ed25519', '090372e8316831e7d6fd8a9c45195cd55d272b29', 'TLS_CHACHA20_POLY1305_SHA256, RSA server certificate, Ed25519 client certificate'),
  goClientTrace(
    'Client-TLSv13-ClientCert-RSA-RSAPSS',
    '59211acb5dbde14647e025eb7379675debcf3930',
    'TLS_CHACHA20_POLY1305_SHA256, RSA server certificate, RSA client certificate, rsa_pss_rsae_sha256 both ways',
  ),
  goClientTrace(
    'Client-TLSv13-ClientCert-ECDSA-RSA',
    '058ecd7715893a76a66eadd063a83c416239bde8',
    'TLS_AES_128_GCM_SHA256, RSA server certificate, ECDSA P-521 client certificate (ecdsa_secp521r1_sha512)',
  ),
  goClientTrace(
    'Client-TLSv13-ClientCert-RSA-ECDSA',
    '5b8ef3bed8f9947a4cfec67b029cff106da16017',
    'TLS_CHACHA20_POLY1305_SHA256, ECDSA P-521 server certificate (ecdsa_secp521r1_sha512), RSA client certificate',
  ),
  goClientTrace(
    'Client-TLSv13-ClientCert-RSA-PSS-Disabled',
    'fb84c0c95d3b5189cb4ae7c6dd38eb150f8dabab',
    "TLS_AES_128_GCM_SHA256, RSA server and client certificates, Go's TLS 1.2 PSS switch off: rsa_pss_rsae_sha256 still both ways",
  ),
];
