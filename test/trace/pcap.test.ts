// The pcap export read back by tshark: synthetic TCP framing that Wireshark accepts (checksums, sequence
// numbers), and with our key log every handshake message of the session decoded, and the HTTP inside.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { InMemoryPair } from '../../src/handshake/pair.js';
import { requireBinary, scratchDirectory } from '../../src/testing/interop.js';
import { KeylogCollector } from '../../src/trace/keylog.js';
import { internetChecksum, toPcap } from '../../src/trace/pcap.js';
import { WALKTHROUGHS } from '../../src/trace/walkthrough.js';

const scratch = scratchDirectory('tls13-lab-pcap-');
const { dir } = scratch;
afterAll(scratch.remove);

function session(slug: string): InMemoryPair {
  const walkthrough = WALKTHROUGHS.find((w) => w.slug === slug);
  if (!walkthrough) throw new Error(`no walkthrough ${slug}`);
  return walkthrough.run().pair;
}

/** Writes the session's pcap and key log; returns their paths. */
function capture(name: string, pair: InMemoryPair): { pcap: string; keylog: string } {
  const pcap = join(dir, `${name}.pcap`);
  const keylog = join(dir, `${name}.keylog`);
  writeFileSync(pcap, toPcap(pair.wire));
  const collector = new KeylogCollector();
  const lines = pair.log.flatMap(({ event }) => collector.add(event) ?? []);
  writeFileSync(keylog, lines.map((l) => `${l}\n`).join(''));
  return { pcap, keylog };
}

function tshark(path: string, args: string[]): string[] {
  const out = execFileSync(path, args, { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
  return out.split('\n').filter((l) => l !== '');
}

/** Every handshake type tshark decoded in the capture, in order of appearance. */
function handshakeTypes(path: string, files: { pcap: string; keylog: string }): number[] {
  return tshark(path, ['-r', files.pcap, '-o', `tls.keylog_file:${files.keylog}`, '-Y', 'tls', '-T', 'fields', '-e', 'tls.handshake.type'])
    .flatMap((l) => l.split(','))
    .map(Number);
}

describe('internet checksum (RFC 1071)', () => {
  it('matches the worked example of RFC 1071 §3', () => {
    // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2 (with carries), whose complement is 220d.
    expect(internetChecksum(Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7))).toBe(0x220d);
  });

  it('pads an odd length with a zero byte', () => {
    expect(internetChecksum(Uint8Array.of(0x01))).toBe(0xfeff);
  });
});

describe('pcap export read by tshark', () => {
  it('frames a session in TCP that tshark accepts: valid checksums, a three-way handshake, FINs, no warnings', (test) => {
    const path = requireBinary('tshark', test);
    const files = capture('framing', session('1-rtt'));
    const checks = tshark(path, ['-r', files.pcap, '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-T', 'fields', '-e', 'ip.checksum.status', '-e', 'tcp.checksum.status', '-e', 'tcp.flags.str']);
    // Status 1 is "Good" in Wireshark's checksum status.
    expect(checks.every((l) => l.startsWith('1\t1\t'))).toBe(true);
    expect(checks.slice(0, 3).map((l) => l.split('\t')[2]!.replace(/·/g, ''))).toEqual(['S', 'AS', 'A']);
    expect(checks.at(-1)!.split('\t')[2]!.replace(/·/g, '')).toBe('A');
    expect(checks.filter((l) => l.includes('F'))).toHaveLength(2);
    const expert = tshark(path, ['-r', files.pcap, '-q', '-z', 'expert,warn']).join('\n');
    expect(expert).not.toMatch(/Warns|Errors/);
  });

  it('decodes every handshake message of a 1-RTT session with our key log, and the HTTP inside', (test) => {
    const path = requireBinary('tshark', test);
    const files = capture('1-rtt', session('1-rtt'));
    expect(handshakeTypes(path, files)).toEqual([1, 2, 8, 11, 15, 20, 20]);
    const http = tshark(path, ['-r', files.pcap, '-o', `tls.keylog_file:${files.keylog}`, '-Y', 'http', '-T', 'fields', '-e', 'http.request.method', '-e', 'http.response.code']);
    expect(http).toEqual(['GET\t', '\t204']);
  });

  it('decodes nothing encrypted without the key log', (test) => {
    const path = requireBinary('tshark', test);
    const files = capture('no-keylog', session('1-rtt'));
    expect(tshark(path, ['-r', files.pcap, '-Y', 'tls', '-T', 'fields', '-e', 'tls.handshake.type']).flatMap((l) => l.split(',')).map(Number)).toEqual([1, 2]);
  });

  it('decodes CertificateRequest and the client Certificate and CertificateVerify of mutual TLS', (test) => {
    const path = requireBinary('tshark', test);
    expect(handshakeTypes(path, capture('mtls', session('mutual-tls-pinned')))).toEqual([1, 2, 8, 13, 11, 15, 20, 11, 15, 20]);
  });

  it('decodes a resumed session: no certificates, and the NewSessionTicket', (test) => {
    const path = requireBinary('tshark', test);
    expect(handshakeTypes(path, capture('resumption', session('resumption')))).toEqual([1, 2, 8, 20, 20, 4]);
  });

  it('decodes a 0-RTT session with EndOfEarlyData', (test) => {
    const path = requireBinary('tshark', test);
    expect(handshakeTypes(path, capture('0-rtt', session('0-rtt')))).toEqual([1, 2, 8, 20, 5, 20, 4]);
  });

  it('decodes both ClientHellos around a HelloRetryRequest', (test) => {
    const path = requireBinary('tshark', test);
    // tshark shows the HelloRetryRequest as a ServerHello (type 2), as it is on the wire.
    expect(handshakeTypes(path, capture('hrr', session('hello-retry-request')))).toEqual([1, 2, 1, 2, 8, 11, 15, 20, 20]);
  });
});
