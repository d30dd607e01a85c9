// Attacker's script against record keys derived on the first record (keyschedule.ts TrafficSecretKeys): a provider
// whose hkdfExpand returns views of one reused buffer (against crypto/provider.ts, "Results are the caller's",
// but what a wasm HKDF returning a view of its memory does) and ignores `output`, as providers written before that
// parameter do. The key was derived first and the IV second: the IV's computation overwrote the buffer the key was
// a view of, and the engine's wipe of the provider's IV array (resultInto) zeroed it, so every record key was twelve
// zero bytes and four secret ones: 32 unknown bits, searched in seconds, for whatever was sealed before such a
// handshake failed (a server's encrypted flight, a client's 0-RTT data). Was open. Now the IV is derived first,
// and the key is the last array the provider gives, which nothing of the engine writes.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { trafficKeys, trafficProtection } from '../../src/handshake/keyschedule.js';
import { suiteNamed } from '../../src/testing/tamper.js';
import { RecordProtection } from '../../src/record/protection.js';
import { hex, utf8 } from '../../src/wire/bytes.js';
import { ContentType } from '../../src/wire/enums.js';

const suite = suiteNamed('TLS_AES_128_GCM_SHA256');
const secret = new Uint8Array(32).map((_, i) => 0x40 + i);

/** Every hkdfExpand result a view of one buffer, `output` ignored; the keys each AEAD was made with, as given. */
function sharingProvider(aeadKeys: string[]): CryptoProvider {
  const shared = new Uint8Array(64);
  return {
    ...nobleProvider,
    hkdfExpand(hash, prk, info, length) {
      shared.set(nobleProvider.hkdfExpand(hash, prk, info, length));
      return shared.subarray(0, length);
    },
    createAead(aead, key) {
      aeadKeys.push(hex(key));
      return nobleProvider.createAead(aead, key);
    },
  };
}

describe('a provider whose HKDF-Expand results share one buffer', () => {
  it('the record key is the traffic secret\'s key (RFC 8446 §7.3), not one with its first twelve bytes wiped', () => {
    const aeadKeys: string[] = [];
    const sealed = trafficProtection(sharingProvider(aeadKeys), suite, secret).seal(ContentType.application_data, utf8.encode('0-RTT data'));
    const honest = trafficKeys(nobleProvider, suite, secret);
    expect(aeadKeys).toEqual([hex(honest.key)]);
    const opened = new RecordProtection(nobleProvider, suite.aead, honest.key, honest.iv).open(sealed);
    expect(utf8.decode(opened.content)).toBe('0-RTT data');
  });
});
