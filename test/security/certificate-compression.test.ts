// Attacker's scripts against certificate compression (RFC 8879 §4, §5): a server (or an attacker who holds
// its handshake keys: the position of tamper.ts) rewrites the CompressedCertificate our client receives.
// Every one must end in the RFC's alert at bounded memory: the decompressor is never asked for more than the
// declared length + 1, and a declared length beyond our limit is refused before any decompression.
import * as zlib from 'node:zlib';
import { brotliCompressSync } from 'node:zlib';
import { zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { CertificateCompressor } from '../../src/handshake/certificate-compression.js';
import { PORTABLE_CERTIFICATE_COMPRESSION, portableZlib } from '../../src/handshake/compression-codecs.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { nodeCertificateCompression } from '../../src/node/certificate-compression.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { announcedSecret, editProtectedHandshake, suiteNamed } from '../../src/testing/tamper.js';
import { concat } from '../../src/wire/bytes.js';
import type { CompressedCertificate, HandshakeMessage } from '../../src/wire/types.js';

/**
 * 17 bytes of zstd (RFC 8878 §3.1.1) that ask for 10,000 long matches: one compressed block with no literals,
 * 10,000 sequences in RLE mode, match-length code 52. fzstd 0.1.1 stops writing at its buffer's end but not
 * copying: this took it 1.8 s, and a 64 KiB message holds thousands of such blocks (found by the attack review).
 */
const ZSTD_CPU_BOMB = (() => {
  const block = [0x00, 128 + 39, 16, 0x54, 0, 0, 52, 0x01];
  const header = 1 | (2 << 1) | (block.length << 3); // Last_Block, Block_Type 2 (compressed), Block_Size
  return Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x00, header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff, ...block]);
})();

const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('compression-attacks-server'));

/** A decompressor that records what it was asked for and what it gave. */
function spying(inner: CertificateCompressor) {
  const calls: Array<{ limit: number; produced?: number }> = [];
  const compressor: CertificateCompressor = {
    ...inner,
    decompress: (data, limit) => {
      const call: { limit: number; produced?: number } = { limit };
      calls.push(call);
      const out = inner.decompress(data, limit);
      call.produced = out.length;
      return out;
    },
  };
  return { compressor, calls };
}

/**
 * The client offers `clientCompression`; the server (which compresses with zlib) sends its flight, whose
 * CompressedCertificate `edit` rewrites (or, for a server without compression, whose Certificate it replaces).
 */
function attack(edit: (message: CompressedCertificate | undefined, certificateBody: Uint8Array) => HandshakeMessage, clientCompression: CertificateCompressor[] | undefined, serverCompresses = true) {
  const pair = new InMemoryPair(
    { now: () => TEST_NOW, random: seededRandom('cc attack client'), trust: { kind: 'pinned-certificate', certificates: [server.der] }, ...(clientCompression ? { certificateCompression: clientCompression } : {}) },
    { now: () => TEST_NOW, random: seededRandom('cc attack server'), certificate: server, ...(serverCompresses ? { certificateCompression: [portableZlib] } : {}) },
  );
  pair.step('client');
  const queue = pair.pull('server');
  const flight = concat(...queue.splice(0).map((r) => r.bytes));
  const keys = { suite: suiteNamed(pair.server.info.cipherSuite), secret: announcedSecret(pair.events('server'), 'server_handshake_traffic_secret') };
  const edited = editProtectedHandshake(flight, keys, (messages) =>
    messages.map((m) => {
      if (m.kind === 'compressed_certificate') return edit(m, portableZlib.decompress(m.compressed, m.uncompressedLength));
      if (m.kind === 'certificate') return edit(undefined, new Uint8Array(0));
      return m;
    }),
  );
  queue.push({ seq: 0, from: 'server', bytes: edited });
  pair.run();
  return {
    alerts: pair.events('client').flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : [])),
    connected: pair.client.isConnected,
    peer: pair.client.info.peer,
  };
}

const refused = (alert: string) => ({ alerts: [alert], connected: false, peer: undefined });

