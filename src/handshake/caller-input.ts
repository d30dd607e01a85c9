// What the caller hands a connection, taken as the engine needs it: bytes that are a Uint8Array, an answer read
// once, and whatever its callbacks throw turned into the alert to send (docs/security.md, "The application as
// attacker").
import { REASONS, TlsError } from '../wire/errors.js';
import { showValue } from '../wire/show-value.js';

/**
 * Bytes in and out are a Uint8Array (a Buffer is one): any other view would be read element by element (a
 * Uint16Array's 0x4142 went out as the one byte 0x42), and anything else fails deep inside, or not at all.
 */
export function requireBytes(value: unknown, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    const kind = value === null ? 'null' : typeof value === 'object' ? Object.prototype.toString.call(value).slice(8, -1) : typeof value;
    throw new TypeError(`${what} must be a Uint8Array, not ${kind}`);
  }
}

/**
 * A callback's answer that the engine sends (a signature, a cookie, a ticket): a Uint8Array whose length its
 * vector holds, copied (the callback may refill one buffer for every connection). Anything else, a Promise of an
 * async callback or an empty array, would go out as a malformed message: an Error, so internal_error, as if the
 * callback threw (test/security/callback-answers).
 */
export function callbackBytes(answer: unknown, callback: string, min: number, max: number): Uint8Array {
  // new Uint8Array copies; a Buffer's slice() would be a view of the callback's memory.
  if (answer instanceof Uint8Array && answer.length >= min && answer.length <= max) return new Uint8Array(answer);
  const shown = answer instanceof Promise ? 'a Promise (it must answer at once)' : showValue(answer);
  throw new Error(`${callback} answered ${shown}, not ${min} to ${max} bytes`);
}

/** A switch the caller sets: exactly true or false. */
export function requireBoolean(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`${what} must be a boolean, not ${typeof value}`);
  return value;
}

/**
 * What a step threw, as the alert to send. A callback of the caller's may throw anything: an object without
 * a prototype (no string form), an Error whose message getter throws. Nothing of it may escape receive().
 */
export function asTlsError(thrown: unknown): TlsError {
  try {
    // instanceof reads only the prototype: a callback's object may pass for a TlsError with fields that are
    // missing, throw, or answer once. Ours is made of its reason and detail, each read once, here.
    if (thrown instanceof TlsError) {
      const { reason, detail } = thrown;
      if (typeof reason === 'string' && Object.hasOwn(REASONS, reason) && typeof detail === 'string') return new TlsError(reason, detail);
    }
    const message: unknown = thrown instanceof Error ? thrown.message : String(thrown);
    if (typeof message === 'string') return new TlsError('InternalError', message);
  } catch {
    // Unreadable: said below.
  }
  return new TlsError('InternalError', 'a callback threw a value that cannot be read');
}

/** The caller's answer (or its verdict) as plain data, each field read once (its getters run here only); anything else as given. */
export function readOnce(answer: unknown): unknown {
  return typeof answer === 'object' && answer !== null ? { ...answer } : answer;
}
