// Attacker's test (the application as attacker, through a callback): whether a ClientHello's event needed
// copies was decided when the message was sent (`ctx.traceEvents`), and the event made when the step's effects
// were applied. A callback that runs in between (the provider hashing the ClientHello into the transcript)
// and switches `connection.traceEvents` on (the node adapter does so when a 'tlsEvent' listener is attached)
// got the event made with the client's own arrays: an application that wipes what it logged then wiped the
// legacy_session_id the client checks the ServerHello's echo against (RFC 8446 §4.1.3), the random the key
// log names, or the cipher_suites it checks the server's choice against (test/security/handshake-message-copies).
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider, HashState } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { Connection } from '../../src/handshake/connection.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { NamedGroup } from '../../src/wire/enums.js';
import type { ClientHello } from '../../src/wire/types.js';
import { exchange } from './exchange.js';

const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('trace events mid-step: server'));

/** A provider whose hash states call `onUpdate` with every message a transcript takes. */
function hookedProvider(onUpdate: (data: Uint8Array) => void): CryptoProvider {
  const hooked = (state: HashState): HashState => ({
    update(data) {
      onUpdate(data);
      state.update(data);
      return this;
    },
    digest: (output) => state.digest(output),
    clone: () => hooked(state.clone()),
  });
  return { ...nobleProvider, createHash: (hash) => hooked(nobleProvider.createHash(hash)) };
}

function run(mutate: (hello: ClientHello) => void) {
  let client: Connection | undefined;
  // Trace events switched on as ClientHello2 (the second ClientHello, handshake type 1, the transcript takes)
  // is hashed into the transcript: after it was sent, before the step's events are made.
  let clientHellos = 0;
  const provider = hookedProvider((data) => {
    if (client && data[0] === 1 && ++clientHellos === 2) client.traceEvents = true;
  });
  client = Connection.client({
    provider,
    traceEvents: false,
    trust: { kind: 'pinned-certificate', certificates: [server.der] },
    now: () => TEST_NOW,
    random: seededRandom('trace events mid-step: c'),
    keyShareGroups: [NamedGroup.x25519],
  });
  // The server asks for secp256r1: the client sends ClientHello2 from what it kept of ClientHello1.
  const srv = Connection.server({ certificate: server, now: () => TEST_NOW, random: seededRandom('trace events mid-step: s'), groups: [NamedGroup.secp256r1, NamedGroup.x25519], helloRetryForPreferredGroup: true });
  srv.receive(client.takeOutput());
  client.receive(srv.takeOutput());
  const hellos = client.takeEvents().flatMap((e) => (e.type === 'handshake-message' && e.message.kind === 'client_hello' ? [e.message as ClientHello] : []));
  for (const hello of hellos) mutate(hello);
  exchange(client, srv);
  return { hellos: hellos.length, connected: client.isConnected && srv.isConnected };
}

describe('trace events switched on by a callback in the middle of the step that sends ClientHello2', () => {
  it.each([
    ['legacy_session_id wiped', (h: ClientHello) => h.legacySessionId.fill(0)],
    ['cipher_suites emptied', (h: ClientHello) => void h.cipherSuites.splice(0)],
  ])('%s in the event: the client still connects', (_name, mutate) => {
    const outcome = run(mutate);
    expect(outcome.hellos).toBe(1); // ClientHello2's, made after the switch
    expect(outcome.connected).toBe(true);
  });
});
