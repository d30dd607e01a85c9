// Attacker's shapes for the pcap writer (what `demo --pcap` and the lab's download write): a learner's
// tampering (a record dropped, duplicated, swapped, a certificate replaced, a byte of a record header set to
// 0xff) and segments no TLS peer sends (empty, 70 000 bytes, one byte over a TCP segment). Read back by
// tshark: every frame within the Ethernet MTU and the file's snaplen, checksums valid, no expert warning or
// malformed packet at the TCP/IP level. Found to hold: trace/pcap.ts cuts every payload at the MSS (1460).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runLab } from '../../src/lab/run.js';
import type { Tamper } from '../../src/lab/tamper.js';
import { requireBinary, scratchDirectory } from '../../src/testing/interop.js';
import { toPcap, type PcapSegment } from '../../src/trace/pcap.js';

const scratch = scratchDirectory('tls13-pcap-shapes-');
afterAll(scratch.remove);

const TAMPERS: Tamper[][] = [
  [{ at: 1, op: { kind: 'duplicate', side: 'server', record: 0 } }],
  [{ at: 1, op: { kind: 'reorder', side: 'server', record: 0 } }],
  [{ at: 1, op: { kind: 'drop', side: 'server', record: 1 } }],
  [{ at: 1, op: { kind: 'replace-certificate', side: 'server' } }],
  [{ at: 0, op: { kind: 'edit-record-byte', side: 'client', record: 0, offset: 3, value: 0xff } }],
];
const SHAPES: PcapSegment[] = [
  { from: 'client', bytes: new Uint8Array(0) },
  { from: 'server', bytes: new Uint8Array(70_000).fill(0x17) },
  { from: 'client', bytes: new Uint8Array(1461).fill(0x16) },
];

/** Frame lengths, checksum verdicts and warnings of the TCP/IP layers, as tshark reads the file. */
function read(tshark: string, name: string, pcap: Uint8Array) {
  const file = join(scratch.dir, `${name}.pcap`);
  writeFileSync(file, pcap);
  const run = (args: string[]) => execFileSync(tshark, ['-r', file, ...args], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
  const fields = run(['-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-T', 'fields', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'ip.checksum.status', '-e', 'tcp.checksum.status', '-e', '_ws.malformed'])
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t'));
  // Warnings and errors of the link, IP and TCP layers (a tampered TLS record may be malformed TLS: that is what was sent).
  const expert = run(['-q', '-z', 'expert,warn']).split('\n').filter((l) => /\b(TCP|IPv4|Ethernet|Frame)\b/.test(l));
  return { fields, expert };
}

describe('pcap writer: tampered sessions and odd segments, read by tshark', () => {
  it('every frame within 1514 bytes and captured whole, checksums good, no TCP/IP warning', (test) => {
    const tshark = requireBinary('tshark', test);
    const captures = [...TAMPERS.map((tampers, i) => ({ name: `tamper-${i}`, pcap: toPcap(runLab({ scenario: '1rtt', seed: 'pcap-shapes' }, tampers).pair.wire) })), { name: 'shapes', pcap: toPcap(SHAPES) }];
    for (const { name, pcap } of captures) {
      const { fields, expert } = read(tshark, name, pcap);
      expect(fields.length).toBeGreaterThan(6);
      for (const [length, captured, ip, tcp, malformed] of fields) {
        expect(Number(length)).toBeLessThanOrEqual(1514);
        expect(captured).toBe(length);
        expect([ip, tcp]).toEqual(['1', '1']); // Wireshark's checksum status 1: good
        expect(malformed ?? '').toBe('');
      }
      expect(expert).toEqual([]);
    }
    // 70 000 bytes in 48 segments of at most 1460, 1461 in two: none lost, none doubled.
    expect(read(tshark, 'shapes', toPcap(SHAPES)).fields.length).toBe(3 + 48 + 2 + 3);
  }, 60_000);
});
