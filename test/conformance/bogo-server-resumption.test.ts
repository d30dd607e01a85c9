// BoringSSL's BoGo server tests of TLS 1.3 resumption, replayed against our server: the PSK binder cases of
// addResumptionVersionTests (resumption_tests.go: a bad binder in ClientHello1, or with -SecondBinder in the
// ClientHello2 after a HelloRetryRequest), the psk_key_exchange_modes and ticket-age cases of
// addSessionTicketTests, and the ticket and cipher choices. Each case is named as BoGo names it, states what
// BoGo expects and checks our exact answer; docs/bogo-server.md lists them all.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { finishedVerifyData, KeySchedule } from '../../src/handshake/keyschedule.js';
import { flipBit } from '../../src/testing/tamper.js';
import { concat } from '../../src/wire/bytes.js';
import { CipherSuite, ContentType, ExtensionType, PskKeyExchangeMode } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import { decodeHandshake, encodeHandshake, truncateClientHelloForBinders } from '../../src/wire/messages.js';
import type { ClientHello } from '../../src/wire/types.js';
import { ext, record, u16 } from '../handshake/abort-harness.js';
import { expectRefused, issueTickets, kinds, messageOf, runnerExtensions, ticketing, type RunnerHello } from './bogo-server-harness.js';
import { ScriptedClient, ticketPsk, type HeldTicket } from './scripted-client.js';

const { TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256 } = CipherSuite;
const { psk_dhe_ke: PSK_DHE_KE } = PskKeyExchangeMode;
const RESUMED = ['server_hello', 'encrypted_extensions', 'finished'];
const FULL = ['server_hello', 'encrypted_extensions', 'certificate', 'certificate_verify', 'finished'];

const selectedIdentity = (answer: ReturnType<ScriptedClient['hello']>) => {
  const psk = X.findExtension(messageOf(answer, 'server_hello').extensions, ExtensionType.pre_shared_key);
  return psk && X.bodyOf(X.preSharedKeyServerHello, psk);
};

/** The encoded pre_shared_key body of `identities` and `binders` as they are (no length rule applied). */
function pskBody(identities: Array<{ identity: Uint8Array; obfuscatedTicketAge: number }>, binders: Uint8Array[]): Uint8Array {
  const ids = concat(...identities.map((i) => concat(Uint8Array.of(...u16(i.identity.length)), i.identity, Uint8Array.of(i.obfuscatedTicketAge >>> 24, (i.obfuscatedTicketAge >>> 16) & 0xff, (i.obfuscatedTicketAge >>> 8) & 0xff, i.obfuscatedTicketAge & 0xff))));
  const bs = concat(...binders.map((b) => concat(Uint8Array.of(b.length), b)));
  return concat(Uint8Array.of(...u16(ids.length)), ids, Uint8Array.of(...u16(bs.length)), bs);
}

type PskEdit = (offer: { identities: Array<{ identity: Uint8Array; obfuscatedTicketAge: number }>; binders: Uint8Array[] }, hello: ClientHello) => void;

/** The runner's resuming ClientHello (binder over the transcript so far), its pre_shared_key edited by `edit`, sent. */
function sendEdited(client: ScriptedClient, held: HeldTicket, hello: RunnerHello, edit: PskEdit) {
  const decoded = decodeHandshake(client.encodeHello(0x0303, [TLS_AES_128_GCM_SHA256], runnerExtensions(client, hello), { offer: ticketPsk(held), suite: held.suite })) as ClientHello;
  const offer = X.preSharedKeyClientHello.parse(decoded.extensions.at(-1)!.data);
  const editable = { identities: [...offer.identities], binders: [...offer.binders] };
  edit(editable, decoded);
  decoded.extensions = decoded.extensions.map((e) => (e.type === ExtensionType.pre_shared_key ? ext(e.type, pskBody(editable.identities, editable.binders)) : e));
  return client.sendRaw(record(ContentType.handshake, encodeHandshake(decoded)));
}

/** With `second`, an honest resuming ClientHello1 with an empty key_share first, answered by a HelloRetryRequest. */
function resumingClient(held: HeldTicket, second: boolean, seed: string) {
  const client = new ScriptedClient(ticketing(), seed);
  if (second) expect(kinds(client.hello([TLS_AES_128_GCM_SHA256], runnerExtensions(client, { shares: [] }), { offer: ticketPsk(held), suite: held.suite }))).toEqual(['hello_retry_request']);
  return client;
}

