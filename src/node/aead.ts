// The node provider's AEADs (RFC 5116; RFC 8446 §5.2): one AeadKey over node:crypto's Cipheriv and Decipheriv
// per TLS 1.3 suite cipher. src/node/crypto.ts assembles the provider.
import { createCipheriv, createDecipheriv, type CipherCCMTypes, type CipherGCMTypes } from 'node:crypto';
import { AEAD_TAG_LENGTHS, InPlaceAead, type AeadKey, type AeadName } from '../crypto/provider.js';
import { plain } from './key-objects.js';

const AEAD_CIPHERS: Readonly<Record<AeadName, { cipher: CipherGCMTypes | CipherCCMTypes | 'chacha20-poly1305'; keyLength: number }>> = {
  'AES-128-GCM': { cipher: 'aes-128-gcm', keyLength: 16 },
  'AES-256-GCM': { cipher: 'aes-256-gcm', keyLength: 32 },
  'ChaCha20-Poly1305': { cipher: 'chacha20-poly1305', keyLength: 32 },
  'AES-128-CCM': { cipher: 'aes-128-ccm', keyLength: 16 },
  'AES-128-CCM-8': { cipher: 'aes-128-ccm', keyLength: 16 },
};

const AEAD_NONCE_LENGTH = 12;

/**
 * Where every call's nonce is copied before node:crypto reads it: memory outside the V8 heap, made once. The
 * record layer hands each record a new 12-byte array (a provider may keep it), which V8 keeps on its heap;
 * node:crypto reads an argument through its ArrayBuffer, and for an on-heap array V8 first moves it out to
 * new native memory: one more backing store per seal and per open, ~0.35 µs (docs/performance-history.md, seventh
 * round). node copies the nonce into the cipher context during createCipheriv, so one array serves every
 * key: nothing is kept of it between calls. Nonces are not secret.
 */
const nonceMemory = new Uint8Array(new ArrayBuffer(AEAD_NONCE_LENGTH));

/** `nonce` copied into nonceMemory, as node:crypto's IV argument. */
function nodeNonce(nonce: Uint8Array): Uint8Array {
  nonceMemory.set(nonce);
  return nonceMemory;
}

export const aeadKeyLength = (aead: AeadName): number => AEAD_CIPHERS[aead].keyLength;

export function createAead(aead: AeadName, key: Uint8Array): AeadKey {
  const { cipher, keyLength } = AEAD_CIPHERS[aead];
  if (key.length !== keyLength) throw new Error(`${aead} needs a ${keyLength}-byte key, got ${key.length}`);
  return new NodeAead(aead, cipher, key);
}

/**
 * One AEAD key over node:crypto: a Cipheriv cannot take a new nonce, so each record gets its own Cipheriv or
 * Decipheriv (about 2 µs).
 */
class NodeAead extends InPlaceAead {
  /**
   * A private copy of the raw key: createCipheriv takes it as it is, where a KeyObject costs ~1.1 µs to make and
   * ~0.5 µs more per cipher (four AEAD keys per connection; measured on Node 20). Not Buffer.from(key): that copy
   * would sit in Node's Buffer pool, whose ArrayBuffer every small Buffer of the process shares
   * (test/security/node-pool-secrets). A private field: util.inspect and JSON of a connection never show it.
   */
  readonly #key: Uint8Array;
  /**
   * CCM authenticates the message length first (RFC 3610 §2.2): node:crypto needs the tag length (RFC 6655 §3:
   * 16 or 8) with the cipher and the plaintext length with the AAD. GCM and ChaCha20-Poly1305 need neither (their
   * tag is 16 bytes by default), and options objects cost a record a little each time: they get them only where
   * a call checks them. Opening always fixes the tag length: a GCM Decipheriv without it accepts shorter tags.
   * (node:crypto cannot CCM-seal an empty plaintext; a TLSInnerPlaintext always has its content type byte.)
   */
  private readonly isCcm: boolean;
  private readonly options: { authTagLength: number };

  constructor(
    aead: AeadName,
    private readonly cipher: CipherGCMTypes | CipherCCMTypes | 'chacha20-poly1305',
    key: Uint8Array,
  ) {
    super(aead, AEAD_TAG_LENGTHS[aead]);
    this.#key = new Uint8Array(key);
    this.isCcm = aead === 'AES-128-CCM' || aead === 'AES-128-CCM-8';
    this.options = { authTagLength: this.tagLength };
  }

  private lengthOption(length: number): { plaintextLength: number } | undefined {
    return this.isCcm ? { plaintextLength: length } : undefined;
  }

  /** Unpooled, as the key: memory of its own. No zero-fill: sealChecked writes every byte (checked there). */
  protected override allocate(length: number): Uint8Array {
    return plain(Buffer.allocUnsafeSlow(length));
  }

  protected sealChecked(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, output: Uint8Array): void {
    if (nonce.length !== AEAD_NONCE_LENGTH) throw new Error(`${this.name} needs a ${AEAD_NONCE_LENGTH}-byte nonce, got ${nonce.length}`);
    // The cast picks the overload whose options are optional (CCM's types demand them, which isCcm sees to).
    const sealer = createCipheriv(this.cipher as 'aes-128-gcm', this.#key, nodeNonce(nonce), this.isCcm ? this.options : undefined).setAAD(
      aad,
      this.lengthOption(plaintext.length),
    );
    // update() reads all of the plaintext into a new buffer before `output` is written: sealing in place works.
    const body = sealer.update(plaintext);
    sealer.final();
    // All four are stream modes, nothing is held back; checked, since seal() hands out unzeroed memory.
    if (body.length !== plaintext.length) throw new Error(`${this.name} returned ${body.length} bytes for ${plaintext.length}`);
    output.set(body);
    output.set(sealer.getAuthTag(), body.length);
  }

  /** The raw copy is ours to zero (OpenSSL's per-record cipher contexts are freed with each Cipheriv). */
  wipe(): void {
    this.#key.fill(0);
  }

  open(nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array | null {
    const tagLength = this.tagLength;
    if (nonce.length !== AEAD_NONCE_LENGTH || ciphertext.length < tagLength) return null;
    const bodyLength = ciphertext.length - tagLength;
    try {
      const opener = createDecipheriv(this.cipher as 'aes-128-gcm', this.#key, nodeNonce(nonce), this.options)
        .setAuthTag(ciphertext.subarray(bodyLength))
        .setAAD(aad, this.lengthOption(bodyLength));
      const plaintext = opener.update(ciphertext.subarray(0, bodyLength));
      opener.final(); // throws when the tag does not verify
      return plain(plaintext);
    } catch {
      return null;
    }
  }
}
