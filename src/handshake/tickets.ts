// What a session ticket carries and how the server protects it (RFC 8446 §4.6.1 leaves the format to
// the server). The state is sealed with an AEAD under a server-only key, so the ticket is opaque to the
// client and tamper-evident to us.
import { digest } from '../crypto/hashes.js';
import type { CryptoProvider, RandomSource } from '../crypto/provider.js';
import { Reader, Writer, concat, utf8 } from '../wire/bytes.js';
import type { PeerIdentity } from '../auth/trust.js';
import type { ExternalPskBinding } from './external-psk.js';

/**
 * The longest a ticket may live, in seconds: "Servers MUST NOT use any value greater than 604800 seconds
 * (7 days) ... Clients MUST NOT cache tickets for longer than 7 days, regardless of the ticket_lifetime"
 * (RFC 8446 §4.6.1).
 */
export const MAX_TICKET_LIFETIME = 604_800;

/** `tickets.lifetime` when the server config gives none, in seconds. */
export const DEFAULT_TICKET_LIFETIME = 7200;

/**
 * The longest ticket a client can offer: the pre_shared_key extension (RFC 8446 §4.2.11) holds it with its
 * lengths (2 + 2), its age (4) and a binder list of one SHA-384 binder (2 + 1 + 48) within 2^16 - 1 bytes.
 * A server sends no longer one (NewSessionTicket's own bound, ticket<1..2^16-1>, is a little higher).
 */
export const MAX_OFFERED_TICKET_LENGTH = 0xffff - 2 - 2 - 4 - 2 - 1 - 48;

export interface TicketState {
  cipherSuite: number;
  /** The resumption PSK (RFC 8446 §4.6.1): secret. */
  psk: Uint8Array;
  ageAdd: number;
  /** Milliseconds since the epoch by the server's injected clock. */
  issuedAt: number;
  /** Seconds. */
  lifetime: number;
  /**
   * The client's certificates its trust verdict judged (judgedCertificates) if the original handshake
   * authenticated the client (its CertificateVerify was checked then). Resumption re-judges them under the
   * current trust policy (server/psk.ts declines the ticket when it fails) and never adds authentication that
   * the original handshake did not have.
   */
  clientChain: Uint8Array[];
  /** The client authenticated with an RFC 7250 raw public key: clientChain is one SubjectPublicKeyInfo. */
  clientRawPublicKey: boolean;
  alpn?: string;
  /** The server_name the original session answered (RFC 6066 §3), for 0-RTT (server/psk.ts acceptEarlyData). */
  serverName?: string;
  /**
   * The max_early_data_size the NewSessionTicket gave the client (0: none), which is what the client sends
   * (RFC 8446 §4.6.1): 0-RTT is accepted only when today's budget holds it (server/psk.ts acceptEarlyData).
   */
  maxEarlyDataSize: number;
  /**
   * The external PSK that authenticated the client in the original handshake (RFC 8446 §4.2.11): its identity and
   * the SHA-256 of its key, never the key. The ticket resumes only while that identity is still provisioned with
   * that key, and the client is reported as that PSK again (external-psk.ts stillProvisioned): a PSK deleted
   * (revoked) or replaced (rotated) must not live on in the tickets of its sessions.
   */
  externalPsk?: ExternalPskBinding;
}

/**
 * What a ticket carries of an authenticated client's certificates, for resumption to judge them again: under a
 * CA the path validation used, leaf first, without its anchor (today's configuration supplies one, or the path
 * fails as it must), so revocation and today's anchors are judged on the same certificates; under a pin or for
 * a raw key the leaf alone. Never the chain as presented: certificates no policy used (up to the 64 KiB of a
 * Certificate message) would ride in every ticket and be judged again at every resumption.
 */
export function judgedCertificates(peer: PeerIdentity): Uint8Array[] {
  const path = peer.verdict.path;
  return path && path.length > 1 ? path.slice(0, -1) : peer.chain.slice(0, 1);
}

const TICKET_FORMAT_VERSION = 6;
const NONCE_LENGTH = 12;
const NONE = new Uint8Array(0);

export function encodeTicketState(state: TicketState): Uint8Array {
  return new Writer(128)
    .u8(TICKET_FORMAT_VERSION)
    .u16(state.cipherSuite)
    .vec(1, state.psk)
    .u32(state.ageAdd)
    .u32(Math.floor(state.issuedAt / 2 ** 32))
    .u32(state.issuedAt >>> 0)
    .u32(state.lifetime)
    .block(3, (w) => state.clientChain.forEach((der) => w.vec(3, der)))
    .u8(state.clientRawPublicKey ? 1 : 0)
    .vec(1, utf8.encode(state.alpn ?? ''))
    .vec(2, utf8.encode(state.serverName ?? ''))
    .u32(state.maxEarlyDataSize)
    .vec(2, state.externalPsk?.identity ?? NONE)
    .vec(1, state.externalPsk?.keySha256 ?? NONE)
    .finish();
}