describe('addResumptionVersionTests: Resume-Server (resumption_tests.go)', () => {
  it('Resume-Server-TLS13-TLS13-TLS (SendBothTickets: a TLS 1.2 session_ticket extension beside pre_shared_key) → resumed; ours: resumed', () => {
    const [held] = issueTickets(ticketing());
    const client = new ScriptedClient(ticketing(), 'bogo resume both');
    const sessionTicket = ext(ExtensionType.session_ticket, held!.ticket.ticket);
    const answer = client.hello([TLS_AES_128_GCM_SHA256], runnerExtensions(client, { more: [sessionTicket] }), { offer: ticketPsk(held!), suite: held!.suite });
    expect(kinds(answer)).toEqual(RESUMED);
    expect(client.finish().alerts).toEqual([]);
    expect(client.server.info.resumed).toBe(true);
  });

  describe.each([
    ['', false],
    ['-SecondBinder', true],
  ])('the binder cases%s', (suffix, second) => {
    const held = () => issueTickets(ticketing())[0]!;

    it(`the control${suffix}: the honest ClientHello${second ? '2' : ''} resumes`, () => {
      const client = resumingClient(held(), second, `bogo binder control${suffix}`);
      const h = held();
      const answer = client.hello([TLS_AES_128_GCM_SHA256], runnerExtensions(client), { offer: ticketPsk(h), suite: h.suite });
      expect(kinds(answer)).toEqual(RESUMED);
      expect(client.finish().alerts).toEqual([]);
    });

    // PskBinderEntry<32..255> (§4.2.11): a 31-byte binder is out of its range, decode_error (§6). BoringSSL reads
    // it and compares (DIGEST_CHECK_FAILED); with a SHA-384 ticket the short binder (47 bytes) parses, and we too
    // answer decrypt_error.
    it(`Resume-Server-BinderWrongLength${suffix} (a binder one byte short) → DIGEST_CHECK_FAILED, "remote error: error decrypting message"; ours: decode_error (31 < 32 bytes)`, () => {
      const h = held();
      const client = resumingClient(h, second, `bogo binder short${suffix}`);
      expectRefused(client, sendEdited(client, h, {}, (o) => void (o.binders[0] = o.binders[0]!.subarray(1))), 'decode_error');
    });

    it(`Resume-Server-NoPSKBinder${suffix} (no binder) → DECODE_ERROR, "remote error: error decoding message"; ours: decode_error`, () => {
      const h = held();
      const client = resumingClient(h, second, `bogo no binder${suffix}`);
      expectRefused(client, sendEdited(client, h, {}, (o) => void (o.binders = [])), 'decode_error');
    });

    it(`Resume-Server-ExtraPSKBinder${suffix} (two binders, one identity) → PSK_IDENTITY_BINDER_COUNT_MISMATCH, "remote error: illegal parameter"; ours: illegal_parameter`, () => {
      const h = held();
      const client = resumingClient(h, second, `bogo extra binder${suffix}`);
      expectRefused(client, sendEdited(client, h, {}, (o) => void o.binders.push(o.binders[0]!)), 'illegal_parameter');
    });

    it(`Resume-Server-ExtraIdentityNoBinder${suffix} (two identities, one binder) → PSK_IDENTITY_BINDER_COUNT_MISMATCH, "remote error: illegal parameter"; ours: illegal_parameter`, () => {
      const h = held();
      const client = resumingClient(h, second, `bogo extra identity${suffix}`);
      expectRefused(client, sendEdited(client, h, {}, (o) => void o.identities.push({ identity: Uint8Array.of(1, 2, 3), obfuscatedTicketAge: 0 })), 'illegal_parameter');
    });

    it(`Resume-Server-InvalidPSKBinder${suffix} (a binder bit flipped) → DIGEST_CHECK_FAILED, "remote error: error decrypting message"; ours: decrypt_error`, () => {
      const h = held();
      const client = resumingClient(h, second, `bogo bad binder${suffix}`);
      expectRefused(client, sendEdited(client, h, {}, (o) => void (o.binders[0] = flipBit(o.binders[0]!, 0, 0))), 'decrypt_error');
    });

    it(`Resume-Server-PSKBinderFirstExtension${suffix} (pre_shared_key first) → PRE_SHARED_KEY_MUST_BE_LAST, "remote error: illegal parameter"; ours: illegal_parameter`, () => {
      const h = held();
      const client = resumingClient(h, second, `bogo psk first${suffix}`);
      const first = (_: unknown, hello: ClientHello) => void hello.extensions.unshift(hello.extensions.pop()!);
      expectRefused(client, sendEdited(client, h, {}, first), 'illegal_parameter');
    });
  });

  // Ours answers a binder of another length than the hash's with decode_error, as OpenSSL does
  // (docs/robustness.md); BoringSSL compares and answers decrypt_error (§6.2 names "a PSK binder" under
  // decrypt_error). A SHA-384 ticket's short binder (47 bytes) is inside PskBinderEntry<32..255>.
  it('Resume-Server-BinderWrongLength with a SHA-384 ticket (a 47-byte binder) → DIGEST_CHECK_FAILED, decrypt_error; ours: decode_error (its length is not Hash.length)', () => {
    const [h] = issueTickets(ticketing(), { suites: [TLS_AES_256_GCM_SHA384] });
    const client = new ScriptedClient(ticketing(), 'bogo binder short 384');
    const decoded = decodeHandshake(client.encodeHello(0x0303, [TLS_AES_256_GCM_SHA384], runnerExtensions(client), { offer: ticketPsk(h!), suite: h!.suite })) as ClientHello;
    const offer = X.preSharedKeyClientHello.parse(decoded.extensions.at(-1)!.data);
    decoded.extensions[decoded.extensions.length - 1] = ext(ExtensionType.pre_shared_key, pskBody(offer.identities, [offer.binders[0]!.subarray(1)]));
    expectRefused(client, client.sendRaw(record(ContentType.handshake, encodeHandshake(decoded))), 'decode_error');
  });

  // RFC 8446 §4.1.2 lets ClientHello2 drop only the PSKs incompatible with the HelloRetryRequest's suite; a
  // server need not check the rest (rustls's config.json: "not required by RFC"). We go on with a full handshake.
  it('Resume-Server-OmitPSKsOnSecondClientHello (ClientHello2 drops the compatible PSK) → INCONSISTENT_CLIENT_HELLO, "remote error: illegal parameter"; ours: a full handshake', () => {
    const h = issueTickets(ticketing())[0]!;
    const client = resumingClient(h, true, 'bogo omit psk');
    const answer = client.hello([TLS_AES_128_GCM_SHA256], runnerExtensions(client));
    expect(answer.alerts).toEqual([]);
    expect(kinds(answer)).toEqual(FULL);
    expect(client.finish().alerts).toEqual([]);
  });

  it('ExtraPSKIdentity-TLS13 (a second identity, its binder junk) → resumed on the first; ours: identity 0, the other binder not checked (§4.2.11)', () => {
    const held = issueTickets(ticketing())[0]!;
    const client = new ScriptedClient(ticketing(), 'bogo extra identity resumes');
    const psk = ticketPsk(held);
    const base = decodeHandshake(client.encodeHello(0x0303, [TLS_AES_128_GCM_SHA256], runnerExtensions(client))) as ClientHello;
    const identities = [{ identity: psk.identity, obfuscatedTicketAge: psk.obfuscatedTicketAge }, { identity: Uint8Array.of(9, 9, 9), obfuscatedTicketAge: 7 }];
    const withBinder = (binder: Uint8Array) => encodeHandshake({ ...base, extensions: [...base.extensions, ext(ExtensionType.pre_shared_key, pskBody(identities, [binder, new Uint8Array(32).fill(9)]))] });
    // §4.2.11.2: the binder covers the ClientHello up to the binders, both identities included.
    const binderKey = new KeySchedule(nobleProvider, held.suite, psk.key).binderKey(true);
    const binder = finishedVerifyData(nobleProvider, held.suite, binderKey, nobleProvider.hash(held.suite.hash, truncateClientHelloForBinders(withBinder(new Uint8Array(32)))));
    const answer = client.sendHello(withBinder(binder), { offer: psk, suite: held.suite });
    expect(answer.alerts).toEqual([]);
    expect(kinds(answer)).toEqual(RESUMED);
    expect(selectedIdentity(answer)).toBe(0);
    expect(client.finish().alerts).toEqual([]);
    expect(client.server.info.resumed).toBe(true);
  });
});

