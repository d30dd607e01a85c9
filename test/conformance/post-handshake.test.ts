// Handshake messages after the handshake (RFC 8446 §4.6, §5.1), from a scripted peer under its real
// application keys: only NewSessionTicket (to a client), KeyUpdate, and CertificateRequest (to a client that
// offered post_handshake_auth) with the answer it draws, are allowed; anything else is unexpected_message.
import { describe, expect, it } from 'vitest';
import { concat } from '../../src/wire/bytes.js';
import { announcedSecret, editProtectedHandshake, flipBit, suiteNamed, type HandshakeEdit } from '../../src/testing/tamper.js';
import { alice, expectAbort, handshakeMessage, helloWith, pinned } from '../handshake/abort-harness.js';
import { accepted, connected, feed } from './harness.js';

const HANDSHAKE = 22;
const APPLICATION_DATA = 23;

const message = (type: number, ...body: number[]) => handshakeMessage(type, Uint8Array.from(body));
const keyUpdate = (request: number) => message(24, request);
/** CertificateRequest (§4.3.2): a context, and signature_algorithms [ed25519]. */
const certificateRequest = message(13, 1, 0xaa, 0, 8, 0, 13, 0, 4, 0, 2, 0x08, 0x07);
/** NewSessionTicket (§4.6.1): lifetime 1, age_add 0, empty nonce, a 1-byte ticket, no extensions. */
const newSessionTicket = message(4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0xaa, 0, 0);
const finished = handshakeMessage(20, new Uint8Array(32));
const emptyCertificate = message(11, 0, 0, 0, 0);

describe('at the server, after the handshake', () => {
  it.each([
    ['a ClientHello', () => helloWith(() => {})],
    ['a CertificateRequest', () => certificateRequest],
    ['a NewSessionTicket (server to client only)', () => newSessionTicket],
    ['an EndOfEarlyData', () => message(5)],
    ['a Finished', () => finished],
    ['an unsolicited Certificate', () => emptyCertificate],
    ['a HelloRequest (TLS 1.2 only)', () => message(0)],
    ['a message of unknown type 99', () => message(99, 1)],
  ])('%s is unexpected_message', (_, bytes) => {
    const { victim, peer, writer } = connected('client');
    expectAbort(feed(victim, writer.seal(HANDSHAKE, bytes())), 'unexpected_message', { protectedFor: peer });
  });
});

describe('at the client, after the handshake', () => {
  it('a CertificateRequest without post_handshake_auth offered is unexpected_message (§4.6.2)', () => {
    const { victim, peer, writer } = connected('server');
    expectAbort(feed(victim, writer.seal(HANDSHAKE, certificateRequest)), 'unexpected_message', { protectedFor: peer });
  });

  it.each([
    ['an EncryptedExtensions', () => message(8, 0, 0)],
    ['a Finished', () => finished],
    ['an unsolicited Certificate', () => emptyCertificate],
    ['a HelloRequest (TLS 1.2 only)', () => message(0)],
  ])('%s is unexpected_message', (_, bytes) => {
    const { victim, peer, writer } = connected('server');
    expectAbort(feed(victim, writer.seal(HANDSHAKE, bytes())), 'unexpected_message', { protectedFor: peer });
  });

  it('a NewSessionTicket is taken, and data flows on', () => {
    const { victim, writer } = connected('server');
    const result = feed(victim, writer.seal(HANDSHAKE, newSessionTicket), writer.seal(APPLICATION_DATA, Uint8Array.of(1)));
    expect(accepted(result)).toBe(true);
    expect(result.events.filter((e) => e.type === 'data')).toHaveLength(1);
  });
});

