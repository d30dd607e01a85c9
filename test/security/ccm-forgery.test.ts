// Attacker: forge a record under an AES-CCM suite. CCM_8's tag is 8 bytes (RFC 6655 §3), half of every other
// TLS 1.3 AEAD's, so the record layer must take the tag length from the suite: a layer that assumed 16 would
// take 8 bytes of ciphertext for tag. Whatever the attacker changes, one bit or the tag's length, the
// receiver sends bad_record_mac (RFC 8446 §5.2) and delivers nothing.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { joinRecords, splitRecords, type WireRecord } from '../../src/testing/tamper.js';
import { concat, utf8 } from '../../src/wire/bytes.js';

const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('ccm forgery identity'));

const SUITES = [
  ['TLS_AES_128_CCM_SHA256', 0x1304, 16],
  ['TLS_AES_128_CCM_8_SHA256', 0x1305, 8],
] as const;

const flip = (bytes: Uint8Array, at: number, bit = 0) => bytes.map((b, i) => (i === at ? b ^ (1 << bit) : b));

/** Edits of the one protected record carrying `hello, server` (13 bytes + content type + tag). */
const FORGERIES: Array<[string, (fragment: Uint8Array, tagLength: number) => Uint8Array]> = [
  ['one bit flipped in the first ciphertext byte', (f) => flip(f, 0)],
  ['one bit flipped in the hidden content type', (f, tag) => flip(f, f.length - tag - 1, 7)],
  ['one bit flipped in the first tag byte', (f, tag) => flip(f, f.length - tag, 3)],
  ['one bit flipped in the last tag byte', (f) => flip(f, f.length - 1, 0)],
  ['the tag cut by one byte', (f) => f.subarray(0, f.length - 1)],
  ['the tag cut to nothing', (f, tag) => f.subarray(0, f.length - tag)],
  ['8 zero bytes appended, as if the tag were 16 bytes', (f) => concat(f, new Uint8Array(8))],
];

describe.each(SUITES)('forged records under %s', (name, code, tagLength) => {
  it.each(FORGERIES)('the server sends bad_record_mac for %s, and delivers nothing', (_, forge) => {
    const p = new InMemoryPair(
      { trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom(`ccm forgery c ${name}`), cipherSuites: [code] },
      { certificate: server, now: () => TEST_NOW, random: seededRandom(`ccm forgery s ${name}`), cipherSuites: [code] },
    ).run();
    expect(p.server.info.cipherSuite).toBe(name);
    p.client.write(utf8.encode('hello, server'));
    const [record] = splitRecords(p.client.takeOutput());
    expect(record!.fragment.length).toBe(13 + 1 + tagLength);
    const forged: WireRecord = { ...record!, fragment: forge(record!.fragment, tagLength) };
    p.server.takeEvents();
    p.server.receive(joinRecords([forged]));
    const events = p.server.takeEvents();
    expect(events.filter((e) => e.type === 'data')).toEqual([]);
    expect(events.filter((e) => e.type === 'alert')).toEqual([expect.objectContaining({ direction: 'out', description: 'bad_record_mac' })]);
    expect(p.server.isClosed).toBe(true);
  });
});
