// Externally provisioned PSKs (RFC 8446 §4.2.11, with the guidance of RFC 9257): what both roles share.
// An external PSK is an identity, a secret and the hash it is bound to; both sides were given it out of
// band. Its binder key is derived with the label "ext binder", never "res binder" (§7.1), so an external
// PSK and a resumption ticket cannot stand in for each other.
//
// What an external PSK proves: the peer holds the secret. RFC 9257 §4 warns that a PSK known to more
// than two parties identifies only the group, not the peer; and psk_ke (no (EC)DHE) gives up forward
// secrecy: whoever learns the PSK later reads every recorded session (RFC 8446 §E.1, RFC 9257 §6).
import type { PeerIdentity, TrustVerdict } from '../auth/trust.js';
import { digest } from '../crypto/hashes.js';
import type { CryptoProvider, HashName } from '../crypto/provider.js';
import { constantTimeEqual, hex, utf8 } from '../wire/bytes.js';
import { showValue } from '../wire/show-value.js';

export interface ExternalPsk {
  /** The PSK identity sent on the wire (1 to 65535 bytes; RFC 8446 §4.2.11; a client's must all fit one pre_shared_key extension). A string is sent as UTF-8. */
  identity: Uint8Array | string;
  /** The secret: at least 16 bytes (RFC 9257 §6: at least 128 bits of entropy), not all zeros. */
  key: Uint8Array;
  /** The hash the PSK is bound to (RFC 8446 §4.2.11: SHA-256 when none was provisioned). */
  hash?: 'sha256' | 'sha384';
}

export interface ExternalPskConfig {
  /** The PSKs we hold. A client offers all of them; a server selects the one whose identity the client names. */
  keys: ExternalPsk[];
  /**
   * Key exchange modes (RFC 8446 §4.2.9), in order of preference. Default ['psk_dhe_ke']: an (EC)DHE
   * exchange on top of the PSK. 'psk_ke' uses the PSK alone and GIVES UP FORWARD SECRECY: anyone who
   * later learns the PSK decrypts every recorded session. Only when explicitly listed.
   */
  modes?: Array<'psk_dhe_ke' | 'psk_ke'>;
}

/** An external PSK checked and normalised: identity bytes, hash and a printable name. */
export interface ResolvedExternalPsk {
  identity: Uint8Array;
  key: Uint8Array;
  hash: HashName;
  /** The identity as it is reported: UTF-8 text when printable, else hex. */
  name: string;
}

/** Minimum PSK length we accept (RFC 9257 §6: "at least 128 bits of entropy"). */
export const MIN_EXTERNAL_PSK_BYTES = 16;

/**
 * A key of zeros is an array allocated and never filled (`new Uint8Array(32)`, `Buffer.alloc(32)`): a key
 * everyone knows. Under it anyone computes an external PSK's binders, or seals a ticket naming any client
 * (test/security/all-zero-secrets).
 */
export function isAllZero(key: Uint8Array): boolean {
  return key.every((byte) => byte === 0);
}