describe.each(['client', 'server'] as const)('KeyUpdate from the %s (§4.6.3, §5.1)', (sender) => {
  it('update_requested draws a KeyUpdate back, and data under the new keys is read', () => {
    const { victim, writer } = connected(sender);
    const result = feed(victim, writer.seal(HANDSHAKE, keyUpdate(1)));
    expect(accepted(result)).toBe(true);
    expect(result.events).toContainEqual(expect.objectContaining({ type: 'handshake-message', direction: 'out', message: expect.objectContaining({ kind: 'key_update' }) }));
    const after = feed(victim, writer.next().seal(APPLICATION_DATA, Uint8Array.of(1, 2, 3)));
    expect(accepted(after)).toBe(true);
    expect(after.events.filter((e) => e.type === 'data')).toEqual([expect.objectContaining({ data: Uint8Array.of(1, 2, 3) })]);
  });

  it('data still under the old keys after a KeyUpdate is bad_record_mac', () => {
    const { victim, peer, writer } = connected(sender);
    expectAbort(feed(victim, writer.seal(HANDSHAKE, keyUpdate(0)), writer.seal(APPLICATION_DATA, Uint8Array.of(1))), 'bad_record_mac', { protectedFor: peer });
  });

  it('a KeyUpdate followed by more handshake bytes in the same record is unexpected_message (§5.1: a key change ends the record)', () => {
    const { victim, peer, writer } = connected(sender);
    expectAbort(feed(victim, writer.seal(HANDSHAKE, concat(keyUpdate(0), keyUpdate(0)))), 'unexpected_message', { protectedFor: peer });
  });

  it('a KeyUpdate split over two records is read as one', () => {
    const { victim, writer } = connected(sender);
    const bytes = keyUpdate(0);
    expect(accepted(feed(victim, writer.seal(HANDSHAKE, bytes.subarray(0, 3)), writer.seal(HANDSHAKE, bytes.subarray(3))))).toBe(true);
  });
});

describe.each(['client', 'server'] as const)('a burst of KeyUpdates from the %s (§4.6.3)', (sender) => {
  it('32 KeyUpdates with update_requested, each under the next keys, then data: all taken, the data delivered', () => {
    const { victim, writer } = connected(sender);
    let keys = writer;
    const burst: Uint8Array[] = [];
    for (let i = 0; i < 32; i++) {
      burst.push(keys.seal(HANDSHAKE, keyUpdate(1)));
      keys = keys.next();
    }
    const result = feed(victim, ...burst, keys.seal(APPLICATION_DATA, Uint8Array.of(1)));
    expect(accepted(result)).toBe(true);
    expect(result.events.filter((e) => e.type === 'data')).toHaveLength(1);
    // §4.6.3: "an implementation which receives multiple KeyUpdates while it is silent [responds] with a
    // single update": the 32 requests arrive before we send anything, so one KeyUpdate answers them all
    // (update_not_requested, before our next application data). 32 is also our cap on KeyUpdates without
    // data in between (MAX_KEY_UPDATES_WITHOUT_DATA, traffic.ts). tlsfuzzer's test-tls13-keyupdate
    // "multiple KeyUpdate messages" expects 32 answers unless run with --coalescing, as OpenSSL answers each.
    const answers = result.events.filter((e) => e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'key_update');
    expect(answers).toHaveLength(1);
    expect(answers[0]!.type === 'handshake-message' && answers[0]!.message.kind === 'key_update' && answers[0]!.message.requestUpdate).toBe(0);
  });
});

/** The server asks for a certificate after the handshake; the client's answer (Certificate, CertificateVerify, Finished) goes through `edit`. */
function answer(edit: HandshakeEdit) {
  const { pair, victim, peer } = connected('client', { postHandshakeAuth: true, certificate: alice }, { trust: pinned(alice) });
  victim.requestClientCertificate();
  pair.step('server');
  const [first] = pair.pull('client').splice(0);
  const keys = { suite: suiteNamed(victim.info.cipherSuite), secret: announcedSecret(pair.events('client'), 'client_application_traffic_secret_0') };
  return { result: feed(victim, editProtectedHandshake(first!.bytes, keys, edit)), peer };
}

