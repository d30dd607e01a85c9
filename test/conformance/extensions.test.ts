// Extensions the server does not know, as tlsfuzzer's test-tls13-large-number-of-extensions sends them: every
// code point it calls unassigned, 4,096 empty ones or 1,024 with random bodies per ClientHello. Each is
// ignored (RFC 8446 §4.1.2: "Servers MUST ignore unrecognized extensions"), and neither the ServerHello
// (key_share and supported_versions only) nor the EncryptedExtensions (empty) answers any of them.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { Extension } from '../../src/wire/types.js';
import { expectAbort, ext, feedServer, helloWith } from '../handshake/abort-harness.js';
import { accepted, plaintextRecords } from './harness.js';

const COMPRESS_CERTIFICATE = 27;
const RENEGOTIATION_INFO = 0xff01;

/** The script's list: 2-4, 6-9, 11, 12, 17, 22-27, 29-40, 46, 52-65535 (renegotiation_info dropped, as it does). */
const SCRIPT_IDS = [
  ...[2, 3, 4, 6, 7, 8, 9, 11, 12, 17, 22, 23, 24, 25, 26, 27],
  ...Array.from({ length: 12 }, (_, i) => 29 + i),
  46,
  ...Array.from({ length: 65536 - 52 }, (_, i) => 52 + i),
].filter((id) => id !== RENEGOTIATION_INFO);
/** compress_certificate (RFC 8879) is no longer unassigned: we implement it, so the script runs with --exc 27. */
const UNKNOWN_IDS = SCRIPT_IDS.filter((id) => id !== COMPRESS_CERTIFICATE);

function chunks(ids: number[], size: number): number[][] {
  return Array.from({ length: Math.ceil(ids.length / size) }, (_, i) => ids.slice(i * size, (i + 1) * size));
}

/** The server's answer to a ClientHello with `extensions` before its own: ServerHello and EncryptedExtensions. */
function answer(extensions: Extension[]) {
  const result = feedServer(plaintextRecords(helloWith((h) => h.extensions.unshift(...extensions))));
  const sent = result.events.flatMap((e) => (e.type === 'handshake-message' && e.direction === 'out' ? [e.message] : []));
  return { result, sent };
}

function expectIgnored(extensions: Extension[]): void {
  const { result, sent } = answer(extensions);
  expect(accepted(result)).toBe(true);
  const serverHello = sent.find((m) => m.kind === 'server_hello');
  const encryptedExtensions = sent.find((m) => m.kind === 'encrypted_extensions');
  expect(serverHello?.kind === 'server_hello' && serverHello.extensions.map((e) => e.type).sort()).toEqual([43, 51]);
  expect(encryptedExtensions?.kind === 'encrypted_extensions' && encryptedExtensions.extensions).toEqual([]);
}

describe('test-tls13-large-number-of-extensions (run with --exc 27)', () => {
  it('"empty unassigned extensions": every chunk of 4,096 is ignored', () => {
    for (const chunk of chunks(UNKNOWN_IDS, 4096)) expectIgnored(chunk.map((id) => ext(id, [])));
  });

  it('"unassigned extensions with random payload": every chunk of 1,024, bodies of 0 to 64 random bytes, is ignored', () => {
    const random = seededRandom('large number of extensions');
    for (const chunk of chunks(UNKNOWN_IDS, 1024)) expectIgnored(chunk.map((id) => ext(id, random(random(1)[0]! % 65))));
  });

  it('without --exc 27 the first chunk holds an empty compress_certificate: decode_error (RFC 8879 §3: <2..2^8-2>), as OpenSSL answers', () => {
    expectAbort(answer(chunks(SCRIPT_IDS, 4096)[0]!.map((id) => ext(id, []))).result, 'decode_error', { plaintext: true });
  });
});
