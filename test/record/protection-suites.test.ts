// RecordProtection with every TLS 1.3 AEAD and both providers, on full 16 KiB records: records are sealed in
// place into one new array each, so these are the attacker's and the owner's tests of that path (RFC 8446 §5.2,
// §5.3). Expected bytes come from the other provider's bare AEAD and the bigint nonce of helpers.ts.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { AEAD_TAG_LENGTHS, type AeadName, type CryptoProvider } from '../../src/crypto/provider.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { RecordProtection } from '../../src/record/protection.js';
import { hex } from '../../src/wire/bytes.js';
import { ContentType } from '../../src/wire/enums.js';
import { expectTlsError, nonceFor } from './helpers.js';

const AEADS: AeadName[] = ['AES-128-GCM', 'AES-256-GCM', 'ChaCha20-Poly1305', 'AES-128-CCM', 'AES-128-CCM-8'];
const PROVIDERS: [string, CryptoProvider, CryptoProvider][] = [
  ['noble', nobleProvider, nodeCryptoProvider],
  ['node:crypto', nodeCryptoProvider, nobleProvider],
];
const FULL = 2 ** 14;

/** True when two views share a byte of memory. */
const overlap = (a: Uint8Array, b: Uint8Array) =>
  a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.length && b.byteOffset < a.byteOffset + a.length;

