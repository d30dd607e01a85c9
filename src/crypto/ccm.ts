// AES-CCM, Counter with CBC-MAC (RFC 3610; NIST SP 800-38C), built on @noble/ciphers' AES, which has no CCM.
// TLS 1.3 uses it with a 12-byte nonce and a 16-byte (TLS_AES_128_CCM_SHA256) or 8-byte
// (TLS_AES_128_CCM_8_SHA256) tag (RFC 8446 §B.4, RFC 5116 §5.3, RFC 6655 §3). The construction is general in
// the RFC 3610 parameters so that its published test vectors apply: M (tag) 4..16 even, nonce 7..13 bytes,
// L = 15 - nonce length bytes of message length.
//
// Both halves come from noble's public AES modes over one key:
// - the CBC-MAC is the last block of CBC encryption (zero IV, no padding) of B_0 | encoded AAD | message,
//   each part zero-padded to whole blocks (RFC 3610 §2.2);
// - the encryption is CTR from A_0: the first key-stream block S_0 masks the tag, S_1... the message
//   (§2.3). noble's CTR carries over all 16 bytes, CCM's counter is the last L bytes; they agree because a
//   message fits in L bytes of length, so the counter never overflows them.
import { cbc, ctr } from '@noble/ciphers/aes.js';
import { constantTimeEqual } from '../wire/bytes.js';
import { InPlaceAead } from './provider.js';

const BLOCK = 16;

export interface Ccm {
  readonly tagLength: number;
  /** ciphertext | tag. */
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** ciphertext | tag into `output`, which may begin at `plaintext` itself (sealing in place). */
  sealInto(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, output: Uint8Array): void;
  /** The plaintext, or null when the tag does not verify; no plaintext is released before it does. */
  open(nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | null;
}

/** AES-CCM under `key` (16, 24 or 32 bytes) with an M-byte tag. */
export function aesCcm(key: Uint8Array, tagLength: number): Ccm {
  if (![16, 24, 32].includes(key.length)) throw new Error(`AES-CCM needs a 16, 24 or 32-byte key, got ${key.length}`);
  if (tagLength < 4 || tagLength > 16 || tagLength % 2 !== 0) throw new Error(`AES-CCM tag length ${tagLength} is not one of 4, 6, ..., 16 (RFC 3610 §2)`);
  // A copy of our own: new Uint8Array copies, a Buffer's slice() would be a view of the caller's key.
  return new AesCcm(new Uint8Array(key), tagLength);
}

class AesCcm extends InPlaceAead implements Ccm {
  /** The key, in a private field: util.inspect and JSON of a connection never show it (docs/security.md). */
  readonly #key: Uint8Array;

  constructor(key: Uint8Array, tagLength: number) {
    super('AES-CCM', tagLength);
    this.#key = key;
  }

  /** mac() and crypt() copy the plaintext before anything is written to `output`, so it may alias it. */
  protected sealChecked(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, output: Uint8Array): void {
    const L = lengthFieldSize(nonce, plaintext.length);
    const { tag, data } = this.crypt(nonce, L, this.mac(nonce, L, aad, plaintext), plaintext);
    output.set(data);
    output.set(tag, data.length);
  }

  open(nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | null {
    const tagLength = this.tagLength;
    if (sealed.length < tagLength) return null;
    const L = lengthFieldSize(nonce, sealed.length - tagLength);
    const received = sealed.subarray(sealed.length - tagLength);
    const { tag: expectedMask, data: plaintext } = this.crypt(nonce, L, received, sealed.subarray(0, sealed.length - tagLength));
    // expectedMask = received XOR S_0, i.e. the T the sender computed if the record is genuine.
    return constantTimeEqual(expectedMask, this.mac(nonce, L, aad, plaintext)) ? plaintext : null;
  }

  /** T, the first M bytes of the CBC-MAC over B_0, the encoded AAD and the message (RFC 3610 §2.2). */
  private mac(nonce: Uint8Array, L: number, aad: Uint8Array, message: Uint8Array): Uint8Array {
    const aadLengthBytes = aad.length === 0 ? 0 : aad.length < 0xff00 ? 2 : 6;
    const aadPart = padded(aadLengthBytes + aad.length);
    const input = new Uint8Array(BLOCK + aadPart + padded(message.length));
    // B_0: flags (Adata, M' = (M-2)/2, L' = L-1), the nonce, l(m) in L bytes.
    input[0] = (aad.length > 0 ? 0x40 : 0) | (((this.tagLength - 2) / 2) << 3) | (L - 1);
    input.set(nonce, 1);
    for (let i = 0, n = message.length; i < L && n > 0; i++, n = Math.floor(n / 256)) input[BLOCK - 1 - i] = n % 256;
    if (aadLengthBytes === 2) {
      input[BLOCK] = aad.length >> 8;
      input[BLOCK + 1] = aad.length & 0xff;
    } else if (aadLengthBytes === 6) {
      // 0xff 0xfe then l(a) in 4 bytes, for 2^16 - 2^8 <= l(a) < 2^32.
      input.set([0xff, 0xfe, aad.length >>> 24, (aad.length >>> 16) & 0xff, (aad.length >>> 8) & 0xff, aad.length & 0xff], BLOCK);
    }
    input.set(aad, BLOCK + aadLengthBytes);
    input.set(message, BLOCK + aadPart);
    const chained = cbc(this.#key, new Uint8Array(BLOCK), { disablePadding: true }).encrypt(input);
    return chained.subarray(chained.length - BLOCK, chained.length - BLOCK + this.tagLength);
  }

  /** CTR from A_0 over (tag | zero pad | data): returns the masked tag U and the en/decrypted data. */
  private crypt(nonce: Uint8Array, L: number, tag: Uint8Array, data: Uint8Array): { tag: Uint8Array; data: Uint8Array } {
    const input = new Uint8Array(BLOCK + data.length);
    input.set(tag);
    input.set(data, BLOCK);
    const output = ctr(this.#key, counterBlock0(nonce, L)).encrypt(input);
    return { tag: output.subarray(0, this.tagLength), data: output.subarray(BLOCK) };
  }
}

/** The L-byte length field size for this nonce; the message must fit in it. */
function lengthFieldSize(nonce: Uint8Array, messageLength: number): number {
  if (nonce.length < 7 || nonce.length > 13) throw new Error(`AES-CCM nonce of ${nonce.length} bytes (7 to 13)`);
  const L = 15 - nonce.length;
  if (L < 6 && messageLength >= 2 ** (8 * L)) throw new Error(`AES-CCM message of ${messageLength} bytes does not fit ${L} length bytes`);
  return L;
}

/** A_i (RFC 3610 §2.3): flags L-1, the nonce, then the counter i in L bytes; here A_0. */
function counterBlock0(nonce: Uint8Array, L: number): Uint8Array {
  const a0 = new Uint8Array(BLOCK);
  a0[0] = L - 1;
  a0.set(nonce, 1);
  return a0;
}

/** Bytes of `n` rounded up to whole blocks. */
function padded(n: number): number {
  return Math.ceil(n / BLOCK) * BLOCK;
}
