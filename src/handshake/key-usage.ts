// How many records one write key may protect before we send a KeyUpdate (RFC 8446 §5.5).
//
// "There are cryptographic limits on the amount of plaintext which can be safely encrypted under a given set
// of keys. [...] Implementations SHOULD NOT exceed 2^24.5 full-size records for AES-GCM, and
// ChaCha20/Poly1305 record sequence number would wrap before the safety limit is reached." (§5.5)
// Our application data is cut at the limit: the records up to it go out under the old key, then a KeyUpdate
// (update_not_requested, §4.6.3), then the rest under the next key. Only our own writes update: a peer that
// never updates is its own business, and our read keys change only when it says so.
import type { AeadName } from '../crypto/provider.js';

/**
 * Records per write key, below each AEAD's confidentiality limit for full-size records (2^14 bytes of
 * content, about 2^10 blocks) at the advantage RFC 8446 §5.5 aims for (2^-60, draft-irtf-cfrg-aead-limits):
 * - AES-GCM: §5.5 gives 2^24.5; we update at 2^24, as rustls does.
 * - AES-CCM (either tag): the draft's bound (2ℓq)²/2^128 for ℓ = 2^10 blocks gives about 2^23 records at 2^-60; we
 *   update at 2^22. RFC 8446 names no limit for CCM.
 * - ChaCha20-Poly1305: none within the sequence numbers we can count (§5.5); the record cap of
 *   RecordProtection ends the connection first, as for any key.
 */
export const RECORDS_PER_WRITE_KEY: Readonly<Record<AeadName, number>> = {
  'AES-128-GCM': 2 ** 24,
  'AES-256-GCM': 2 ** 24,
  'AES-128-CCM': 2 ** 22,
  'AES-128-CCM-8': 2 ** 22,
  'ChaCha20-Poly1305': Number.MAX_SAFE_INTEGER,
};

/** The smallest `keyUpdateAfterRecords`: one record of data and the KeyUpdate itself. */
export const MIN_RECORDS_PER_WRITE_KEY = 2;

/**
 * Records of application data we may still seal under the current write key: the key's budget less what it
 * sealed already (handshake records, alerts and tickets count too), less one for the KeyUpdate that ends it.
 * 0: update first.
 */
export function dataRecordsLeft(recordsPerKey: number, sealedUnderKey: number): number {
  return Math.max(0, recordsPerKey - 1 - sealedUnderKey);
}

/** The budget of a write key of this AEAD: the configured one when it is lower than the AEAD's own. */
export function recordsPerWriteKey(aead: AeadName, configured: number | undefined): number {
  const own = RECORDS_PER_WRITE_KEY[aead];
  return configured === undefined ? own : Math.min(configured, own);
}
