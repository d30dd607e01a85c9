// tlsfuzzer's test-tls13-certificate-compression (RFC 8879, the server's side), probe by probe, against a
// server that compresses with zlib (`certificateCompression`: the portable zlib; `tls13 serve
// --compress-cert zlib`), run with `--algorithms zlib`: an offered algorithm we compress with gets a
// CompressedCertificate (the client's order decides, RFC 8879 §3: "the server ... chooses an algorithm from the
// client's list"); algorithms we do not know, reserved or not, get the plain Certificate; the extension's
// syntax `CertificateCompressionAlgorithm algorithms<2..2^8-2>` broken in any way is decode_error (§6.2).
import { describe, expect, it } from 'vitest';
import { PORTABLE_CERTIFICATE_COMPRESSION } from '../../src/handshake/compression-codecs.js';
import { makeIdentity } from '../../src/testing/certs.js';
import { ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import type { Extension } from '../../src/wire/types.js';
import { ext, rnd, u16 } from '../handshake/abort-harness.js';
import { expectConversation } from './client-certificate-flight.js';
import { codePointList, ScriptedClient, SIG_ALL, SUPPORTED_VERSIONS } from './scripted-client.js';

const CIPHERS = [0x1301, 0x00ff];
const ZLIB = 1;
const BROTLI = 2;
const ZSTD = 3;
const COMPRESS_CERTIFICATE = 27;
const ecdsaServer = makeIdentity({ subject: { CN: 'example.test' }, keyType: 'p256' }, rnd);

/** The script's ClientHello, compress_certificate last (`body`: its raw body), and the server's flight. */
function offer(body: number[] | undefined, name: string) {
  const client = new ScriptedClient({ certificate: ecdsaServer, certificateCompression: PORTABLE_CERTIFICATE_COMPRESSION }, `compression ${name}`);
  const extensions: Extension[] = [
    client.keyShare(NamedGroup.secp256r1),
    SUPPORTED_VERSIONS,
    codePointList(ExtensionType.supported_groups, [NamedGroup.secp256r1]),
    codePointList(ExtensionType.signature_algorithms, [0x0804, 0x0809, 0x0403, 0x0807, 0x0808]),
    codePointList(ExtensionType.signature_algorithms_cert, SIG_ALL),
    ...(body ? [ext(COMPRESS_CERTIFICATE, body)] : []),
  ];
  return { client, flight: client.hello(CIPHERS, extensions) };
}

/** compress_certificate's body for `algorithms`: a one-byte length, then two bytes each. */
const algorithms = (...codes: number[]) => [codes.length * 2, ...codes.flatMap(u16)];

/** The handshake went on: the server's certificate message was `kind` (of `algorithm`), and data flows. */
function expectCertificate(body: number[] | undefined, name: string, algorithm?: number): void {
  const { client, flight } = offer(body, name);
  expect(flight.alerts).toEqual([]);
  const certificate = flight.messages.find((m) => m.kind === 'certificate' || m.kind === 'compressed_certificate');
  expect(certificate?.kind).toBe(algorithm === undefined ? 'certificate' : 'compressed_certificate');
  if (certificate?.kind === 'compressed_certificate') expect(certificate.algorithm).toBe(algorithm);
  expect(client.finish().alerts).toEqual([]);
  expectConversation(client);
}

describe('test-tls13-certificate-compression, probe by probe (--algorithms zlib)', () => {
  it('"sanity" (no compress_certificate): a plain Certificate', () => expectCertificate(undefined, 'sanity'));
  it('"smoke, zlib": a CompressedCertificate of zlib', () => expectCertificate(algorithms(ZLIB), 'smoke', ZLIB));
  it('"zlib is preferred" (zlib, brotli): zlib', () => expectCertificate(algorithms(ZLIB, BROTLI), 'preferred', ZLIB));
  it('"duplicated algos" (zlib three times): zlib', () => expectCertificate(algorithms(ZLIB, ZLIB, ZLIB), 'duplicated', ZLIB));

  const UNREASONABLE = [0, 10, 256, 770, 16383, 16384, 16385, 65534, 65535];
  it.each(UNREASONABLE)('"unreasonable algorithm %i alone": a plain Certificate', (code) => expectCertificate(algorithms(code), `alone ${code}`));
  it.each(UNREASONABLE)('"unreasonable algorithm %i, fall back to zlib": zlib', (code) => expectCertificate(algorithms(code, ZLIB), `fall back ${code}`, ZLIB));

  it.each([
    ['"empty list"', [0]],
    // The script's edits of the list length of (zlib, brotli, zstd), 6 bytes that follow it.
    ['"zero len in extension"', [0, ...u16(ZLIB), ...u16(BROTLI), ...u16(ZSTD)]],
    ['"odd len of list"', [5, ...u16(ZLIB), ...u16(BROTLI), ...u16(ZSTD)]],
    ['"truncated extension"', [8, ...u16(ZLIB), ...u16(BROTLI), ...u16(ZSTD)]],
    ['"padded extension"', [4, ...u16(ZLIB), ...u16(BROTLI), ...u16(ZSTD)]],
    ['"odd length of extension" (7 bytes listed and sent)', [7, ...u16(ZLIB), ...u16(BROTLI), ...u16(ZSTD), 4]],
  ])('%s is decode_error', (name, body) => {
    const { flight } = offer(body, name);
    expect(flight.messages).toEqual([]);
    expect(flight.alerts).toEqual(['decode_error']);
  });
});
