// External PSKs on the client (RFC 8446 §4.2.11; RFC 9257): which of ours are offered, their binders
// (keyed with "ext binder", §7.1), what a ServerHello that selects one must satisfy, and the modes we send.
// The server counts as authenticated by the PSK only after its Finished verifies (machine.ts).
import { ExtensionType, PskKeyExchangeMode } from '../../wire/enums.js';
import { TlsError } from '../../wire/errors.js';
import type { PskIdentity, ServerHello } from '../../wire/types.js';
import { PSK_KE_WARNING, type ResolvedExternalPsk } from '../external-psk.js';
import { SUITES, type SuiteInfo } from '../suites.js';
import type { ClientHandshake } from './machine.js';

type PskModeName = keyof typeof PskKeyExchangeMode;

/** The cipher suites our ClientHello lists. */
export function offeredSuites(c: ClientHandshake): readonly number[] {
  return c.config.clientHello?.advertisedCipherSuites ?? c.ctx.cfg.cipherSuites;
}

/** Whether a suite we offer uses `hash`: a PSK bound to another hash cannot be used (RFC 8446 §4.2.11). */
export function offersHash(c: ClientHandshake, hash: string): boolean {
  return offeredSuites(c).some((s) => SUITES.get(s)?.hash === hash);
}

/** Our external PSKs that some suite we offer can use (RFC 8446 §4.2.11: a PSK is bound to one hash). */
export function chooseExternalPsks(c: ClientHandshake): void {
  const ours = c.ctx.cfg.externalPsks;
  if (!ours) return;
  const hashes = new Set(offeredSuites(c).map((s) => SUITES.get(s)?.hash));
  c.offeredExternalPsks = ours.keys.filter((psk) => hashes.has(psk.hash));
  for (const psk of ours.keys.filter((k) => !hashes.has(k.hash))) c.ctx.decide('external_psk', `"${psk.name}" not offered`, `it is bound to ${psk.hash}, and no suite we offer uses that hash`);
  if (ours.modes.includes('psk_ke')) c.ctx.decide('external_psk', 'psk_ke offered', PSK_KE_WARNING);
}

/** After a HelloRetryRequest only PSKs of its suite's hash stay in ClientHello2 (RFC 8446 §4.1.4). */
export function dropExternalPsksForSuite(c: ClientHandshake, suite: SuiteInfo): void {
  const dropped = c.offeredExternalPsks.filter((psk) => psk.hash !== suite.hash);
  if (dropped.length === 0) return;
  c.offeredExternalPsks = c.offeredExternalPsks.filter((psk) => psk.hash === suite.hash);
  c.ctx.decide('external_psk', `${dropped.map((p) => `"${p.name}"`).join(', ')} not offered again`, `the HelloRetryRequest chose ${suite.name}, whose hash they cannot use (RFC 8446 §4.1.4)`);
}

/** Identities for our external PSKs: "an obfuscated_ticket_age of 0 SHOULD be used" (RFC 8446 §4.2.11). */
export function externalPskIdentities(c: ClientHandshake): PskIdentity[] {
  return c.offeredExternalPsks.map((psk) => ({ identity: psk.identity, obfuscatedTicketAge: 0 }));
}

/** A suite of the PSK's hash, for its binder key: the early secret depends only on the hash. */
export function suiteForHash(hash: string): SuiteInfo {
  return [...SUITES.values()].find((s) => s.hash === hash)!;
}

/** psk_key_exchange_modes (RFC 8446 §4.2.9): a ticket's modes and our external PSKs' modes, in order, once each. */
export function offeredPskModes(c: ClientHandshake): number[] {
  const external = c.ctx.cfg.externalPsks;
  const modes: number[] = [];
  if (c.offeredTicket || !external) addModes(modes, c.config.resumption?.modes ?? DEFAULT_RESUMPTION_MODES);
  if (external) addModes(modes, external.modes);
  return modes;
}

const DEFAULT_RESUMPTION_MODES: readonly PskModeName[] = ['psk_dhe_ke'];

function addModes(modes: number[], names: readonly PskModeName[]): void {
  for (const name of names) if (!modes.includes(PskKeyExchangeMode[name])) modes.push(PskKeyExchangeMode[name]);
}

/**
 * The ServerHello selected external PSK number `index` of ours: it must be bound to the suite's hash
 * (RFC 8446 §4.2.11: else illegal_parameter).
 */
export function acceptedExternalPsk(c: ClientHandshake, sh: ServerHello, index: number, suite: SuiteInfo): ResolvedExternalPsk {
  const psk = c.offeredExternalPsks[index];
  if (!psk) throw new TlsError('IllegalParameter', `server selected PSK identity #${index}, beyond the ones we offered`);
  if (psk.hash !== suite.hash) throw new TlsError('IllegalParameter', `server chose ${suite.name} with the PSK "${psk.name}", which is bound to ${psk.hash}`);
  const withoutDhe = !sh.extensions.some((e) => e.type === ExtensionType.key_share);
  c.selectedExternalPsk = psk;
  delete c.resumedServer;
  delete c.resumedExternalPsk;
  c.ctx.decide('external_psk', `"${psk.name}" (${withoutDhe ? PSK_KE_WARNING : 'psk_dhe_ke'})`, 'the server selected our external PSK');
  return psk;
}