describe.each(PROVIDERS)('RecordProtection on %s', (_, provider, other) => {
  describe.each(AEADS)('%s', (aead) => {
    const key = randomBytes(provider.aeadKeyLength(aead));
    const iv = randomBytes(12);
    const tagLength = AEAD_TAG_LENGTHS[aead];
    const make = () => new RecordProtection(provider, aead, key, iv);
    const content = randomBytes(FULL);

    /** The inner plaintext of record `sequence`, opened by the other provider's bare AEAD at the §5.3 nonce. */
    const openElsewhere = (record: Uint8Array, sequence: bigint) =>
      other.createAead(aead, key).open(nonceFor(iv, sequence), record.subarray(0, 5), record.subarray(5));

    it('seals consecutive records under consecutive nonces iv XOR 0..3, never the same one twice (a Buffer IV too)', () => {
      // iv is a Buffer, whose slice() is a view: a nonce derived by slice() and XOR would rewrite the IV.
      const sender = make();
      const records = [0, 1, 2, 3].map(() => sender.seal(ContentType.application_data, content));
      expect(Array.from(records[0]!.subarray(0, 5))).toEqual([23, 3, 3, (FULL + 1 + tagLength) >> 8, (FULL + 1 + tagLength) & 0xff]);
      expect(new Set(records.map((r) => hex(r.subarray(5)))).size).toBe(4);
      const inner = new Uint8Array(FULL + 1);
      inner.set(content);
      inner[FULL] = ContentType.application_data;
      records.forEach((record, n) => expect(hex(openElsewhere(record, BigInt(n))!)).toBe(hex(inner)));
      expect(openElsewhere(records[1]!, 0n)).toBeNull();
    });

    it('gives each record bytes of its own: 20 records on, the first is unchanged, none overlap, padding is zeros', () => {
      const sender = make();
      const first = sender.seal(ContentType.application_data, content);
      const snapshot = hex(first);
      const later = Array.from({ length: 20 }, () => sender.seal(ContentType.application_data, randomBytes(FULL)));
      const padded = sender.seal(ContentType.handshake, content.subarray(0, 100), 50);
      expect(hex(openElsewhere(padded, 21n)!)).toBe(hex(content.subarray(0, 100)) + '16' + '00'.repeat(50));
      expect(hex(first)).toBe(snapshot);
      const records = [first, ...later, padded];
      for (const [i, a] of records.entries()) for (const b of records.slice(i + 1)) expect(overlap(a, b)).toBe(false);
    });

    it('never writes to the caller content it seals', () => {
      const mine = Uint8Array.from(content);
      make().seal(ContentType.application_data, mine);
      expect(hex(mine)).toBe(hex(content));
    });

    it('opens what it sealed and leaves the received bytes untouched; the content is not a view of them', () => {
      const record = make().seal(ContentType.application_data, content);
      const received = hex(record);
      const opened = make().open(record);
      expect(opened.contentType).toBe(ContentType.application_data);
      expect(hex(opened.content)).toBe(hex(content));
      expect(hex(record)).toBe(received);
      expect(opened.content.buffer).not.toBe(record.buffer);
    });

    it('rejects a truncated record as bad_record_mac, its length field made to match: one byte short, and shorter than the tag', () => {
      const record = make().seal(ContentType.application_data, content);
      for (const kept of [record.length - 1, 5 + tagLength - 1, 5]) {
        const cut = record.slice(0, kept);
        cut[3] = (kept - 5) >> 8;
        cut[4] = (kept - 5) & 0xff;
        const receiver = make();
        expectTlsError(() => receiver.open(cut), 'BadRecordMac', 'bad_record_mac');
        expect(receiver.sequenceNumber).toBe(0);
      }
    });

    it('returns content of its own: a caller holding it while the next records are opened from the same memory keeps its bytes', () => {
      const sender = make();
      const receiver = make();
      const contents = [0, 1, 2].map(() => randomBytes(FULL));
      const received = new Uint8Array(5 + FULL + 1 + tagLength); // one receive buffer, reused for every record
      const held = contents.map((sent) => {
        received.set(sender.seal(ContentType.application_data, sent));
        return receiver.open(received).content;
      });
      held.forEach((content, i) => expect(hex(content)).toBe(hex(contents[i]!)));
    });

    it.each([
      ['the type byte of the header', 0],
      ['the version in the header', 2],
      ['the first ciphertext byte', 5],
      ['a ciphertext byte in the middle', 5 + FULL / 2],
      ['the content type byte under encryption', 5 + FULL],
      ['the first tag byte', 5 + FULL + 1],
      ['the last tag byte', 5 + FULL + 1 + tagLength - 1],
    ])('rejects a record with a flipped bit in %s as bad_record_mac, returning no plaintext and keeping its place', (_, at) => {
      const record = make().seal(ContentType.application_data, content);
      const genuine = hex(record);
      record[at]! ^= 0x80;
      const tampered = hex(record);
      const receiver = make();
      expectTlsError(() => receiver.open(record), 'BadRecordMac', 'bad_record_mac');
      expect(hex(record)).toBe(tampered);
      expect(receiver.sequenceNumber).toBe(0);
      record[at]! ^= 0x80;
      expect(hex(record)).toBe(genuine);
      expect(hex(receiver.open(record).content)).toBe(hex(content));
    });
  });
});

describe('a provider without AeadKey.sealInto (written before it existed)', () => {
  it('seals the same records through seal(), which the other provider opens', () => {
    const aead: AeadName = 'AES-128-GCM';
    const withoutSealInto: Pick<CryptoProvider, 'createAead' | 'aeadKeyLength'> = {
      aeadKeyLength: nobleProvider.aeadKeyLength,
      createAead: (name, key) => {
        const inner = nobleProvider.createAead(name, key);
        return { seal: (nonce, aad, plaintext) => inner.seal(nonce, aad, plaintext), open: (nonce, aad, sealed) => inner.open(nonce, aad, sealed) };
      },
    };
    const key = randomBytes(16);
    const iv = randomBytes(12);
    const content = randomBytes(100);
    const [legacy, current] = [new RecordProtection(withoutSealInto, aead, key, iv), new RecordProtection(nobleProvider, aead, key, iv)];
    for (let n = 0; n < 3; n++) {
      const record = legacy.seal(ContentType.application_data, content, n);
      expect(hex(record)).toBe(hex(current.seal(ContentType.application_data, content, n)));
      expect(hex(nodeCryptoProvider.createAead(aead, key).open(nonceFor(iv, BigInt(n)), record.subarray(0, 5), record.subarray(5))!)).toContain(hex(content));
    }
  });
});
