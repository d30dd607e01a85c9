// What a closed connection no longer needs is zeroed, not left to the garbage collector: the secrets that decrypt or
// forge its records (traffic secrets, record keys), and those they come from (RFC 8446 §7.1: the Handshake and Master
// Secrets, the resumption master secret). Only the engine's own arrays: never a caller's, never a `secret` event's
// copy (the key log the caller asked for). Keys a provider holds where they cannot be written (node:crypto
// KeyObjects) are dropped with the connection.
import type { CryptoProvider, KeySharePair } from '../crypto/provider.js';
import type { ClientState } from './client/machine.js';
import type { HandshakeContext } from './context.js';
import type { Role } from './events.js';
import type { KeySchedule } from './keyschedule.js';
import { groupName } from './negotiation.js';
import type { ServerState } from './server/machine.js';
import type { ApplicationTraffic } from './traffic.js';

/** Every field of a client or server state that holds a secret of its own (client/machine.ts, server/machine.ts). */
interface HeldSecrets {
  schedule?: KeySchedule;
  traffic?: ApplicationTraffic;
  clientHandshakeSecret?: Uint8Array;
  serverHandshakeSecret?: Uint8Array;
  clientApplicationSecret?: Uint8Array;
  serverApplicationSecret?: Uint8Array;
  resumptionMasterSecret?: Uint8Array;
  /** A client's key-share private keys, in WAIT_SH. */
  keyShares?: ReadonlyMap<number, KeySharePair>;
}

/** Zeroes the secrets the state machine holds in `state`. */
export function wipeStateSecrets(state: ClientState | ServerState, provider: CryptoProvider): void {
  const held = state as HeldSecrets;
  if (held.keyShares) discardKeyShares(provider, held.keyShares);
  held.schedule?.wipe();
  held.traffic?.wipe();
  for (const secret of [held.clientHandshakeSecret, held.serverHandshakeSecret, held.clientApplicationSecret, held.serverApplicationSecret, held.resumptionMasterSecret]) {
    secret?.fill(0);
  }
}

/** A client's key-share private keys, of no more use: zeroed by their group where it can (KeyExchange.discard). */
export function discardKeyShares(provider: CryptoProvider, shares: ReadonlyMap<number, KeySharePair>): void {
  for (const [group, { privateKey }] of shares) provider.keyExchange(groupName(group)!).discard?.(privateKey);
}

/**
 * We sent close_notify (connection.ts zeroes the record layer's write keys first): our application traffic secret goes.
 * A server that closes before the client's Finished holds it in its state, as the one its traffic will start from (the
 * record keys made from it are wiped; the handshake still completes for the read side): zeroed there, and marked gone
 * once the traffic is made (the caller runs this again after each step). The rest stays for the read side: the peer's
 * secrets, the key schedule (the client's Finished and, for a client, the resumption master secret of later tickets).
 */
export function wipeWriteDirection(state: ClientState | ServerState, role: Role): void {
  const held = state as HeldSecrets;
  held.traffic?.closeWriteDirection();
  if (role === 'server') held.serverApplicationSecret?.fill(0);
}

/**
 * The peer sent close_notify (connection.ts wipes the read keys first): nothing is read again. Connected, the peer's
 * traffic secret goes, and a client's resumption master secret (no NewSessionTicket can come). A handshake not yet
 * connected can never end now: its key schedule and the peer's secrets go; ours stay, as the record keys our close
 * is sealed with may still be derived from them (keyschedule.ts trafficProtection).
 */
export function wipeReadDirection(state: ClientState | ServerState, role: Role, provider: CryptoProvider): void {
  const held = state as HeldSecrets;
  held.traffic?.closeReadDirection();
  held.resumptionMasterSecret?.fill(0);
  held.schedule?.wipe();
  if (held.keyShares) discardKeyShares(provider, held.keyShares);
  const peers = role === 'client' ? [held.serverHandshakeSecret, held.serverApplicationSecret] : [held.clientHandshakeSecret, held.clientApplicationSecret];
  for (const secret of peers) secret?.fill(0);
}

/**
 * Zeroes the exporter secrets: after a failure, when no exporter may be asked any more. After a clean close they stay
 * (exportKeyingMaterial answers then, as documented): they derive exported values only, no record key (RFC 8446 §7.5).
 */
export function wipeExporterSecrets(ctx: HandshakeContext): void {
  ctx.exporterMasterSecret?.fill(0);
  ctx.earlyExporter?.secret.fill(0);
  ctx.exporterMasterSecret = undefined;
  ctx.earlyExporter = undefined;
}
