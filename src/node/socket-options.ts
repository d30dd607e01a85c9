// The socket options tls13-lab/node adds to node:tls's: what they mean and how a given value is checked.
import { showValue } from '../wire/show-value.js';

export interface SocketOptions {
  /** Destroy the connection when the handshake has not completed after this many milliseconds (default 10 s; 0: never). */
  handshakeTimeout?: number;
  /**
   * As node: false (default) ends our side (close_notify) once the peer's side ended; true keeps it open, so
   * the application can still answer a peer that sent close_notify (RFC 8446 §6.1), then call end().
   */
  allowHalfOpen?: boolean;
}

/** setTimeout's longest delay: a longer one (or Infinity) fires after 1 ms, with only a warning. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The socket options that were given (exactOptionalPropertyTypes: absent, not undefined), checked: a
 * handshakeTimeout of true, 1.5, Infinity or 2^31 ms would have destroyed the connection after 1 ms, and one
 * of '5000' or NaN would have meant "never".
 */
export function socketOptions(options: SocketOptions): SocketOptions {
  const { handshakeTimeout, allowHalfOpen } = options;
  if (handshakeTimeout !== undefined && (typeof handshakeTimeout !== 'number' || !Number.isInteger(handshakeTimeout) || handshakeTimeout < 0 || handshakeTimeout > MAX_TIMER_MS)) {
    throw new TypeError(`handshakeTimeout must be a whole number of milliseconds from 0 (never) to ${MAX_TIMER_MS}: got ${showValue(handshakeTimeout)}`);
  }
  if (allowHalfOpen !== undefined && typeof allowHalfOpen !== 'boolean') throw new TypeError(`allowHalfOpen must be a boolean: got ${showValue(allowHalfOpen)}`);
  const given: SocketOptions = {};
  if (handshakeTimeout !== undefined) given.handshakeTimeout = handshakeTimeout;
  if (allowHalfOpen !== undefined) given.allowHalfOpen = allowHalfOpen;
  return given;
}