export function decodeTicketState(bytes: Uint8Array): TicketState {
  const r = new Reader(bytes);
  if (r.u8() !== TICKET_FORMAT_VERSION) throw new Error('unknown ticket format');
  const cipherSuite = r.u16();
  const psk = r.vec(1);
  const ageAdd = r.u32();
  const issuedAt = r.u32() * 2 ** 32 + r.u32();
  const lifetime = r.u32();
  const chain = r.open(3);
  const clientChain = r.list((c) => c.vec(3));
  r.close(chain);
  const clientRawPublicKey = r.u8() === 1;
  const alpn = utf8.decode(r.vec(1));
  const serverName = utf8.decode(r.vec(2));
  const maxEarlyDataSize = r.u32();
  const pskIdentity = r.vec(2);
  const keySha256 = r.vec(1);
  r.end();
  if (pskIdentity.length > 0 ? keySha256.length !== 32 : keySha256.length > 0) throw new Error('malformed external PSK of a ticket');
  const externalPsk = pskIdentity.length > 0 ? { externalPsk: { identity: pskIdentity, keySha256 } } : {};
  return { cipherSuite, psk, ageAdd, issuedAt, lifetime, clientChain, clientRawPublicKey, ...(alpn ? { alpn } : {}), ...(serverName ? { serverName } : {}), maxEarlyDataSize, ...externalPsk };
}

/** nonce || AES-256-GCM(key, nonce, state). */
export function sealTicket(provider: CryptoProvider, key: Uint8Array, state: TicketState, random: RandomSource): Uint8Array {
  const nonce = random(NONCE_LENGTH);
  const aead = provider.createAead('AES-256-GCM', key);
  try {
    return concat(nonce, aead.seal(nonce, new Uint8Array(0), encodeTicketState(state)));
  } finally {
    aead.wipe?.(); // the provider's copy of the ticket key, which opens every ticket of the server
  }
}

/** The state inside a ticket we sealed, or undefined for a ticket that is not ours or was altered. */
export function openTicket(provider: CryptoProvider, key: Uint8Array, ticket: Uint8Array): TicketState | undefined {
  if (ticket.length <= NONCE_LENGTH) return undefined;
  const aead = provider.createAead('AES-256-GCM', key);
  let plaintext: Uint8Array | null;
  try {
    plaintext = aead.open(ticket.subarray(0, NONCE_LENGTH), new Uint8Array(0), ticket.subarray(NONCE_LENGTH));
  } finally {
    aead.wipe?.();
  }
  if (!plaintext) return undefined;
  try {
    return decodeTicketState(plaintext);
  } catch {
    return undefined;
  }
}

/**
 * The 0-RTT replay defence (RFC 8446 §8.1): each ticket may carry early data once. Shared by every
 * connection of a server. "The server MUST ensure that any instance of it ... would accept 0-RTT for the
 * same 0-RTT handshake at most once" (§8): a use is remembered as long as a replay of that ClientHello
 * could still pass the ticket age check, and never forgotten earlier to make room. With `capacity` such
 * uses in the register, 0-RTT is refused (the handshake goes on in 1-RTT) until the oldest ages out.
 */
export class SingleUseTickets {
  /**
   * The tickets used for 0-RTT, as strings of the bytes of their SHA-256 digests, with when a replay of that
   * use can no longer pass the age check of the config that recorded it (in order of use: a Map keeps
   * insertion order). A use is forgotten only past its own window: callers with different windows may share
   * the register.
   */
  private readonly replayableUntil = new Map<string, number>();

  constructor(private readonly capacity = 100_000) {}

  /**
   * True when `ticket` may carry early data now: not used within the last `replayWindowMs`, and there is
   * room to remember this use. A replay carries the original's obfuscated ticket age, so it passes an age
   * check of ±skew only within twice the skew of the original (the caller's window).
   */
  firstUse(ticket: Uint8Array, now: number, replayWindowMs: number): boolean {
    // A clock that cannot order uses (NaN) would empty the register below: no 0-RTT without one.
    if (!Number.isFinite(now)) return false;
    for (const [used, until] of this.replayableUntil) {
      if (now <= until) break;
      this.replayableUntil.delete(used);
    }
    // Remembered by a digest: a ticket carries the client's certificates (up to 64 KiB), and a string of its
    // bytes cost ~60 KB of the shared register and ~50 ms to build per ClientHello.
    let key = '';
    for (const b of digest('sha256', ticket)) key += String.fromCharCode(b);
    if (this.replayableUntil.has(key) || this.replayableUntil.size >= this.capacity) return false;
    this.replayableUntil.set(key, now + replayWindowMs);
    return true;
  }
}
