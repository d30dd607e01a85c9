// The client's view of who the server must be: the reference identity (RFC 6125 §6.2), required for every
// CA trust policy, because a CA vouches for many servers and only the name tells them apart.
import { parseReferenceIdentity, type ReferenceIdentity } from '../../auth/hostname.js';
import type { TrustPolicy } from '../../auth/trust.js';
import type { ClientConfig } from '../config.js';

/** A policy that accepts certificates by their issuer, so the name in them decides who the server is. */
function vouchesByCa(policy: TrustPolicy | undefined): boolean {
  if (policy?.kind === 'ca') return true;
  return policy?.kind === 'any-of' && policy.policies.some(vouchesByCa);
}

/**
 * The reference identity from the config, parsed once; undefined when none is needed (a pinned policy) or
 * the caller opted out. A config the client cannot check the server with is a TypeError, before anything
 * is sent.
 */
export function serverIdentity(config: ClientConfig): ReferenceIdentity | undefined {
  if (config.serverName !== undefined) {
    if (config.insecureSkipServerNameCheck) throw new TypeError('serverName and insecureSkipServerNameCheck contradict each other: drop one');
    const parsed = parseReferenceIdentity(config.serverName);
    if (typeof parsed === 'string') throw new TypeError(`serverName ${parsed}`);
    return parsed;
  }
  if (vouchesByCa(config.trust) && !config.insecureSkipServerNameCheck) {
    throw new TypeError(
      "a CA trust policy needs the server's name: set serverName (a DNS name or IP address), or insecureSkipServerNameCheck: true to accept any name the CA vouches for",
    );
  }
  return undefined;
}
