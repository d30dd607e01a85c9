// The server_name a ClientHello asks for (RFC 6066 §3), read once per handshake: the name the server
// acknowledges in EncryptedExtensions, reports as info.serverName, and binds its tickets and 0-RTT to.
import { parseOfferedHostName, type ReferenceIdentity } from '../../auth/hostname.js';
import { ExtensionType } from '../../wire/enums.js';
import { TlsError } from '../../wire/errors.js';
import * as X from '../../wire/extensions.js';
import type { ClientHello } from '../../wire/types.js';
import type { HandshakeContext } from '../context.js';

/**
 * What the client asked for: a DNS name, lowercased, an IP literal, or nothing. An IP literal is not a HostName
 * (RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted"): the server ignores it, as if no
 * server_name had been sent (rustls does the same; some clients send one). Any other name that is no DNS name
 * (a trailing dot, a label that is not letters, digits, hyphens and underscores, over 63 bytes, a name over
 * 253) is illegal_parameter, as rustls answers; Go refuses the trailing dot too.
 */
export function requestedServerName(hello: ClientHello): ReferenceIdentity | undefined {
  const sni = X.findExtension(hello.extensions, ExtensionType.server_name);
  if (!sni) return undefined;
  const [offered] = X.bodyOf(X.offeredServerName, sni);
  const name = parseOfferedHostName(offered!);
  if (typeof name === 'string') throw new TlsError('IllegalParameter', `server_name: ${name}`);
  return name;
}

/** The host name the server answers (acknowledges, reports, binds tickets to): a DNS name, never an IP literal. */
export const answeredHostName = (requested: ReferenceIdentity | undefined): string | undefined => (requested?.kind === 'dns' ? requested.text : undefined);

/** The server_name decision, for the trace. */
export function decideServerName(ctx: HandshakeContext, requested: ReferenceIdentity): void {
  if (requested.kind === 'dns') ctx.decide('server_name', requested.text, 'sent by the client (SNI)');
  else ctx.decide('server_name', 'ignored', `${requested.text} is an IP address, which HostName may not carry (RFC 6066 §3): answered as if no server_name was sent`);
}
