// What a `handshake-message` event gives of a message we send: copies of the arrays the engine keeps or shares
// (the application owns what an event gives it and may wipe it once logged). Made when the event is made, so
// the event and its copies are one decision: a callback that switches trace events on in the middle of a step
// gets no event holding the engine's own arrays (test/security/trace-events-switched-mid-step).
import type { HandshakeMessage } from '../wire/types.js';

/**
 * `sent`, or a copy of what in it the engine goes on using:
 * - a ClientHello's random and legacy_session_id, which ClientHello2 repeats (RFC 8446 §4.1.2), and its
 *   cipher_suites, which the ServerHello is checked against (§4.1.3); the key log names the random
 *   (test/security/handshake-message-copies). Its extensions are rebuilt for ClientHello2.
 * - a Certificate's entries: our chain as the config snapshot holds it, shared by every connection made from
 *   an unchanged config and by every connection a node server accepts, unchecked
 *   (test/security/own-certificate-event-copies).
 */
export function sentMessageCopy(sent: HandshakeMessage): HandshakeMessage {
  switch (sent.kind) {
    case 'client_hello':
      return { ...sent, random: sent.random.slice(), legacySessionId: sent.legacySessionId.slice(), cipherSuites: [...sent.cipherSuites] };
    case 'certificate':
      return { ...sent, entries: sent.entries.map((entry) => ({ ...entry, data: entry.data.slice() })) };
    default:
      return sent;
  }
}
