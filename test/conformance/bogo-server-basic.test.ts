// BoGo's TLS 1.3 server tests of addBasicTests (boringssl ssl/test/runner/basic_tests.go, formerly runner.go),
// replayed against our server with the hand-written client (scripted-client.ts, docs/bogo-server.md): the
// runner's alerts after the handshake (one, split over two records, two in one record), what it sends in place
// of a ClientHello (HTTP requests, garbage), a ClientHello in one-byte records or with TLS_FALLBACK_SCSV or odd
// compression methods, a wrong Finished, how our flight is packed into records, and GREASE in our tickets.
import { describe, expect, it } from 'vitest';
import type { ServerConfig } from '../../src/handshake/config.js';
import { concat, utf8 } from '../../src/wire/bytes.js';
import { CipherSuite, ContentType } from '../../src/wire/enums.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import type { NewSessionTicket } from '../../src/wire/types.js';
import { baseHello, ext, record } from '../handshake/abort-harness.js';
import { closedByPeer, fails, SUCCEEDS } from './bogo-harness.js';
import { replayServer, runnerExtensions, ticketing, ticketsOf, type BogoServerCase, type Played } from './bogo-server-harness.js';
import { ScriptedClient } from './scripted-client.js';

const { TLS_AES_128_GCM_SHA256 } = CipherSuite;
/** RFC 7507 §6: the signalling suite value a client adds when it retries with a lower version. */
const TLS_FALLBACK_SCSV = 0x5600;
const FATAL = 2;
const RECORD_OVERFLOW = 22;

/** The runner's ClientHello (its suites), then its Finished when our server answered; `before` sets the client up first. */
function handshake(seed: string, options: { suites?: number[]; before?: (client: ScriptedClient) => void } = {}): Played {
  const client = new ScriptedClient({}, `bogo basic ${seed}`);
  options.before?.(client);
  const answers = [client.hello(options.suites ?? [TLS_AES_128_GCM_SHA256], runnerExtensions(client))];
  if (answers[0]!.alerts.length === 0) answers.push(client.finish());
  return { client, answers };
}

/** After a whole handshake, the runner's protected records of `type` with these contents (SendSpuriousAlert and its bugs). */
function afterHandshake(seed: string, type: number, ...contents: Uint8Array[]): Played {
  const played = handshake(seed);
  played.answers.push(played.client.sendRaw(concat(...contents.map((c) => played.client.seal(type, c)))));
  return played;
}

/** After a whole handshake, the runner's application data with `padding` zeros in its TLSInnerPlaintext (§5.4). */
function withPadding(seed: string, data: Uint8Array, padding: number): Played {
  const played = handshake(seed);
  played.client.server.takeEvents();
  played.answers.push(played.client.sendSealed(ContentType.application_data, data, padding));
  return played;
}

/** The runner's TLSInnerPlaintext `inner`, as it is, under its handshake keys in place of its Finished. */
function innerBeforeFinished(inner: Uint8Array): Played {
  const client = new ScriptedClient({}, `bogo inner ${inner.length}`);
  const answers = [client.hello([TLS_AES_128_GCM_SHA256], runnerExtensions(client))];
  answers.push(client.sendRaw(client.sealInner(inner)));
  return { client, answers };
}

/** The runner's sendPrefix in place of a ClientHello, its ClientHello behind it. */
function prefixed(prefix: string): Played {
  const client = new ScriptedClient({}, `bogo prefix ${prefix}`);
  const hello = record(ContentType.handshake, client.encodeHello(0x0303, [TLS_AES_128_GCM_SHA256], runnerExtensions(client)));
  return { client, answers: [client.sendRaw(concat(utf8.encode(prefix), hello))] };
}

/** A ClientHello listing `methods` as legacy_compression_methods (RFC 8446 §4.1.2: exactly one byte, 0). */
function compressionMethods(methods: number[]): Played {
  const client = new ScriptedClient({}, `bogo compression ${methods.join(',')}`);
  const hello = encodeHandshake({ ...baseHello(), cipherSuites: [TLS_AES_128_GCM_SHA256], legacyCompressionMethods: Uint8Array.from(methods), extensions: runnerExtensions(client) });
  return { client, answers: [client.sendHello(hello)] };
}

