// Certificate compression (RFC 8879) between our client and our server, in memory: each side compresses
// its Certificate with the first algorithm in the peer's compress_certificate list it can compress with,
// the receiver decompresses it, and the handshake (CertificateVerify and Finished over the compressed
// message) completes. With the portable codecs and with node:zlib, which must interoperate.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import { portableZlib } from '../../src/handshake/compression-codecs.js';
import type { CertificateCompressor } from '../../src/handshake/certificate-compression.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { nodeCertificateCompression } from '../../src/node/certificate-compression.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';

const server = makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['server.test'] } }, seededRandom('compression-server'));
const alice = makeIdentity({ subject: { CN: 'alice' }, extKeyUsage: ['clientAuth'] }, seededRandom('compression-alice'));
const now = () => TEST_NOW;

function pair(clientCompression: readonly CertificateCompressor[] | undefined, serverCompression: readonly CertificateCompressor[] | undefined): InMemoryPair {
  const client: ClientConfig = { now, random: seededRandom('cc client'), trust: { kind: 'pinned-certificate', certificates: [server.der] }, certificate: alice };
  const serverConfig: ServerConfig = { now, random: seededRandom('cc server'), certificate: server, clientAuth: 'require', trust: { kind: 'pinned-certificate', certificates: [alice.der] } };
  if (clientCompression) client.certificateCompression = clientCompression;
  if (serverCompression) serverConfig.certificateCompression = serverCompression;
  return new InMemoryPair(client, serverConfig).run();
}

const sent = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'handshake-message' && e.direction === 'out' ? [e] : []));
const compressedSent = (events: TlsEvent[]) => sent(events).flatMap((e) => (e.message.kind === 'compressed_certificate' ? [e.message] : []));

describe('certificate compression (RFC 8879)', () => {
  it('compresses both Certificates with zlib when both sides offer it, and authenticates both', () => {
    const p = pair([portableZlib], [portableZlib]);
    expect(p.client.isConnected && p.server.isConnected).toBe(true);
    const [fromServer] = compressedSent(p.events('server'));
    const [fromClient] = compressedSent(p.events('client'));
    expect(fromServer).toMatchObject({ algorithm: 1 });
    expect(fromServer!.compressed.length).toBeLessThan(fromServer!.uncompressedLength);
    expect(fromClient).toMatchObject({ algorithm: 1 });
    expect(p.server.info.peer?.subject).toBe('CN=alice');
    expect(p.client.info.peer?.subject).toBe('CN=server');
    expect(sent(p.events('server')).map((e) => e.message.kind)).not.toContain('certificate');
  });

  it('sends an uncompressed Certificate when the peer offered nothing, and nothing is offered by default', () => {
    const p = pair(undefined, [portableZlib]);
    expect(p.client.isConnected).toBe(true);
    expect(compressedSent(p.events('server'))).toEqual([]);
    const hello = sent(p.events('client'))[0]!;
    expect(hello.message.kind === 'client_hello' && hello.message.extensions.some((e) => e.type === 27)).toBe(false);
  });

  it("follows the peer's order: brotli first when the client lists it first and the server can compress brotli (node:zlib)", () => {
    const nodeBrotli = nodeCertificateCompression()[1]!;
    const p = pair([nodeBrotli, portableZlib], nodeCertificateCompression());
    expect(compressedSent(p.events('server'))[0]).toMatchObject({ algorithm: 2 });
    expect(p.client.info.peer?.subject).toBe('CN=server');
  });

  it('skips an algorithm the sender can only decompress for the next one it can compress', () => {
    const decompressOnlyZstd: CertificateCompressor = { algorithm: 'zstd', decompress: () => new Uint8Array(0) };
    const p = pair([decompressOnlyZstd, portableZlib], [decompressOnlyZstd, portableZlib]);
    expect(compressedSent(p.events('server'))[0]).toMatchObject({ algorithm: 1 });
    expect(p.client.isConnected).toBe(true);
  });

  it('node:zlib and the portable zlib read each other, both ways', () => {
    for (const [a, b] of [[nodeCertificateCompression(), [portableZlib]], [[portableZlib], nodeCertificateCompression()]] as const) {
      const p = pair(a, b);
      expect(p.client.isConnected && p.server.isConnected).toBe(true);
      expect(compressedSent(p.events('server'))[0]).toMatchObject({ algorithm: 1 });
    }
  });

  it('traces the decompressed Certificate as an event of its own, its bytes annotated, after the CompressedCertificate', () => {
    const client: ClientConfig = { now, random: seededRandom('cc trace'), trust: { kind: 'pinned-certificate', certificates: [server.der] }, certificateCompression: [portableZlib], trace: true };
    const p = new InMemoryPair(client, { now, random: seededRandom('cc trace s'), certificate: server, certificateCompression: [portableZlib] }).run();
    const received = p.events('client').flatMap((e) => (e.type === 'handshake-message' && e.direction === 'in' ? [e] : []));
    const at = received.findIndex((e) => e.message.kind === 'compressed_certificate');
    expect(received[at]!.spans?.some((s) => s.path === 'compressed_certificate.uncompressed_length')).toBe(true);
    const inner = received[at + 1]!;
    expect(inner).toMatchObject({ decompressed: true, message: { kind: 'certificate' } });
    expect(inner.raw.length).toBe(4 + (received[at]!.message as { uncompressedLength: number }).uncompressedLength);
    expect(inner.spans?.some((s) => s.path.startsWith('certificate.certificate_list'))).toBe(true);
  });

  it('refuses a config with an unknown algorithm or one twice, before anything is sent', () => {
    expect(() => pair([{ algorithm: 'lzma' as 'zlib', decompress: (d) => d }], undefined)).toThrow(TypeError);
    expect(() => pair([portableZlib, portableZlib], undefined)).toThrow(TypeError);
  });
});
