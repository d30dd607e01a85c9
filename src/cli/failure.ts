// One line for why a connection failed: which alert, who sent it, and (for ours) the reason.
import { TlsAlertError } from '../node/adapter.js';

/**
 * `we sent bad_certificate (certificate sha256 … is not pinned)`, `server sent handshake_failure`, or the
 * transport's own message (`connect ECONNREFUSED 127.0.0.1:1`).
 */
export function describeFailure(error: Error, peer: 'client' | 'server'): string {
  if (!(error instanceof TlsAlertError)) return error.message;
  if (error.direction === 'received') return `${peer} sent ${error.alert}`;
  // The adapter's message is "TLS alert X sent: Reason (x): detail"; keep the detail.
  const detail = error.message.replace(/^TLS alert [\w()]+ sent(: )?/, '').replace(/^\w+ \(\w+\): /, '');
  return `we sent ${error.alert}${detail ? ` (${detail})` : ''}`;
}
