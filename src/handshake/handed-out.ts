// What the engine hands out is a copy: the application owns it and may write over it. A `handshake-message`
// event's message, sent or received; the negotiated info (the `info` getter, the `connected` and
// `post-handshake-auth` events); a pending decision (the `pendingDecision` getter, the `decision-needed` event,
// whose `kind` resolve() checks the answer against): every array, byte array, plain object and decoded extension value in it. The
// info object is the engine's record of the handshake, read again when it seals a ticket (its ALPN, its peer).
// Of a message: The engine goes on using the message it handled: a ClientHello's random,
// legacy_session_id and cipher_suites, which ClientHello2 repeats and the ServerHello is checked against (RFC
// 8446 §4.1.2, §4.1.3); a received ClientHello1, which ClientHello2 is compared with; a decoded extension's value,
// read again by bodyOf; our chain as the config snapshot holds it, shared by every connection made from it. The
// application owns what an event gives it and may wipe it once logged (test/security/handshake-message-copies,
// own-certificate-event-copies, and handed-out-memory, which writes over everything handed out). Made when
// the event is made, so the event and its copies are one decision: a callback that switches trace events on in
// the middle of a step gets no event holding the engine's own arrays (test/security/trace-events-switched-mid-step).
import { DecodedExtension } from '../wire/extensions.js';

/** `value` with every container in it copied: plain objects, arrays, Uint8Arrays, decoded extensions. */
export function handedOut<T>(value: T): T {
  return copied(value) as T;
}

function copied(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Uint8Array) return value.slice();
  if (Array.isArray(value)) return value.map(copied);
  if (value instanceof DecodedExtension) return value.copy(copied);
  const prototype = Object.getPrototypeOf(value) as object | null;
  // Anything else that is not plain data (none in a message today) is given as it is.
  if (prototype !== Object.prototype && prototype !== null) return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = copied((value as Record<string, unknown>)[key]);
  return copy;
}