/** The runner's Finished with its last byte flipped (BadFinished). */
function badFinished(): Played {
  const client = new ScriptedClient({}, 'bogo bad finished');
  const answers = [client.hello([TLS_AES_128_GCM_SHA256], runnerExtensions(client))];
  const finished = client.finishedMessage();
  finished[finished.length - 1]! ^= 1;
  answers.push(client.sendHandshake(finished));
  return { client, answers };
}

describe('addBasicTests: the TLS 1.3 server cases', () => {
  replayServer([
    // SendSpuriousAlert: a fatal record_overflow before the runner's first data; the shim reports it.
    { name: 'Alert', expected: closedByPeer('record_overflow'), ours: 'closed', run: () => afterHandshake('alert', ContentType.alert, Uint8Array.of(FATAL, RECORD_OVERFLOW)) },
    // §5.1: "Alert messages MUST NOT be fragmented across records, and multiple alert messages MUST NOT be
    // coalesced into a single TLSPlaintext record"; an alert record of other than two bytes is malformed.
    {
      name: 'FragmentAlert',
      expected: fails(':BAD_ALERT:'),
      ours: 'decode_error',
      run: () => afterHandshake('fragment alert', ContentType.alert, Uint8Array.of(FATAL), Uint8Array.of(RECORD_OVERFLOW)),
    },
    { name: 'DoubleAlert', expected: fails(':BAD_ALERT:'), ours: 'decode_error', run: () => afterHandshake('double alert', ContentType.alert, Uint8Array.of(FATAL, RECORD_OVERFLOW, FATAL, RECORD_OVERFLOW)) },
    // RFC 7507 §3: the SCSV aborts only when the client's highest version is below ours; TLS 1.3 is ours.
    { name: 'FallbackSCSV-VersionMatch-TLS13', expected: SUCCEEDS, ours: 'connected', run: () => handshake('fallback scsv', { suites: [TLS_AES_128_GCM_SHA256, TLS_FALLBACK_SCSV] }) },
    // CVE-2014-3511: the ClientHello in one-byte records (§5.1: handshake messages may be fragmented).
    { name: 'FragmentedClientVersion', expected: SUCCEEDS, ours: 'connected', run: () => handshake('fragmented', { before: (client) => (client.helloRecordLength = 1) }) },
    ...['GET / HTTP/1.0\n', 'POST / HTTP/1.0\n', 'HEAD / HTTP/1.0\n', 'PUT / HTTP/1.0\n'].map((prefix) => ({
      name: `Http${prefix.split(' ')[0]}`,
      expected: fails(':HTTP_REQUEST:'),
      ours: 'unexpected_message' as const,
      run: () => prefixed(prefix),
    })),
    { name: 'HttpCONNECT', expected: fails(':HTTPS_PROXY_REQUEST:'), ours: 'unexpected_message', run: () => prefixed('CONNECT www.google.com:443 HTTP/1.0\n') },
    { name: 'Garbage', expected: fails(':WRONG_VERSION_NUMBER:'), ours: 'unexpected_message', run: () => prefixed('blah') },
    // §4.4.4: "Recipients of Finished messages MUST verify that the contents are correct and if incorrect MUST terminate the connection with a "decrypt_error" alert."
    { name: 'BadFinished-Server-TLS13', expected: fails(':DIGEST_CHECK_FAILED:'), ours: 'decrypt_error', run: badFinished },
    // §4.1.2: "For every TLS 1.3 ClientHello, this vector MUST contain exactly one byte, set to zero"; else illegal_parameter.
    { name: 'ExtraCompressionMethods-TLS13', expected: fails(':INVALID_COMPRESSION_LIST:', 'illegal_parameter'), ours: 'illegal_parameter', run: () => compressionMethods([1, 2, 3, 0, 4, 5, 6]) },
    { name: 'NoNullCompression-TLS13', expected: fails(':INVALID_COMPRESSION_LIST:', 'illegal_parameter'), ours: 'illegal_parameter', run: () => compressionMethods([1, 2, 3, 4, 5, 6]) },
    {
      // ExpectPackedEncryptedHandshake 16384: the runner fails on a protected handshake record not filled to
      // 2^14 bytes before the flight's last one; our flight (EncryptedExtensions to Finished) is one record.
      name: 'PackedEncryptedHandshake-TLS13',
      expected: SUCCEEDS,
      ours: 'connected',
      run: () => handshake('packed'),
      check: ({ answers }) => expect(answers[0]!.records).toEqual([ContentType.handshake, ContentType.handshake]),
    },
  ]);
});