/** Checks the caller's PSKs (a TypeError before anything is sent) and normalises them. */
export function resolveExternalPsks(config: ExternalPskConfig): ResolvedExternalPsk[] {
  if (!Array.isArray(config.keys) || config.keys.length === 0) throw new TypeError('externalPsks.keys: at least one PSK is needed');
  for (const mode of config.modes ?? []) {
    if (mode !== 'psk_dhe_ke' && mode !== 'psk_ke') throw new TypeError(`externalPsks.modes: unknown mode ${showValue(mode)}`);
  }
  if (config.modes?.length === 0) throw new TypeError('externalPsks.modes: at least one mode is needed');
  const seen = new Set<string>();
  return config.keys.map((psk, i) => {
    const identity = typeof psk.identity === 'string' ? utf8.encode(psk.identity) : psk.identity;
    if (!(identity instanceof Uint8Array) || identity.length < 1 || identity.length > 0xffff) {
      throw new TypeError(`externalPsks.keys[${i}].identity: 1 to 65535 bytes`);
    }
    if (!(psk.key instanceof Uint8Array) || psk.key.length < MIN_EXTERNAL_PSK_BYTES) {
      throw new TypeError(`externalPsks.keys[${i}].key: at least ${MIN_EXTERNAL_PSK_BYTES} bytes (RFC 9257 §6: 128 bits of entropy)`);
    }
    if (isAllZero(psk.key)) throw new TypeError(`externalPsks.keys[${i}].key is all zeros: a key anyone can use (RFC 9257 §6: 128 bits of entropy)`);
    const hash = psk.hash ?? 'sha256';
    if (hash !== 'sha256' && hash !== 'sha384') throw new TypeError(`externalPsks.keys[${i}].hash: sha256 or sha384`);
    const key = hex(identity);
    if (seen.has(key)) throw new TypeError(`externalPsks.keys[${i}].identity: the same identity twice`);
    seen.add(key);
    // Copies: a connection's PSKs are those of its config when it was made; ClientHello2 offers ClientHello1's (§4.1.2).
    return { identity: identity.slice(), key: psk.key.slice(), hash, name: pskIdentityName(identity) };
  });
}

/**
 * A client offers all its PSKs in one pre_shared_key extension (RFC 8446 §4.2.11): each identity with its
 * 2-byte length and 4-byte age, and a binder each (1 + Hash.length), within the 2^16 - 1 bytes of an extension.
 */
export function checkOfferable(psks: readonly ResolvedExternalPsk[]): void {
  const identityBytes = psks.reduce((n, p) => n + p.identity.length, 0);
  const length = 2 + identityBytes + 6 * psks.length + 2 + psks.reduce((n, p) => n + 1 + (p.hash === 'sha384' ? 48 : 32), 0);
  if (length <= 0xffff) return;
  throw new TypeError(`externalPsks.keys: ${psks.length} identities of ${identityBytes} bytes do not fit one pre_shared_key extension with their ages and binders (${length} bytes, at most 65535: RFC 8446 §4.2.11)`);
}

/**
 * One key under two identities is one PSK known to two names: its holder proves either, and the server would
 * report alice as bob (RFC 9257 §4: a PSK shared by more than two parties identifies only the group). It would
 * also be used with two hashes when theirs differ (RFC 8446 §4.2.11: "Any given PSK MUST only be used with one
 * hash"). A TypeError before anything is sent. Keys are compared by their SHA-256, once per configuration
 * (config-validation.ts), so no key is kept as a string.
 */
export function checkDistinctKeys(psks: readonly ResolvedExternalPsk[]): void {
  const seen = new Map<string, number>();
  psks.forEach((psk, i) => {
    const fingerprint = hex(digest('sha256', psk.key));
    const first = seen.get(fingerprint);
    if (first !== undefined) {
      throw new TypeError(`externalPsks.keys[${i}].key: the key of keys[${first}] too, under another identity: whoever holds it would be reported as either (RFC 9257 §4)`);
    }
    seen.set(fingerprint, i);
  });
}

/** Our PSKs, the modes we use them in, and each PSK under its identity. */
export interface ExternalPskSet {
  keys: ResolvedExternalPsk[];
  modes: Array<'psk_dhe_ke' | 'psk_ke'>;
  /**
   * By the hex of its identity: a server may hold a PSK per device and a ClientHello name a thousand
   * identities, so each is looked up once rather than compared with every key (11 million comparisons for
   * 1,100 identities against 10,000 keys).
   */
  byIdentity: ReadonlyMap<string, ResolvedExternalPsk>;
}

export function externalPskSet(keys: ResolvedExternalPsk[], modes: Array<'psk_dhe_ke' | 'psk_ke'>): ExternalPskSet {
  return { keys, modes, byIdentity: new Map(keys.map((k) => [hex(k.identity), k])) };
}

/** Our PSK named by `identity`, if any. */
export function findExternalPsk(ours: ExternalPskSet | undefined, identity: Uint8Array): ResolvedExternalPsk | undefined {
  return ours?.byIdentity.get(hex(identity));
}

