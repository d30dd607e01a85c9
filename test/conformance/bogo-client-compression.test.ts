// BoGo's TLS 1.3 client tests of addCertCompressionTests (boringssl ssl/test/runner/cert_compression_tests.go),
// replayed against our client with the scripted server of anvil-server.ts (docs/bogo.md). BoGo registers
// private test algorithms (0xff01 shrinking, 0xff02 expanding) in both runner and shim; we implement only the
// RFC 8879 code points, so zlib stands in for them. The CompressedCertificate is in the transcript as sent (§4).
import { describe } from 'vitest';
import { PORTABLE_CERTIFICATE_COMPRESSION } from '../../src/handshake/compression-codecs.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import type { CompressedCertificate } from '../../src/wire/types.js';
import { fails, replay, SUCCEEDS } from './bogo-harness.js';
import { ScriptedServer } from './anvil-server.js';

const ZLIB = 1;
const zlib = PORTABLE_CERTIFICATE_COMPRESSION.find((c) => c.algorithm === 'zlib')!;

/** A handshake whose server sends its Certificate compressed with zlib, the CompressedCertificate as `edit` makes it. */
function compressed(edit: (m: CompressedCertificate) => CompressedCertificate = (m) => m) {
  const server = new ScriptedServer({ certificateCompression: PORTABLE_CERTIFICATE_COMPRESSION });
  const hello = server.serverHello();
  const ee = server.encryptedExtensions();
  const body = encodeHandshake({ kind: 'certificate', context: new Uint8Array(0), entries: server.identity.chain.map((data) => ({ data, extensions: [] })) }).subarray(4);
  const message = edit({ kind: 'compressed_certificate', algorithm: ZLIB, uncompressedLength: body.length, compressed: zlib.compress!(body) });
  const certificate = server.add(message);
  return server.deliver(hello, server.protect(ee, certificate, server.certificateVerify(), server.finished()));
}

describe('addCertCompressionTests (TLS 1.3 client cases)', () => {
  replay([
    { name: 'CertCompressionShrinksClient-TLS13 and CertCompressionExpandsClient-TLS13 (zlib for the test algorithms)', expected: SUCCEEDS, ours: 'continues', run: () => compressed() },
    // RFC 8879 §4: an algorithm we did not offer is illegal_parameter.
    { name: 'CertCompressionBadAlgIDClient-TLS13', expected: fails(':UNKNOWN_CERT_COMPRESSION_ALG:'), ours: 'illegal_parameter', run: () => compressed((m) => ({ ...m, algorithm: 1234 })) },
    // §4: a message that does not decompress to uncompressed_length bytes is bad_certificate.
    { name: 'CertCompressionTooSmallClient-TLS13', expected: fails(':CERT_DECOMPRESSION_FAILED:'), ours: 'bad_certificate', run: () => compressed((m) => ({ ...m, uncompressedLength: 12 })) },
    { name: 'CertCompressionTooLargeClient-TLS13', expected: fails(':UNCOMPRESSED_CERT_TOO_LARGE:'), ours: 'bad_certificate', run: () => compressed((m) => ({ ...m, uncompressedLength: 1 << 20 })) },
  ]);
});
