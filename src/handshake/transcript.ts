// The transcript hash (RFC 8446 §4.4.1): a running hash over every handshake message, header included,
// in the order sent and received. Until the cipher suite (and so the hash) is known, the messages are kept
// and hashed when it is chosen.
import type { CryptoProvider, HashName, HashState } from '../crypto/provider.js';
import { HandshakeType } from '../wire/enums.js';

export class Transcript {
  private pending: Uint8Array[] = [];
  private state?: HashState;
  private hashName?: HashName;
  /**
   * The hash of exactly the messages added so far, once asked for: the client's Finished and the
   * application secrets (RFC 8446 §4.4.4, §7.1) hash the same transcript. Any add() forgets it.
   */
  private digest?: Uint8Array;
  /**
   * Where current() writes its digests: this transcript's own array, made once. A digest is read at once
   * (a Derive-Secret context, a Finished HMAC, CertificateVerify content) and never kept past the next add(),
   * so one array serves them all: ~4 arrays per side of a handshake fewer. Never shared with a fork, and
   * never a provider's own array (test/security/transcript-digest-aliasing).
   */
  private digestMemory?: Uint8Array;

  constructor(private readonly provider: CryptoProvider) {}

  get hash(): HashName | undefined {
    return this.hashName;
  }

  /** Adds one whole handshake message (4-byte header and body). */
  add(message: Uint8Array): void {
    this.digest = undefined;
    if (this.state) this.state.update(message);
    // Kept past this step (the client's ClientHello1 waits for the ServerHello's suite): a copy, since the caller's
    // handshake-message event carries the same bytes as `raw` (test/security/handshake-message-copies).
    else this.pending.push(message.slice());
  }

  /** Fixes the hash function once the cipher suite is known, hashing what came before. */
  selectHash(hash: HashName): void {
    if (this.hashName === hash) return;
    if (this.state) throw new Error('transcript: hash already chosen');
    this.hashName = hash;
    this.state = this.provider.createHash(hash);
    for (const m of this.pending) this.state.update(m);
    this.pending = [];
  }

  /**
   * Transcript-Hash of everything added so far: valid until the next add() or replaceWithMessageHash(), which
   * may write the next digest into the same array; a caller keeping it longer keeps a copy.
   */
  current(): Uint8Array {
    if (!this.state) throw new Error('transcript: hash not chosen yet');
    if (this.digest === undefined) {
      const memory = (this.digestMemory ??= new Uint8Array(this.provider.hashLength(this.hashName!)));
      // Kept in memory of our own even when a provider returns another array (its scratch memory, which its
      // next digest for another transcript, even another connection's, overwrites while this one is cached).
      const digest = this.state.digest(memory);
      if (digest !== memory) {
        if (digest.length !== memory.length) throw new Error(`transcript: ${this.hashName} digest of ${digest.length} bytes`);
        memory.set(digest);
      }
      this.digest = memory;
    }
    return this.digest;
  }

  /**
   * After a HelloRetryRequest, ClientHello1 is replaced by a synthetic message_hash message holding its
   * hash (RFC 8446 §4.4.1): handshake type 254, length Hash.length, Hash(ClientHello1).
   */
  replaceWithMessageHash(): void {
    const hash = this.current();
    const synthetic = new Uint8Array(4 + hash.length);
    synthetic[0] = HandshakeType.message_hash;
    synthetic[3] = hash.length;
    synthetic.set(hash, 4);
    this.state = this.provider.createHash(this.hashName!);
    this.state.update(synthetic);
    this.digest = undefined;
  }

  /** An independent copy, e.g. to hash a truncated ClientHello for a PSK binder. */
  fork(): Transcript {
    const copy = new Transcript(this.provider);
    copy.hashName = this.hashName;
    copy.pending = [...this.pending];
    copy.state = this.state?.clone();
    // Not this.digest: it lives in this transcript's digestMemory, which this transcript's next digest overwrites.
    return copy;
  }
}