/**
 * What a session ticket keeps of the external PSK that authenticated its session, in both roles: the identity and
 * the SHA-256 of the key, never the key (the server seals it in the ticket, the client keeps it beside the ticket,
 * SessionTicket.externalPsk). Resuming proves only the ticket's secret, derived in that session: without this, a
 * PSK deleted (revoked) or given a new key (rotated after a leak) would live on in the tickets of its sessions.
 */
export interface ExternalPskBinding {
  identity: Uint8Array;
  keySha256: Uint8Array;
}

export function externalPskBinding(provider: CryptoProvider, psk: ResolvedExternalPsk): ExternalPskBinding {
  return { identity: psk.identity.slice(), keySha256: provider.hash('sha256', psk.key).slice() };
}

/** Our external PSK that authenticated a ticket's session, if we still hold it under that identity with the same key. */
export function stillProvisioned(provider: CryptoProvider, ours: ExternalPskSet | undefined, bound: ExternalPskBinding): ResolvedExternalPsk | undefined {
  const psk = findExternalPsk(ours, bound.identity);
  return psk && constantTimeEqual(provider.hash('sha256', psk.key), bound.keySha256) ? psk : undefined;
}

/** The modes we use, in order; psk_dhe_ke unless psk_ke was asked for explicitly. */
export function externalPskModes(config: ExternalPskConfig): Array<'psk_dhe_ke' | 'psk_ke'> {
  return config.modes ?? ['psk_dhe_ke'];
}

const HEX_PREFIX = 'hex:';

/**
 * What a reader does not see as itself: controls, formats (zero-width characters, bidi marks and overrides, the
 * byte order mark, tag characters), private use, separators but the space (line and paragraph separators,
 * no-break and other spaces), variation selectors and the combining grapheme joiner. Not unassigned code points
 * (\p{Cn}): that set shrinks with each Unicode version, and a name must not change when Node is upgraded.
 */
const UNSEEN = /[\p{Cc}\p{Cf}\p{Co}\p{Zl}\p{Zp}\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\u034f\u180b-\u180d\ufe00-\ufe0f\u{e0100}-\u{e01ef}]/u;

/**
 * A PSK identity for people: the UTF-8 text when every character shows as itself and it is in NFC, else `hex:`
 * and the bytes. The name is what the peer is reported as and what logs print, so it stays one to one with the
 * identity bytes (opaque, RFC 8446 §4.2.11) and reads as what it is: a text that itself starts with `hex:` is shown in hex
 * too, or the text "hex:00" would read as the byte 0x00; a leading byte order mark is decoded (TextDecoder drops
 * it by default: EF BB BF "alice" would read "alice"), and so shown in hex, as "alice" with a zero-width space or
 * "ecila" behind a right-to-left override are, rather than as "alice" (test/security/psk-identity-invisible).
 */
export function pskIdentityName(identity: Uint8Array): string {
  let text: string | undefined;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(identity);
  } catch {
    text = undefined;
  }
  // Not in NFC: "Zoe" and a combining diaeresis shows as the "Zoë" of other bytes (NFC is stable across Unicode versions).
  if (text !== undefined && !UNSEEN.test(text) && text.normalize('NFC') === text && !text.startsWith(HEX_PREFIX)) return text;
  return `${HEX_PREFIX}${hex(identity)}`;
}

/** What psk_ke costs, in the words the trace, the docs and the CLI use. */
export const PSK_KE_WARNING = 'psk_ke: no (EC)DHE, NO FORWARD SECRECY (whoever learns the PSK decrypts this session)';

/**
 * A peer that proved it holds one of our external PSKs: the server checked its binder and its Finished, or
 * the client checked the server's Finished, keyed from the PSK. It names the PSK, not a person or a key:
 * none of a certificate's fields (declared undefined, so code that reads them sees nothing).
 */
export interface PskPeerIdentity extends Partial<Record<Exclude<keyof PeerIdentity, 'kind' | 'verdict'>, undefined>> {
  kind: 'psk';
  /** The PSK identity, as pskIdentityName shows it. */
  identity: string;
  hash: HashName;
  verdict: TrustVerdict;
}
