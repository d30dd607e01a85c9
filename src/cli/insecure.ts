// `connect --insecure`: connect to any server, as `curl -k` or `openssl s_client` without -verify_return_error
// do, to see what it presents (and copy its pin). The engine still checks the server's CertificateVerify
// and Finished, but nothing vouches for who holds the key: the connection is marked NOT verified everywhere
// it is reported, and no identity is called proven.
import { evaluateRawPublicKey, evaluateTrust, type TrustPolicy, type TrustVerdict } from '../auth/trust.js';
import type { CryptoProvider } from '../crypto/provider.js';
import type { PendingDecision } from '../handshake/events.js';
import type { Tls13Socket } from '../node/adapter.js';

export interface InsecureOptions {
  /** What the trust flags (or the system roots) would have decided: reported, never enforced. */
  policy: TrustPolicy;
  serverName: string;
  provider: CryptoProvider;
}

/**
 * Answers the socket's `verify-peer` decision (trust policy `ask`) with "accept, unverified". The verdict's
 * rule says NOT verified (it is what traces, the JSON `connected` event and the page show); its detail,
 * what the trust flags would have decided.
 */
export function acceptUnverified(socket: Tls13Socket, o: InsecureOptions): void {
  socket.on('decision-needed', (decision: PendingDecision) => {
    if (decision.kind !== 'verify-peer') return socket.resolve({ kind: 'client-certificate' });
    const wouldBe = describeWouldBe(judge(decision.chain, decision.rawPublicKey, o));
    socket.resolve({ kind: 'verify-peer', verdict: { trusted: true, rule: 'NOT verified (--insecure)', detail: wouldBe } });
  });
}

function judge(chain: Uint8Array[], rawPublicKey: boolean, o: InsecureOptions): TrustVerdict {
  const ctx = { provider: o.provider, purpose: 'serverAuth' as const, hostname: o.serverName, now: () => Date.now() };
  try {
    return (rawPublicKey ? evaluateRawPublicKey(o.policy, chain[0]!, ctx) : evaluateTrust(o.policy, chain, ctx)).verdict;
  } catch (e) {
    return { trusted: false, rule: 'parse', detail: (e as Error).message };
  }
}

function describeWouldBe(verdict: TrustVerdict): string {
  return `the trust flags would ${verdict.trusted ? 'accept' : 'refuse'} it (${verdict.rule}: ${verdict.detail})`;
}