describe('certificate compression under attack (RFC 8879 §4)', () => {
  it('ends a zlib bomb that claims a small uncompressed_length in bad_certificate, decompressing at most that length + 1', () => {
    const spy = spying(portableZlib);
    const bomb = zlibSync(new Uint8Array(8 * 1024 * 1024)); // 8 MiB of zeros in about 8 KiB
    expect(attack((m) => ({ ...m!, uncompressedLength: 1000, compressed: bomb }), [spy.compressor])).toEqual(refused('bad_certificate'));
    expect(spy.calls).toEqual([{ limit: 1001, produced: 1001 }]);
  });

  it('stops reading a zlib bomb once it passes the declared length: CPU is bounded, not only memory', () => {
    // fflate given an output buffer drops what does not fit but goes on inflating to the end of the input:
    // 60 KiB of bomb cost 245 ms per message that way. The bomb's tail is cut off here, so a decompressor that
    // reads on to the end fails on it ("unexpected EOF"); one that stops at the limit never sees it.
    const spy = spying(portableZlib);
    const bomb = zlibSync(new Uint8Array(8 * 1024 * 1024));
    const truncated = bomb.subarray(0, bomb.length - 16);
    expect(attack((m) => ({ ...m!, uncompressedLength: 1000, compressed: truncated }), [spy.compressor])).toEqual(refused('bad_certificate'));
    expect(spy.calls).toEqual([{ limit: 1001, produced: 1001 }]);
  });

  it('ends the same bomb in bad_certificate with node:zlib (maxOutputLength), too', () => {
    const zlib = nodeCertificateCompression()[0]!;
    const spy = spying(zlib);
    const bomb = zlibSync(new Uint8Array(8 * 1024 * 1024));
    expect(attack((m) => ({ ...m!, uncompressedLength: 1000, compressed: bomb }), [spy.compressor])).toEqual(refused('bad_certificate'));
    expect(spy.calls).toEqual([{ limit: 1001 }]); // node:zlib threw instead of producing more
  });

  it('ends a brotli bomb (node:zlib) in bad_certificate at the declared length + 1', () => {
    const brotli = nodeCertificateCompression()[1];
    const zeros = new Uint8Array(8 * 1024 * 1024);
    const brotliSpy = spying(brotli!);
    const brotliBomb = new Uint8Array(brotliCompressSync(zeros));
    expect(attack((m) => ({ ...m!, algorithm: 2, uncompressedLength: 1000, compressed: brotliBomb }), [portableZlib, brotliSpy.compressor])).toEqual(refused('bad_certificate'));
    expect(brotliSpy.calls).toEqual([{ limit: 1001 }]);
  });

  it('offers zstd only with a decoder bounded in CPU (node:zlib, Node 22.15+): the 17-byte fzstd bomb decodes nowhere', () => {
    const offered = nodeCertificateCompression();
    const zstd = offered.find((c) => c.algorithm === 'zstd');
    expect(PORTABLE_CERTIFICATE_COMPRESSION.map((c) => c.algorithm)).toEqual(['zlib']);
    expect(zstd === undefined).toBe(!('zstdDecompressSync' in zlib)); // never fzstd's unbounded loop as a fallback
    // Without node:zlib's zstd we never offer it, so the frame is an algorithm we did not offer (RFC 8879 §4);
    // with it, node:zlib stops at maxOutputLength.
    const expected = zstd ? 'bad_certificate' : 'illegal_parameter';
    expect(attack((m) => ({ ...m!, algorithm: 3, uncompressedLength: 1000, compressed: ZSTD_CPU_BOMB }), offered)).toEqual(refused(expected));
  });

  it('refuses a huge uncompressed_length with bad_certificate before decompressing anything', () => {
    const spy = spying(portableZlib);
    expect(attack((m) => ({ ...m!, uncompressedLength: 0xffffff }), [spy.compressor])).toEqual(refused('bad_certificate'));
    expect(spy.calls).toEqual([]);
  });

  it('refuses an algorithm the client did not offer with illegal_parameter', () => {
    expect(attack((m) => ({ ...m!, algorithm: 2 }), [portableZlib])).toEqual(refused('illegal_parameter'));
  });

  it('refuses a declared length that differs from the actual one with bad_certificate, shorter or longer', () => {
    expect(attack((m) => ({ ...m!, uncompressedLength: m!.uncompressedLength + 10 }), [portableZlib])).toEqual(refused('bad_certificate'));
    expect(attack((m) => ({ ...m!, uncompressedLength: m!.uncompressedLength - 10 }), [portableZlib])).toEqual(refused('bad_certificate'));
  });

  it('refuses a stream that does not decompress with bad_certificate', () => {
    expect(attack((m) => ({ ...m!, compressed: m!.compressed.map((b, i) => (i > 2 ? b ^ 0x55 : b)) }), [portableZlib])).toEqual(refused('bad_certificate'));
  });

  it('refuses a CompressedCertificate sent to a client that offered no compression with unexpected_message', () => {
    const forged = (_: CompressedCertificate | undefined) => ({ kind: 'compressed_certificate' as const, algorithm: 1, uncompressedLength: 4, compressed: zlibSync(new Uint8Array(4)) });
    expect(attack(forged, undefined, false)).toEqual(refused('unexpected_message'));
  });

  it('accepts the untouched CompressedCertificate (the harness itself changes nothing)', () => {
    const result = attack((m) => m!, [portableZlib]);
    expect(result.alerts).toEqual([]);
    expect(result.peer?.subject).toBe('CN=server');
  });
});
