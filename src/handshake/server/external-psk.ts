// External PSKs on the server (RFC 8446 §4.2.11; RFC 9257): selecting one of ours by the identity the
// client names, checking its binder (keyed with "ext binder", never a ticket's "res binder", §7.1), and
// the key exchange mode: psk_dhe_ke, or psk_ke only when our config lists it (no forward secrecy).
// Judged only for the ClientHello a ServerHello answers (a PSK of ClientHello1 does not survive a
// HelloRetryRequest). The client counts as authenticated by the PSK only after its Finished (machine.ts).
import { ExtensionType, PskKeyExchangeMode } from '../../wire/enums.js';
import * as X from '../../wire/extensions.js';
import { TlsError } from '../../wire/errors.js';
import type { ClientHello, OfferedPsks } from '../../wire/types.js';
import type { ServerConfig } from '../config.js';
import type { HandshakeContext } from '../context.js';
import { findExternalPsk, PSK_KE_WARNING, type ResolvedExternalPsk } from '../external-psk.js';
import { KeySchedule } from '../keyschedule.js';
import type { SuiteInfo } from '../suites.js';
import { verifyBinder, type AcceptedPsk } from './psk.js';

/**
 * Offered identity number `index` names our external PSK `psk`: selected when it is usable with the chosen suite's
 * hash and a mode both sides allow, and then its binder must verify (else decrypt_error, §4.2.11). Undefined when
 * it is not usable: the caller goes on to the client's next identity, no binder checked. Its
 * obfuscated_ticket_age is not read: "servers MUST ignore the value" for an external PSK (§4.2.11).
 */
export function acceptExternalPsk(
  ctx: HandshakeContext,
  receivedHello: Uint8Array,
  offered: OfferedPsks,
  index: number,
  psk: ResolvedExternalPsk,
  clientModes: number[],
  canDhe: boolean,
  suite: SuiteInfo,
): AcceptedPsk | undefined {
  if (psk.hash !== suite.hash) {
    ctx.decide('external_psk', `not PSK #${index} "${psk.name}"`, `it is bound to ${psk.hash}, the chosen suite ${suite.name} to ${suite.hash} (RFC 8446 §4.2.11)`);
    return undefined;
  }
  const mode = externalPskMode(ctx, clientModes, canDhe);
  if (mode === undefined) {
    ctx.decide('external_psk', `not PSK #${index} "${psk.name}"`, `no key exchange mode we both allow: the client offers ${modeNames(clientModes)}, we allow ${ctx.cfg.externalPsks!.modes.join(', ')}`);
    return undefined;
  }
  const schedule = new KeySchedule(ctx.provider, suite, psk.key);
  const binder = verifyBinder(ctx, receivedHello, offered, index, schedule, suite, 'external');
  ctx.decide('external_psk', `PSK #${index} "${psk.name}" (${mode === PskKeyExchangeMode.psk_ke ? PSK_KE_WARNING : 'psk_dhe_ke'})`, 'its binder verified ("ext binder" key)');
  return { index, mode, schedule, binder, external: psk };
}

/** psk_dhe_ke when the client offers it with a key share; psk_ke only when both sides list it. */
function externalPskMode(ctx: HandshakeContext, clientModes: number[], canDhe: boolean): number | undefined {
  const allowed = ctx.cfg.externalPsks!.modes;
  if (canDhe && allowed.includes('psk_dhe_ke')) return PskKeyExchangeMode.psk_dhe_ke;
  if (clientModes.includes(PskKeyExchangeMode.psk_ke) && allowed.includes('psk_ke')) return PskKeyExchangeMode.psk_ke;
  return undefined;
}

function modeNames(modes: number[]): string {
  return modes.map((m) => (m === PskKeyExchangeMode.psk_ke ? 'psk_ke' : m === PskKeyExchangeMode.psk_dhe_ke ? 'psk_dhe_ke' : `mode ${m}`)).join(', ') || 'no mode';
}

/**
 * The hash of the first offered identity that is one of our external PSKs: "externally established PSKs
 * SHOULD influence cipher suite selection" (RFC 8446 §4.2.11).
 */
export function offeredExternalPskHash(ctx: HandshakeContext, hello: ClientHello): string | undefined {
  const ours = ctx.cfg.externalPsks;
  const pskExt = ours && X.findExtension(hello.extensions, ExtensionType.pre_shared_key);
  if (!pskExt) return undefined;
  const offered = X.bodyOf(X.preSharedKeyClientHello, pskExt);
  for (const o of offered.identities) {
    const psk = findExternalPsk(ours, o.identity);
    if (psk) return psk.hash;
  }
  return undefined;
}

/**
 * A server with no certificate and no raw public key can only finish a PSK handshake. When no PSK was
 * accepted: unknown_psk_identity if the client named none of ours (RFC 8446 §6.2), else handshake_failure
 * (ours, but not with this suite or mode; or no PSK offered at all).
 */
export function requireAcceptedPsk(ctx: HandshakeContext, config: ServerConfig, hello: ClientHello): void {
  if (config.certificate || config.rawPublicKey) return;
  const pskExt = X.findExtension(hello.extensions, ExtensionType.pre_shared_key);
  const offered = pskExt ? X.bodyOf(X.preSharedKeyClientHello, pskExt) : undefined;
  const named = offered?.identities.some((o) => findExternalPsk(ctx.cfg.externalPsks, o.identity) !== undefined) ?? false;
  if (offered && !named) throw new TlsError('UnknownPskIdentity', 'none of the offered PSK identities is ours, and without a certificate we cannot do a full handshake');
  throw new TlsError('PskRequired', offered ? 'no offered PSK is usable with the chosen suite and key exchange mode, and we have no certificate' : 'the client offered no PSK, and we have no certificate');
}