describe('addResumptionVersionTests: ticket and cipher choices (resumption_tests.go)', () => {
  // BoringSSL declines a TLS 1.3 resumption whose suite is not the one it would pick now. RFC 8446 §4.2.11
  // lets the server resume in any offered suite of the ticket's hash ("the server MUST ensure that it selects
  // a compatible PSK (if any) and cipher suite"), and §4.2.10 then refuses only 0-RTT. We resume.
  it('Resume-Server-UnofferedCipher-TLS13 (a ChaCha20 ticket; the resumption offers only AES-128-GCM) → BoringSSL: a full handshake; ours: resumed in AES-128-GCM (same hash, §4.2.11)', () => {
    const [held] = issueTickets(ticketing(), { suites: [TLS_CHACHA20_POLY1305_SHA256] });
    const client = new ScriptedClient(ticketing(), 'bogo unoffered cipher');
    const answer = client.hello([TLS_AES_128_GCM_SHA256], runnerExtensions(client), { offer: ticketPsk(held!), suite: held!.suite });
    expect(kinds(answer)).toEqual(RESUMED);
    expect(messageOf(answer, 'server_hello').cipherSuite).toBe(TLS_AES_128_GCM_SHA256);
  });

  it('Resume-Server-CipherNotPreferred-TLS13 (the ticket\'s suite not our first choice) → BoringSSL: a full handshake; ours: resumed in our choice', () => {
    const [held] = issueTickets(ticketing(), { suites: [TLS_CHACHA20_POLY1305_SHA256] });
    const client = new ScriptedClient(ticketing(), 'bogo cipher not preferred');
    const answer = client.hello([TLS_CHACHA20_POLY1305_SHA256, TLS_AES_128_GCM_SHA256], runnerExtensions(client), { offer: ticketPsk(held!), suite: held!.suite });
    expect(kinds(answer)).toEqual(RESUMED);
    expect(messageOf(answer, 'server_hello').cipherSuite).toBe(TLS_AES_128_GCM_SHA256);
  });

  // Resume-Server-DeclineCrossVersion-TLS13 and -DeclineBadCipher-TLS13 rewrite the shim's ticket to a TLS 1.2
  // version or suite; ours are sealed and never hold either. The nearest: a ticket another server sealed.
  it('Resume-Server-DeclineCrossVersion-TLS13, -DeclineBadCipher-TLS13 (a ticket the server cannot use) → a full handshake; ours: a ticket under another key, a full handshake', () => {
    const [held] = issueTickets({ tickets: { count: 1, key: new Uint8Array(32).fill(7) } });
    const client = new ScriptedClient(ticketing(), 'bogo foreign ticket');
    const answer = client.hello([TLS_AES_128_GCM_SHA256], runnerExtensions(client), { offer: ticketPsk(held!), suite: held!.suite });
    expect(answer.alerts).toEqual([]);
    expect(kinds(answer)).toEqual(FULL);
    expect(client.finish().alerts).toEqual([]);
    expect(client.server.info.resumed).not.toBe(true);
  });
});

