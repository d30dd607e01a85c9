// Certificate compression (RFC 8879) checked by an independent decoder: tshark (Wireshark's TLS dissector)
// reads a capture of our client and server, decrypted with their key log, and must find compress_certificate
// in the ClientHello and CertificateRequest and decode both CompressedCertificate messages as we meant them.
// No peer installed here speaks RFC 8879 (OpenSSL 3.0 predates it; this GnuTLS 3.7.9 was built without
// --compress-cert methods; Node 26's OpenSSL 3.5.8 does not offer it), so tshark is the outside witness.
// A missing tshark skips loudly (fails with REQUIRE_INTEROP=1).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import { portableZlib } from '../../src/handshake/compression-codecs.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { nodeCertificateCompression } from '../../src/node/certificate-compression.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { requireBinary, scratchDirectory } from '../../src/testing/interop.js';
import { KeylogCollector } from '../../src/trace/keylog.js';
import { toPcap } from '../../src/trace/pcap.js';
import { utf8 } from '../../src/wire/bytes.js';

const scratch = scratchDirectory('tls13-cert-compression-');
afterAll(scratch.remove);

const server = makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['server.test'] } }, seededRandom('tshark-compression-server'));
const alice = makeIdentity({ subject: { CN: 'alice' }, extKeyUsage: ['clientAuth'] }, seededRandom('tshark-compression-alice'));

describe('certificate compression read by tshark', () => {
  it("decodes compress_certificate and both CompressedCertificate messages (brotli from the server, zlib from the client)", (test) => {
    const tshark = requireBinary('tshark', test);
    const pair = new InMemoryPair(
      { now: () => TEST_NOW, random: seededRandom('tshark cc client'), serverName: 'server.test', trust: { kind: 'pinned-certificate', certificates: [server.der] }, certificate: alice, certificateCompression: [nodeCertificateCompression()[1]!, portableZlib] },
      { now: () => TEST_NOW, random: seededRandom('tshark cc server'), certificate: server, clientAuth: 'require', trust: { kind: 'pinned-certificate', certificates: [alice.der] }, certificateCompression: [portableZlib, ...nodeCertificateCompression().slice(1, 2)] },
    ).run();
    pair.client.write(utf8.encode('hello'));
    pair.run();
    const collector = new KeylogCollector();
    const pcap = join(scratch.dir, 'cc.pcap');
    writeFileSync(pcap, toPcap(pair.wire));
    const keylog = scratch.file('cc.keylog', pair.log.flatMap(({ event }) => collector.add(event) ?? []).map((l) => `${l}\n`).join(''));
    const sent = pair.log.flatMap(({ side, event }) => (event.type === 'handshake-message' && event.direction === 'out' && event.message.kind === 'compressed_certificate' ? [{ side, ...event.message }] : []));
    expect(sent.map((m) => [m.side, m.algorithm])).toEqual([['server', 2], ['client', 1]]);
    // tshark's own reading of each CompressedCertificate: its algorithm and uncompressed_length.
    const verbose = execFileSync(tshark, ['-r', pcap, '-o', `tls.keylog_file:${keylog}`, '-V', '-Y', 'tls.handshake.type == 25'], { encoding: 'utf8' });
    const decoded = [...verbose.matchAll(/Handshake Type: Compressed Certificate \(25\)\n\s+Length: \d+\n\s+Algorithm: (\w+) \((\d+)\)\n\s+Uncompressed Length: (\d+)/g)].map((m) => [m[1], Number(m[2]), Number(m[3])]);
    expect(decoded).toEqual([
      ['brotli', 2, sent[0]!.uncompressedLength],
      ['zlib', 1, sent[1]!.uncompressedLength],
    ]);
    const extensions = execFileSync(tshark, ['-r', pcap, '-o', `tls.keylog_file:${keylog}`, '-Y', 'tls.handshake.type == 1 || tls.handshake.type == 13', '-T', 'fields', '-e', 'tls.handshake.type', '-e', 'tls.handshake.extension.type'], { encoding: 'utf8' });
    for (const line of extensions.trim().split('\n')) expect(line.split('\t')[1]!.split(',')).toContain('27');
  });
});
