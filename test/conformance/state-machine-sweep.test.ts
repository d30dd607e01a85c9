// A state-machine sweep as TLS-Attacker's probes run it: in every state of each side's handshake (RFC 8446
// Appendix A) and once connected, every handshake message type other than the ones that state takes, well formed
// and under the keys the peer really holds. Each is unexpected_message (§6.2: "An inappropriate message (e.g., the
// wrong handshake message ...)"), never decode_error, internal_error or silence.
import { describe, expect, it } from 'vitest';
import type { Role } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import type { HandshakeMessage } from '../../src/wire/types.js';
import { alice, baseHello, clientConfig, expectAbort, pinned, protectedEdit, runUntilAbort, serverConfig, tamperedPair } from '../handshake/abort-harness.js';
import { accepted, connected, feed } from './harness.js';

const HANDSHAKE = 22;
const withAuth = { client: { certificate: alice }, server: { clientAuth: 'require' as const, trust: pinned(alice), tickets: { count: 1, key: new Uint8Array(32).fill(3) } } };

/** One well-formed message of every type, taken from honest handshakes where we have them. */
const CATALOG: HandshakeMessage[] = (() => {
  const seen = new Map<string, HandshakeMessage>();
  const collect = (pair: InMemoryPair) => {
    for (const side of ['client', 'server'] as const) {
      for (const e of pair.events(side)) if (e.type === 'handshake-message' && !seen.has(e.message.kind)) seen.set(e.message.kind, e.message);
    }
  };
  collect(new InMemoryPair(clientConfig(withAuth.client), serverConfig(withAuth.server)).run());
  collect(new InMemoryPair(clientConfig({ keyShareGroups: [29], groups: [29, 23] }), serverConfig({ groups: [23, 29], helloRetryForPreferredGroup: true })).run());
  seen.set('client_hello', baseHello());
  seen.set('end_of_early_data', { kind: 'end_of_early_data' });
  seen.set('key_update', { kind: 'key_update', requestUpdate: 0 });
  seen.set('message_hash', { kind: 'message_hash', hash: new Uint8Array(32) });
  return [...seen.values()];
})();

const others = (...allowed: string[]) => CATALOG.filter((m) => !allowed.includes(m.kind));

it('the catalog holds every message type of RFC 8446 §4 we decode, but CompressedCertificate (RFC 8879: a Certificate where one is expected)', () => {
  expect(CATALOG.map((m) => m.kind).sort()).toEqual(
    ['certificate', 'certificate_request', 'certificate_verify', 'client_hello', 'encrypted_extensions', 'end_of_early_data', 'finished', 'hello_retry_request', 'key_update', 'message_hash', 'new_session_ticket', 'server_hello'].sort(),
  );
});

describe.each([
  // Our client, its state when the k-th message of the server's flight arrives, and what that state takes.
  { victim: 'client' as Role, flight: 0, k: 0, state: 'WAIT_EE', takes: ['encrypted_extensions'] },
  { victim: 'client' as Role, flight: 0, k: 1, state: 'WAIT_CERT_CR', takes: ['certificate_request', 'certificate'] },
  { victim: 'client' as Role, flight: 0, k: 2, state: 'WAIT_CERT', takes: ['certificate'] },
  { victim: 'client' as Role, flight: 0, k: 3, state: 'WAIT_CV', takes: ['certificate_verify'] },
  { victim: 'client' as Role, flight: 0, k: 4, state: 'WAIT_FINISHED', takes: ['finished'] },
  // Our server, the client's second flight.
  { victim: 'server' as Role, flight: 1, k: 0, state: 'WAIT_CERT', takes: ['certificate'] },
  { victim: 'server' as Role, flight: 1, k: 1, state: 'WAIT_CV', takes: ['certificate_verify'] },
  { victim: 'server' as Role, flight: 1, k: 2, state: 'WAIT_FINISHED', takes: ['finished'] },
])('$victim in $state', ({ victim, flight, k, state, takes }) => {
  const sender: Role = victim === 'client' ? 'server' : 'client';
  it.each(others(...takes).map((m) => [m.kind, m] as const))('%s is unexpected_message', (_, wrong) => {
    const edit = protectedEdit(sender, (ms) => [...ms.slice(0, k), wrong]);
    const result = runUntilAbort(tamperedPair(clientConfig(withAuth.client), serverConfig(withAuth.server), sender, flight, edit));
    expect(result.side).toBe(victim);
    expect(result.events.some((e) => e.type === 'state' && e.to === state)).toBe(true);
    expectAbort(result, 'unexpected_message', { protectedFor: result.peer });
  });
});

describe.each([
  { victim: 'client' as Role, takes: ['new_session_ticket', 'key_update'] },
  { victim: 'server' as Role, takes: ['key_update'] },
])('$victim once CONNECTED (no post-handshake authentication offered)', ({ victim, takes }) => {
  const sender: Role = victim === 'client' ? 'server' : 'client';
  it.each(others(...takes).map((m) => [m.kind, m] as const))('%s is unexpected_message', (_, wrong) => {
    const { victim: connection, peer, writer } = connected(sender);
    const result = feed(connection, writer.seal(HANDSHAKE, encodeHandshake(wrong)));
    expectAbort(result, 'unexpected_message', { protectedFor: peer });
  });

  it.each(takes)('the control: %s is taken', (kind) => {
    const { victim: connection, writer } = connected(sender);
    expect(accepted(feed(connection, writer.seal(HANDSHAKE, encodeHandshake(CATALOG.find((m) => m.kind === kind)!))))).toBe(true);
  });
});
