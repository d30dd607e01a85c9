// Which ticket the client offers (RFC 8446 §4.2.11, §4.6.1).
import { parseReferenceIdentity, type ReferenceIdentity } from '../../auth/hostname.js';
import type { SessionTicket } from '../events.js';

/**
 * "Clients MUST only resume if the new SNI value is valid for the server certificate presented in the
 * original session, and SHOULD only resume if the SNI value matches the one used in the original session"
 * (RFC 8446 §4.6.1). A ticket is bound to the reference identity it was issued under, which that session
 * checked the certificate against: offered only to the same identity. Why not, or undefined when it fits.
 */
export function ticketNotFor(ticket: SessionTicket, identity: ReferenceIdentity | undefined): string | undefined {
  const issued = ticket.serverName === undefined ? undefined : parseReferenceIdentity(ticket.serverName);
  const same = issued === undefined || identity === undefined ? issued === identity : typeof issued !== 'string' && issued.kind === identity.kind && issued.text === identity.text;
  if (same) return undefined;
  return `the ticket was issued for ${ticket.serverName ?? 'a server with no name'}, not ${identity?.text ?? 'a server with no name'} (RFC 8446 §4.6.1)`;
}
