// What a closed connection no longer needs is zeroed, not left to the garbage collector: the secrets that decrypt or
// forge its records (traffic secrets, record keys), and those they come from (RFC 8446 §7.1: the Handshake and Master
// Secrets, the resumption master secret). Only the engine's own arrays: never a caller's, never a `secret` event's
// copy (the key log the caller asked for). Keys a provider holds where they cannot be written (node:crypto
// KeyObjects) are dropped with the connection.
import type { ClientState } from './client/machine.js';
import type { HandshakeContext } from './context.js';
import type { KeySchedule } from './keyschedule.js';
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
}

/** Zeroes the secrets the state machine holds in `state`. */
export function wipeStateSecrets(state: ClientState | ServerState): void {
  const held = state as HeldSecrets;
  held.schedule?.wipe();
  held.traffic?.wipe();
  for (const secret of [held.clientHandshakeSecret, held.serverHandshakeSecret, held.clientApplicationSecret, held.serverApplicationSecret, held.resumptionMasterSecret]) {
    secret?.fill(0);
  }
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