describe('post-handshake authentication at the server (§4.6.2)', () => {

  it('the honest answer authenticates the client', () => {
    const { result } = answer((ms) => ms);
    expect(accepted(result)).toBe(true);
    expect(result.events.filter((e) => e.type === 'post-handshake-auth')).toHaveLength(1);
  });

  it('a Certificate with another certificate_request_context is illegal_parameter (§4.4.2: it echoes the request\'s)', () => {
    const { result, peer } = answer((ms) => ms.map((m) => (m.kind === 'certificate' ? { ...m, context: flipBit(m.context, 0) } : m)));
    expectAbort(result, 'illegal_parameter', { protectedFor: peer });
    expect(result.events.filter((e) => e.type === 'post-handshake-auth')).toEqual([]);
  });

  it('application data between the request and the answer is delivered, and the answer still authenticates', () => {
    const { pair, victim } = connected('client', { postHandshakeAuth: true, certificate: alice }, { trust: pinned(alice) });
    victim.requestClientCertificate();
    // The client writes before the request reaches it: its data arrives after the request, before the answer.
    pair.client.write(Uint8Array.of(1, 2));
    pair.pull('client');
    pair.step('server');
    const result = feed(victim, concat(...pair.pull('client').splice(0).map((r) => r.bytes)));
    expect(accepted(result)).toBe(true);
    expect(result.events.filter((e) => e.type === 'post-handshake-auth')).toHaveLength(1);
    expect(result.events.filter((e) => e.type === 'data')).toHaveLength(1);
  });
});

describe('test-tls13-keyupdate, probe by probe, at the server', () => {
  it.each([
    ['"empty KeyUpdate message" (18 00 00 00)', Uint8Array.of(24, 0, 0, 0), 'decode_error'],
    ['"large KeyUpdate message" (18 00 00 02 00 00)', Uint8Array.of(24, 0, 0, 2, 0, 0), 'decode_error'],
  ] as const)('%s is %s', (_, bytes, alert) => {
    const { victim, peer, writer } = connected('client');
    expectAbort(feed(victim, writer.seal(HANDSHAKE, bytes)), alert, { protectedFor: peer });
  });

  it('"invalid message_type - N, in KeyUpdate msg" is illegal_parameter for every N from 2 to 255 (§4.6.3)', () => {
    for (let request = 2; request < 256; request++) {
      const { victim, peer, writer } = connected('client');
      expectAbort(feed(victim, writer.seal(HANDSHAKE, keyUpdate(request))), 'illegal_parameter', { protectedFor: peer });
    }
  });

  it.each([1, 2, 3, 4])('"%i/5 fragmented keyupdate msg, appdata between" is unexpected_message (§5.1)', (cut) => {
    const { victim, peer, writer } = connected('client');
    const bytes = keyUpdate(1);
    const result = feed(victim, writer.seal(HANDSHAKE, bytes.subarray(0, cut)), writer.seal(APPLICATION_DATA, Uint8Array.of(0x47)), writer.seal(HANDSHAKE, bytes.subarray(cut)));
    expectAbort(result, 'unexpected_message', { protectedFor: peer });
  });
});

describe('test-tls13-post-handshake-auth, probe by probe, at the server', () => {
  it('"malformed signature in PHA" (the last signature byte xored with 0xff) is decrypt_error', () => {
    const { result, peer } = answer((ms) => ms.map((m) => (m.kind === 'certificate_verify' ? { ...m, signature: m.signature.map((b, i) => (i === m.signature.length - 1 ? b ^ 0xff : b)) } : m)));
    expectAbort(result, 'decrypt_error', { protectedFor: peer });
    expect(result.events.filter((e) => e.type === 'post-handshake-auth')).toEqual([]);
  });

  // The script's default: the server goes on. Whether an unauthenticated client may go on is the
  // application's call: it reads `info.peer` in the post-handshake-auth event (events.ts).
  it('"post-handshake authentication with no client cert" (an empty Certificate, then Finished): reported unauthenticated, the connection goes on', () => {
    const { pair, victim } = connected('client', { postHandshakeAuth: true }, { trust: pinned(alice) });
    victim.requestClientCertificate();
    pair.step('server');
    const result = feed(victim, ...pair.pull('client').splice(0).map((r) => r.bytes));
    expect(accepted(result)).toBe(true);
    const auth = result.events.find((e) => e.type === 'post-handshake-auth');
    expect(auth?.type === 'post-handshake-auth' && auth.info.peer).toBeUndefined();
    expect(result.events.filter((e) => e.type === 'post-handshake-auth')).toHaveLength(1);
  });
});
