// Go's server with an Ed25519 certificate, answering OpenSSL's `s_client`: golang/go,
// src/crypto/tls/testdata/Server-TLSv13-Ed25519 at the commit below, copied flow by flow from the file's hex dump.
// Go's server draws every random byte from a source of zeros (its X25519 private key is 32 zero bytes), and
// Ed25519 signatures are deterministic: with Go's test key (below) every byte Go wrote can be made again.

export const GO_ED25519_SERVER_TRACE = {
  file: 'Server-TLSv13-Ed25519',
  commit: '2a4f4fc5256f1c743c18979dbcc581c6498de76b',
  /**
   * Go's Ed25519 test key, the RFC 8032 seed: the first 32 bytes of testEd25519PrivateKey in golang/go
   * src/crypto/tls/handshake_test.go (Go writes seed || public key; the public half is the certificate's key).
   */
  goEd25519Seed: '3a884965e76b3f55e5faf9615458a92354894234de3ec9f684d46d55cebf3dc6',
  /** Flow 1: OpenSSL's ClientHello record (TLS_CHACHA20_POLY1305_SHA256 only). */
  clientHello:
    '16030100ca010000c60303e4a675cd50cf9e1a2dbd074fb7b8b85b5aa2996eb2a7ab20cbeddd90e2d86874201793fecb8363' +
    '5b5634e7a59fc78b32e4ced7324abb81e6b0408eb57f51ce76780004130300ff01000079000b000403000102000a000c000a' +
    '001d0017001e001900180016000000170000000d001e001c040305030603080708080809080a080b08040805080604010501' +
    '0601002b0003020304002d00020101003300260024001d00206b92de80f6615edf18d58f193e6c2024ab5e578afb4fdd471c' +
    '4fedd1dc73bd61',
  /** Flow 2: Go's ServerHello, ChangeCipherSpec, EncryptedExtensions, Certificate, CertificateVerify, Finished, then a NewSessionTicket. */
  serverFlight:
    '160303007a0200007603030000000000000000000000000000000000000000000000000000000000000000201793fecb8363' +
    '5b5634e7a59fc78b32e4ced7324abb81e6b0408eb57f51ce7678130300002e002b0002030400330024001d00202fe57da347' +
    'cd62431528daac5fbb290730fff684afc4cfc2ed90995f58cb3b741403030001011703030017482a4cfe041d154c916cdcb4' +
    '86e0c684b997b73eed5ab21703030150cf44f040b3a63f5e21765f374e322bcb43c5d219e061b2c75fc438b64bda9d22ca32' +
    'c9ce3c97984f90a18976600f9df21535416348891475b9b6e486abf655285d1759bcf608fc7bfdfcade002796ccaba5c8621' +
    '75ea127c32b99b318515cbedaed833ed0c0ac52fcb8a8972e9fd8410a9e44402c0ccf94689f4bbca221b10f2ee5f025330bf' +
    '0fed0c8d3b7d6b0124bf9b48a0623a4b8b12a1a46096c63a6cace1cb309e6859c82fd1b5a6948e340246a32a7bcbe12ba571' +
    '7f0a43195d697ced9e1e2bc26dbd0fedda0807ea04505938b986294abdb13a5863a9d3fc9d9ba38db3642103e2829734ff7f' +
    '4f46735f1b8ea35cb0d77f9e6372f8b840ff046a667d616a29612a94d0e9b97640828e7e555225149c26d48d64d7283135dd' +
    '2fa02aa05b4941d04dce97a7efe9f6ab63455ca82aa7657388977a48856132f76d039364216b9f6251faa3b0d6e513a37e31' +
    '924e1703030059bde0dbbee6099b11df72ef0c8687286c3d3901eb1d6b8891ac92d61187fe5d44a36b3931a8d8d8a536c4aa' +
    '1cbcb1954b1039c1550f2a1e1e1899bad24f2a084c02d5b9dc48b077dde16fe9a9c8ec085db0d1ba221f09bcf29717030300' +
    '351b609873e4184f1eb47138b16194cb51ee312d2cc2d95e2c1f6f632c8d1da3b19c4e28769e1dd856a2aec603aa488158a4' +
    'ad137992170303008630bc76ae382361d96ab2d04d4b76633f2d18ac44c60056333f368dac282640137ba4c3c2d08e461c4e' +
    '5f76ba0f5b00b6a7beb112a0d5b14e5c77bea6be8b2ea27efbf5b761c57f6d5296e30d9956d97a47a4e412d209229833742c' +
    '1a2ca961bf341a7f44d565c0a67b7b2c86ce09cb88fc8809905cd75ae2941f1a87b4be5c3f7d421df6f222',
  /** Flow 3: OpenSSL's ChangeCipherSpec and Finished. */
  clientFlight:
    '1403030001011703030035a8c12a352bb79d40a2dbdb1e1c7dcbdfadf6b10dd9f3ee0ad20a9ad1800aed5a8174211c47479e' +
    'bfadd0ae9f44a12f1e807eb18d8e',
  /** Flow 4: Go's application data and close_notify. */
  serverAfter:
    '170303001eddc93ea8dfba5a059dd33b93affaf3009f82656d8a749da0b0c5359bf7da17030300132b7d736193163a5189af' +
    '2f1854b968578b093c',
};
