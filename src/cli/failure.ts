// One line for why a connection failed: which alert, who sent it, and (for ours) the reason.
import { TlsAlertError } from '../node/adapter.js';
import { escapeControls } from '../wire/show-value.js';

/** Transport errors (node's error codes) in words, for `cannot connect to HOST:PORT: ...`. */
const TRANSPORT_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the name could not be resolved (try again)',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/** `connection refused` for an error of the TCP connect itself, else undefined. */
export function connectFailure(error: Error): string | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  return code === undefined ? undefined : TRANSPORT_ERRORS[code];
}

/**
 * `this is not TLS: the server sent 'HTTP/1.1 400 Bad Request'` when the first bytes the peer sent cannot
 * start a TLS record (RFC 8446 §5.1: a content type from 20 to 24), else undefined.
 */
export function notTls(firstBytes: Uint8Array | undefined, peer: 'client' | 'server'): string | undefined {
  if (!firstBytes || firstBytes.length === 0 || (firstBytes[0]! >= 20 && firstBytes[0]! <= 24)) return undefined;
  const line = Buffer.from(firstBytes).toString('latin1').split(/\r?\n/)[0]!;
  const shown = line.slice(0, 60).replace(/[^\x20-\x7e]/g, '.');
  return `this is not TLS: the ${peer} sent '${shown}${line.length > 60 ? '...' : ''}'`;
}

/**
 * `we sent bad_certificate (certificate sha256 … is not pinned)`, `server sent handshake_failure`, or the
 * transport's own message (`connect ECONNREFUSED 127.0.0.1:1`).
 */
export function describeFailure(error: Error, peer: 'client' | 'server'): string {
  // A message may quote what the peer sent: one line, its control characters escaped, whatever the source.
  return escapeControls(failureText(error, peer));
}

function failureText(error: Error, peer: 'client' | 'server'): string {
  if (!(error instanceof TlsAlertError)) return error.message;
  if (error.direction === 'received') return `${peer} sent ${error.alert}`;
  // The adapter's message is "TLS alert X sent: Reason (x): detail"; keep the detail.
  const detail = error.message.replace(/^TLS alert [\w()]+ sent(: )?/, '').replace(/^\w+ \(\w+\): /, '');
  return `we sent ${error.alert}${detail ? ` (${detail})` : ''}`;
}
