// Attacker's view of a careless caller: a callback whose answer the engine puts on the wire, answering in
// another shape than its type says. An HSM `signer` written async (a Promise), a `helloRetryCookie` or a
// `tickets.seal` backed by an async store, or any of them answering an empty array, went out as a malformed
// message: a CertificateVerify the client could not find (unexpected_message at its Finished), a
// HelloRetryRequest whose cookie was no cookie<1..2^16-1> (the client's decode_error), a NewSessionTicket with
// an empty ticket (decode_error from the client, after the handshake had succeeded) or, from a Promise, a
// misleading "zero-length handshake fragments". And a cookie callback that refills one buffer for every
// connection changed the cookie a waiting connection had sent, so its honest ClientHello2 was refused
// (illegal_parameter). Such an answer now fails the step as a throw does (internal_error from us, RFC 8446 §6.2:
// "unrelated to the peer"), naming the callback, and bytes the engine keeps are its own copy.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { NamedGroup } from '../../src/wire/enums.js';
import { signingWithAnotherKey } from '../../src/testing/certs.js';

const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('callback answers server'));

function pair(client: Partial<ClientConfig>, serverConfig: Partial<ServerConfig>) {
  return new InMemoryPair(
    { trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom('c'), ...client },
    { certificate: server, now: () => TEST_NOW, random: seededRandom('s'), ...serverConfig },
  );
}

const alerts = (events: TlsEvent[], direction: 'in' | 'out') =>
  events.flatMap((e) => (e.type === 'alert' && e.direction === direction ? [`${e.description}${e.detail ? `: ${e.detail}` : ''}`] : []));

/** The server failed with internal_error naming `callback`, the client read that alert and sent none. */
function expectOurInternalError(p: InMemoryPair, callback: string): void {
  const [sent] = alerts(p.events('server'), 'out');
  expect(sent).toMatch(/^internal_error: /);
  expect(sent).toContain(callback);
  expect(alerts(p.events('client'), 'in')).toEqual(['internal_error']);
  expect(alerts(p.events('client'), 'out')).toEqual([]);
}

const ANSWERS: Array<[string, unknown]> = [
  ['a Promise (async, not awaited)', Promise.resolve(new Uint8Array(64))],
  ['an empty array', new Uint8Array(0)],
];

describe('a callback answer that would go out malformed fails as a throw does', () => {
  // signature<0..2^16-1> (RFC 8446 §4.4.3) takes an empty one, which the peer refuses (ml-dsa-attacks.test.ts).
  for (const [shape, answer] of [ANSWERS[0]!, ['a string', 'c2lnbmF0dXJl']] as const) {
    it(`signer answering ${shape}: internal_error, not a broken CertificateVerify`, () => {
      const p = pair({}, { certificate: { chain: [server.der], signer: () => answer as Uint8Array } }).run();
      expectOurInternalError(p, 'signer');
    });
  }

  for (const [shape, answer] of ANSWERS) {

    it(`helloRetryCookie answering ${shape}: internal_error, not a HelloRetryRequest the client cannot decode`, () => {
      const p = pair({ groups: [NamedGroup.x25519, NamedGroup.secp256r1], keyShareGroups: [NamedGroup.secp256r1] }, { helloRetryForPreferredGroup: true, helloRetryCookie: () => answer as Uint8Array }).run();
      expectOurInternalError(p, 'helloRetryCookie');
    });

    it(`tickets.seal answering ${shape}: internal_error, not a NewSessionTicket the client refuses`, () => {
      const p = pair({}, { tickets: { count: 1, seal: () => answer as Uint8Array, open: () => undefined } }).run();
      expectOurInternalError(p, 'tickets.seal');
    });
  }

  it('the control: a signer that signs with the certificate key connects', () => {
    const p = pair({}, { certificate: signingWithAnotherKey([server.der], server.privateKey, seededRandom('signer')) }).run();
    expect(p.client.isConnected).toBe(true);
  });

  for (const [kind, buffer] of [['Uint8Array', new Uint8Array(16)], ['Buffer, whose slice() is a view', Buffer.alloc(16)]] as const) {
    it(`a cookie callback that refills one ${kind}: a connection waiting on its HelloRetryRequest keeps the cookie it sent`, () => {
      let n = 0;
      const helloRetryCookie = () => buffer.fill(++n);
      const retrying = () => pair({ groups: [NamedGroup.x25519, NamedGroup.secp256r1], keyShareGroups: [NamedGroup.secp256r1] }, { helloRetryForPreferredGroup: true, helloRetryCookie });
      const first = retrying();
      first.step('client'); // ClientHello1 in, HelloRetryRequest with cookie 1 out
      const second = retrying();
      second.step('client'); // the buffer now holds cookie 2
      first.run();
      expect(first.server.isConnected && first.client.isConnected).toBe(true);
      second.run();
      expect(second.server.isConnected).toBe(true);
    });
  }
});