describe('addBasicTests: GREASE-Server-TLS13 (the runner, ExpectGREASE, requires a GREASE extension in our NewSessionTicket)', () => {
  const GREASE_EXTENSION = ext(0x1a1a, []);
  const ticketExtensions = (config: Partial<ServerConfig>, seed: string) => {
    const client = new ScriptedClient({ ...ticketing(), ...config }, seed);
    expect(client.hello([TLS_AES_128_GCM_SHA256], runnerExtensions(client)).alerts).toEqual([]);
    const tickets: NewSessionTicket[] = ticketsOf(client.finish());
    expect(tickets).toHaveLength(2);
    return tickets.map((t) => t.extensions.map((e) => e.type));
  };

  it('by default → BoGo fails ("no GREASE ticket extension found"); ours: no GREASE (divergence: RFC 8701 §4, a server MAY send GREASE, "TLS 1.3 servers are expected to always enable GREASE" is BoringSSL\'s)', () => {
    for (const types of ticketExtensions({}, 'bogo grease default')) expect(types.some((t) => (t & 0x0f0f) === 0x0a0a)).toBe(false);
  });

  it('with serverFlight.newSessionTicket.extensions: a GREASE value → BoGo succeeds; ours: every ticket carries it', () => {
    const types = ticketExtensions({ serverFlight: { newSessionTicket: { extensions: [GREASE_EXTENSION] } } }, 'bogo grease shaped');
    for (const t of types) expect(t).toContain(0x1a1a);
  });
});

// addTLS13RecordTests (tls13_tests.go) and addBasicTests' record sizes are client tests in BoGo; the same records
// from the client, towards our server (ours): padding (§5.4), empty inner plaintexts, and the size limits (§5.1, §5.2).
describe('record padding and sizes towards our server (ours; BoGo plays them against clients)', () => {
  const DATA = utf8.encode('padded data');
  const dataRead = (expected: Uint8Array) => ({ client }: Played) =>
    expect(client.server.takeEvents().filter((e) => e.type === 'data')).toEqual([expect.objectContaining({ data: expected })]);
  /** The runner's application data of `length` bytes with `padding` zeros, after a whole handshake. */
  const large = (name: string, length: number, padding: number, ok: boolean): BogoServerCase => {
    const data = new Uint8Array(length).fill(0x42);
    return {
      name,
      // §5.4: the length of TLSInnerPlaintext (content, type, padding) "MUST NOT exceed 2^14 + 1 octets".
      expected: ok ? SUCCEEDS : fails(':DATA_LENGTH_TOO_LONG:', 'record_overflow'),
      ours: ok ? 'connected' : 'record_overflow',
      run: () => withPadding(name, data, padding),
      ...(ok ? { check: dataRead(data) } : {}),
    };
  };
  replayServer([
    { name: 'TLS13-RecordPadding-TLS (10 zeros after the data)', expected: SUCCEEDS, ours: 'connected', run: () => withPadding('record padding', DATA, 10), check: dataRead(DATA) },
    // OmitRecordContents: a TLSInnerPlaintext with no content type, in the client's handshake flight (§5.4: unexpected_message).
    { name: 'TLS13-EmptyRecords-TLS', expected: fails(':DECRYPTION_FAILED_OR_BAD_RECORD_MAC:'), ours: 'unexpected_message', run: () => innerBeforeFinished(new Uint8Array(0)) },
    { name: 'TLS13-OnlyPadding-TLS', expected: fails(':DECRYPTION_FAILED_OR_BAD_RECORD_MAC:'), ours: 'unexpected_message', run: () => innerBeforeFinished(new Uint8Array(10)) },
    large('LargePlaintext', 2 ** 14 + 1, 0, false),
    large('LargePlaintext-TLS13-Padded-8192-8192', 8192, 8192, true),
    large('LargePlaintext-TLS13-Padded-8193-8192', 8192, 8193, false),
    large('LargePlaintext-TLS13-Padded-16383-1', 16383, 1, true),
    large('LargePlaintext-TLS13-Padded-16384-1', 16384, 1, false),
    // §5.2: a TLSCiphertext over 2^14 + 256 bytes is record_overflow.
    { name: 'LargeCiphertext', expected: fails(':ENCRYPTED_LENGTH_TOO_LONG:'), ours: 'record_overflow', run: () => withPadding('large ciphertext', new Uint8Array(2 ** 15).fill(0x42), 0) },
  ]);
});