describe('addSessionTicketTests: psk_key_exchange_modes and tickets (resumption_tests.go)', () => {
  it('TLS13-SendUnknownModeSessionTicket-Server (modes 0x1a, psk_dhe_ke, 0x2a) → resumed; ours: resumed', () => {
    const modes = [0x1a, PSK_DHE_KE, 0x2a];
    const [held] = issueTickets(ticketing(), { modes });
    const client = new ScriptedClient(ticketing(), 'bogo unknown mode');
    expect(kinds(client.hello([TLS_AES_128_GCM_SHA256], runnerExtensions(client, { modes }), { offer: ticketPsk(held!), suite: held!.suite }))).toEqual(RESUMED);
  });

  it('TLS13-ExpectNoSessionTicketOnBadKEMode-Server (modes [0x1a] only) → no NewSessionTicket; ours: none (§4.2.9: SHOULD NOT)', () => {
    expect(issueTickets(ticketing(), { modes: [0x1a] })).toEqual([]);
  });

  it('TLS13-ExpectNoSessionTicketOnBadKEMode-Server, the control: with psk_dhe_ke, two tickets', () => {
    expect(issueTickets(ticketing())).toHaveLength(2);
  });

  it('TLS13-SendBadKEModeSessionTicket-Server (the resumption offers modes [0x1a]) → a full handshake; ours: the same (§4.2.9: "MUST NOT select a key exchange mode that is not listed")', () => {
    const [held] = issueTickets(ticketing());
    const client = new ScriptedClient(ticketing(), 'bogo bad mode');
    const answer = client.hello([TLS_AES_128_GCM_SHA256], runnerExtensions(client, { modes: [0x1a] }), { offer: ticketPsk(held!), suite: held!.suite });
    expect(answer.alerts).toEqual([]);
    expect(kinds(answer)).toEqual(FULL);
  });

  it('TLS13-SendNoKEMModesWithPSK-Server (pre_shared_key without psk_key_exchange_modes) → MISSING_EXTENSION, "remote error: missing extension"; ours: missing_extension (§4.2.9)', () => {
    const [held] = issueTickets(ticketing());
    const client = new ScriptedClient(ticketing(), 'bogo no modes');
    expectRefused(client, client.hello([TLS_AES_128_GCM_SHA256], runnerExtensions(client, { modes: undefined }), { offer: ticketPsk(held!), suite: held!.suite }), 'missing_extension');
  });

  it('TLS13-NoTicket-NoMint (tickets off) → no NewSessionTicket; ours: a server without `tickets` sends none', () => {
    expect(issueTickets({})).toEqual([]);
  });

  it('TLS13-NoTicket-NoAccept (tickets off on the resumption) → a full handshake; ours: the same', () => {
    const [held] = issueTickets(ticketing());
    const client = new ScriptedClient({}, 'bogo no accept');
    const answer = client.hello([TLS_AES_128_GCM_SHA256], runnerExtensions(client), { offer: ticketPsk(held!), suite: held!.suite });
    expect(answer.alerts).toEqual([]);
    expect(kinds(answer)).toEqual(FULL);
  });
});
