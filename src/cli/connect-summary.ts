// What `tls13 connect` prints once the handshake is done: what was negotiated, who the server is and who
// vouched for that. An identity is only called trusted with a verdict of the trust flags; under --insecure
// every line that names the server says NOT verified.
import type { CertificateTypeName } from '../handshake/certificate-types.js';
import type { NegotiatedInfo } from '../handshake/events.js';
import { parseCertificate } from '../auth/x509.js';
import { describeNegotiated } from '../trace/text.js';
import { describePeer } from './demo.js';
import { describeIssuerAndValidity } from './show-certs.js';

export interface SummaryOptions {
  target: string;
  serverName: string | undefined;
  /** --insecure: the caller accepted the server unverified. */
  insecure: boolean;
  /** Print "resumed: yes/no". */
  showResumed: boolean;
  /** The 0-RTT data this connection offered, if any. */
  earlyDataLength?: number;
}

export function describeConnection(info: Readonly<NegotiatedInfo>, o: SummaryOptions): string[] {
  const peer = info.peer;
  const unverified = o.insecure;
  const lines = [`connected to ${o.target}${o.serverName ? ` (server name ${o.serverName})` : ''}`, `  negotiated: ${describeNegotiated(info)}`];
  if (unverified) {
    lines.push(`  server (NOT verified, anyone could have sent this): ${peer ? describePeer(peer) : 'no identity (resumed)'}`);
  } else if (!peer && info.resumed) {
    lines.push('  server: not re-judged (resumed, and the trust policy leaves the decision to the caller): no identity');
  } else {
    lines.push(`  server: ${describePeer(peer)}`);
  }
  // A raw public key (RFC 7250) has no issuer and no validity; under a key pin nobody vouched for them.
  const leaf = peer && peer.kind !== 'psk' && peer.subject !== undefined ? peer.chain[0] : undefined;
  if (leaf) lines.push(`  ${describeIssuerAndValidity(parseCertificate(leaf))}`);
  lines.push(`  certificate type: ${describeCertificateTypes(info)}`);
  if (unverified) lines.push(`  NOT verified: --insecure accepted the server without checking who it is${peer ? `; ${peer.verdict.detail}` : ''}`);
  else if (peer) lines.push(`  trusted by ${peer.verdict.rule}: ${peer.verdict.detail}`);
  if (info.clientAuth && info.clientAuth !== 'not-requested') lines.push(`  client certificate: ${info.clientAuth}`);
  if (o.showResumed) lines.push(`  resumed: ${info.resumed ? 'yes' : 'no'}`);
  if (o.earlyDataLength !== undefined) lines.push(`  early data: ${earlyDataOutcome(info.earlyData, o.earlyDataLength)}`);
  return lines;
}

/** `server raw public key (RFC 7250), client X.509`: what each side authenticated with, as negotiated. */
export function describeCertificateTypes(info: Readonly<NegotiatedInfo>): string {
  // A resumed session authenticates by its PSK: no Certificate message at all (RFC 8446 §2.2).
  if (info.resumed) return 'none (resumed with a PSK)';
  if (info.peer?.kind === 'psk') return 'none (external PSK)';
  const name = (type: CertificateTypeName | undefined) => (type === 'raw-public-key' ? 'raw public key (RFC 7250)' : 'X.509');
  const client = info.clientAuth === 'authenticated' ? `, client ${name(info.clientCertificateType)}` : '';
  return `server ${name(info.serverCertificateType)}${client}`;
}

function earlyDataOutcome(outcome: 'accepted' | 'rejected' | undefined, length: number): string {
  if (outcome === 'accepted') return `accepted (${length} bytes sent as 0-RTT)`;
  if (outcome === 'rejected') return `rejected (${length} bytes sent again after the handshake)`;
  return `not sent (the ticket does not allow 0-RTT, or not this much; ${length} bytes sent after the handshake)`;
}
