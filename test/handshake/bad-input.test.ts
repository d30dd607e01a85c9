// Every bad input gets the RFC's alert on the wire and a closed connection. For each fault we check the
// alert the victim reported (its `alert` event, direction 'out'), the bytes it put on the wire (a plaintext
// alert record byte for byte, or one protected record that its peer decrypts to the same alert), that it is
// CLOSED, and that it stays silent and calm when more bytes arrive.
import { describe, expect, it } from 'vitest';
import { Connection } from '../../src/handshake/connection.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import {
  editServerHello,
  flipBit,
  joinRecords,
  splitHandshakeMessages,
  splitRecords,
} from '../../src/testing/tamper.js';
import { concat, hex, utf8 } from '../../src/wire/bytes.js';
import { TlsError } from '../../src/wire/errors.js';
import type { Extension } from '../../src/wire/types.js';
import {
  alice,
  clientAbort,
  clientConfig,
  expectAbort,
  EXT,
  ext,
  handshakeMessage,
  helloWith,
  p256Public,
  pinned,
  protectedEdit,
  protectedRecordsEdit,
  record,
  runUntilAbort,
  serverConfig,
  serverHelloEdit,
  serverKeyShare,
  tamperedPair,
  x25519Public,
  ALERT,
  type AlertName,
} from './abort-harness.js';


describe('server fed a tampered client flight', () => {
  it.each([
    ['the start of a second message', Uint8Array.of(0x14, 0x00, 0x00)],
    ['a whole second message', handshakeMessage(20, new Uint8Array(32))],
  ])('sends unexpected_message when the ClientHello record also holds %s, which the handshake keys would have to cover (RFC 8446 §5.1)', (_, extra) => {
    const pair = tamperedPair(clientConfig(), serverConfig(), 'client', 0, (bytes) => {
      const records = splitRecords(bytes);
      records[0]!.fragment = concat(records[0]!.fragment, extra);
      return joinRecords(records);
    });
    const result = runUntilAbort(pair);
    expect(result.side).toBe('server');
    expectAbort(result, 'unexpected_message', { protectedFor: result.peer, afterServerHello: true }, 'HandshakeSpansKeyChange');
  });
});

describe('client fed a tampered ServerHello', () => {

  it('completes the handshake when the flight is passed through the editor unchanged', () => {
    const pair = tamperedPair(clientConfig(), serverConfig(), 'server', 0, (bytes, p) =>
      protectedEdit('server', (m) => m)(editServerHello(bytes, (sh) => sh), p),
    ).run();
    expect(pair.client.isConnected).toBe(true);
    expect(pair.server.isConnected).toBe(true);
  });

  it('sends illegal_parameter for a cipher suite it did not offer (RFC 8446 §4.1.3)', () => {
    const result = clientAbort(serverHelloEdit((sh) => ({ ...sh, cipherSuite: 0x1303 })), { cipherSuites: [0x1301, 0x1302] });
    expectAbort(result, 'illegal_parameter', { plaintext: true });
  });

  it('sends illegal_parameter for a key share in a group it sent no share for (RFC 8446 §4.2.8)', () => {
    const share = serverKeyShare(0x0017, p256Public());
    const result = clientAbort(serverHelloEdit((sh) => ({ ...sh, extensions: sh.extensions.map((e) => (e.type === EXT.key_share ? share : e)) })));
    expectAbort(result, 'illegal_parameter', { plaintext: true });
  });

  it('sends protocol_version for a ServerHello without supported_versions (RFC 8446 §4.2.1)', () => {
    const result = clientAbort(serverHelloEdit((sh) => ({ ...sh, extensions: sh.extensions.filter((e) => e.type !== EXT.supported_versions) })));
    expectAbort(result, 'protocol_version', { plaintext: true });
  });

  it('sends illegal_parameter for supported_versions selecting TLS 1.2 (RFC 8446 §4.2.1)', () => {
    const result = clientAbort(
      serverHelloEdit((sh) => ({ ...sh, extensions: sh.extensions.map((e) => (e.type === EXT.supported_versions ? ext(e.type, [0x03, 0x03]) : e)) })),
    );
    expectAbort(result, 'illegal_parameter', { plaintext: true });
  });

  it('sends illegal_parameter for the TLS 1.2 downgrade sentinel in a ServerHello without supported_versions (RFC 8446 §4.1.3)', () => {
    const sentinel = Uint8Array.of(0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01);
    const result = clientAbort(
      serverHelloEdit((sh) => ({
        ...sh,
        random: concat(sh.random.subarray(0, 24), sentinel),
        extensions: sh.extensions.filter((e) => e.type !== EXT.supported_versions),
      })),
    );
    expectAbort(result, 'illegal_parameter', { plaintext: true });
  });

  it('sends illegal_parameter for a legacy_session_id_echo that is not its own session id (RFC 8446 §4.1.3)', () => {
    const result = clientAbort(serverHelloEdit((sh) => ({ ...sh, legacySessionIdEcho: flipBit(sh.legacySessionIdEcho, 0) })));
    expectAbort(result, 'illegal_parameter', { plaintext: true });
  });

  it('sends unsupported_extension for an extension it never offered (RFC 8446 §4.2)', () => {
    const result = clientAbort(serverHelloEdit((sh) => ({ ...sh, extensions: [...sh.extensions, ext(0x1234, [])] })));
    expectAbort(result, 'unsupported_extension', { plaintext: true });
  });

  it('sends unsupported_extension for a pre_shared_key selection when it offered no PSK', () => {
    const result = clientAbort(serverHelloEdit((sh) => ({ ...sh, extensions: [...sh.extensions, ext(EXT.pre_shared_key, [0, 0])] })));
    expectAbort(result, 'unsupported_extension', { plaintext: true });
  });

  // The client has no keys yet, so it sends its alert in plaintext ("or as plaintext if no such key has been
  // established", RFC 8446 §7.3), although the server already reads with the client handshake keys.
  it("lets the server read the client's plaintext alert about a bad ServerHello", () => {
    const result = clientAbort(serverHelloEdit((sh) => ({ ...sh, cipherSuite: 0x1303 })), { cipherSuites: [0x1301] });
    expectAbort(result, 'illegal_parameter', { plaintext: true });
    const server = result.peer;
    server.takeEvents();
    server.receive(result.output);
    expect(server.takeEvents().filter((e) => e.type === 'alert')).toEqual([
      { type: 'alert', direction: 'in', level: 'fatal', description: 'illegal_parameter' },
    ]);
    expect(server.takeOutput()).toHaveLength(0);
    expect(server.state).toBe('CLOSED');
  });

  it('sends unexpected_message when a second ServerHello follows the first in the same record', () => {
    const result = clientAbort(serverHelloEdit((sh) => [sh, sh]));
    // The second message is buffered when the handshake keys come in: RFC 8446 §5.1 forbids that too.
    expectAbort(result, 'unexpected_message', { either: true });
  });
});

describe('client fed a tampered protected server flight', () => {

  it('sends bad_record_mac for one flipped bit in a protected record (RFC 8446 §5.2)', () => {
    const result = clientAbort((bytes) => {
      const records = splitRecords(bytes);
      const first = records.find((r) => r.type === 0x17)!;
      first.fragment = flipBit(first.fragment, first.fragment.length - 1, 7);
      return joinRecords(records);
    });
    expectAbort(result, 'bad_record_mac', { protectedFor: result.peer });
  });

  it('sends unexpected_message for a ServerHello under handshake protection', () => {
    const result = clientAbort((bytes, pair) => {
      const serverHello = splitHandshakeMessages(splitRecords(bytes)[0]!.fragment)[0]!;
      return protectedEdit('server', (messages) => [serverHello, ...messages])(bytes, pair);
    });
    expectAbort(result, 'unexpected_message', { protectedFor: result.peer });
  });

  it('sends unexpected_message for a Certificate where EncryptedExtensions belongs', () => {
    const result = clientAbort(protectedEdit('server', (messages) => messages.filter((m) => m.kind !== 'encrypted_extensions')));
    expectAbort(result, 'unexpected_message', { protectedFor: result.peer });
  });

  it('sends unexpected_message for a Finished before CertificateVerify', () => {
    const result = clientAbort(protectedEdit('server', (messages) => messages.filter((m) => m.kind !== 'certificate_verify')));
    expectAbort(result, 'unexpected_message', { protectedFor: result.peer });
  });

  const inEncryptedExtensions = (extension: Extension) =>
    protectedEdit('server', (messages) =>
      messages.map((m) => (m.kind === 'encrypted_extensions' ? { ...m, extensions: [...m.extensions, extension] } : m)),
    );

  it('sends unsupported_extension for an ALPN answer in EncryptedExtensions when it offered no ALPN (RFC 8446 §4.2)', () => {
    const result = clientAbort(inEncryptedExtensions(ext(EXT.alpn, [0, 3, 2, 0x68, 0x32])));
    expectAbort(result, 'unsupported_extension', { protectedFor: result.peer });
  });

  it('sends illegal_parameter for key_share in EncryptedExtensions, where the §4.2 table does not allow it', () => {
    const result = clientAbort(inEncryptedExtensions(serverKeyShare(0x001d, x25519Public())));
    expectAbort(result, 'illegal_parameter', { protectedFor: result.peer }, 'ExtensionNotAllowedHere');
  });

  it.each([
    ['application data under handshake keys (RFC 8446 §2, §6.2)', 0x17, utf8.encode('too early'), 'UnexpectedMessage'],
    ['a protected ChangeCipherSpec (RFC 8446 §5)', 0x14, Uint8Array.of(1), 'UnexpectedChangeCipherSpec'],
    ['a protected record of an unknown content type (RFC 8446 §5)', 0x18, Uint8Array.of(1), 'UnexpectedMessage'],
    ['a protected record whose plaintext is all zeros (RFC 8446 §5.4)', 0x00, new Uint8Array(0), 'EmptyRecord'],
  ])('sends unexpected_message for %s', (_, contentType, content, reason) => {
    const result = clientAbort(protectedRecordsEdit((records) => [{ contentType, content }, ...records]));
    expectAbort(result, 'unexpected_message', { protectedFor: result.peer }, reason);
  });

  it('sends decode_error for an empty server Certificate (RFC 8446 §4.4.2.4)', () => {
    const result = clientAbort(protectedEdit('server', (messages) => messages.map((m) => (m.kind === 'certificate' ? { ...m, entries: [] } : m))));
    expectAbort(result, 'decode_error', { protectedFor: result.peer });
  });

  it('sends decrypt_error for a server Finished with one bit flipped (RFC 8446 §4.4.4)', () => {
    const result = clientAbort(
      protectedEdit('server', (messages) => messages.map((m) => (m.kind === 'finished' ? { ...m, verifyData: flipBit(m.verifyData, 5) } : m))),
    );
    expectAbort(result, 'decrypt_error', { protectedFor: result.peer }, 'BadFinished');
  });

  it('reaches the same verdict on a bad server Finished delivered one byte at a time', () => {
    const edit = protectedEdit('server', (messages) => messages.map((m) => (m.kind === 'finished' ? { ...m, verifyData: flipBit(m.verifyData, 0) } : m)));
    const result = runUntilAbort(tamperedPair(clientConfig(), serverConfig(), 'server', 0, edit, 1));
    expect(result.side).toBe('client');
    expectAbort(result, 'decrypt_error', { protectedFor: result.peer }, 'BadFinished');
  });

  it('sends unexpected_message for a handshake message after the server Finished, which the application keys would have to cover (RFC 8446 §5.1)', () => {
    const result = clientAbort(protectedEdit('server', (messages) => [...messages, messages[messages.length - 1]!]));
    expectAbort(result, 'unexpected_message', { protectedFor: result.peer }, 'HandshakeSpansKeyChange');
  });

  it('sends missing_extension for a CertificateRequest without signature_algorithms (RFC 8446 §4.3.2)', () => {
    const result = clientAbort(
      // Only signature_algorithms_cert is left (the extension list may not be empty: <2..2^16-1>).
      protectedEdit('server', (messages) =>
        messages.map((m) => (m.kind === 'certificate_request' ? { ...m, extensions: [ext(EXT.signature_algorithms_cert, [0, 2, 0x08, 0x07])] } : m)),
      ),
      { certificate: alice },
      { clientAuth: 'require', trust: pinned(alice) },
    );
    expectAbort(result, 'missing_extension', { protectedFor: result.peer });
  });

  it('sends decrypt_error for a CertificateVerify signature with one bit flipped (RFC 8446 §4.4.3)', () => {
    const result = clientAbort(
      protectedEdit('server', (messages) =>
        messages.map((m) => (m.kind === 'certificate_verify' ? { ...m, signature: flipBit(m.signature, 10) } : m)),
      ),
    );
    expectAbort(result, 'decrypt_error', { protectedFor: result.peer }, 'BadCertificateVerifySignature');
  });

  it('sends unexpected_message for a ChangeCipherSpec of value 0x02 (RFC 8446 §5)', () => {
    const result = clientAbort((bytes) => {
      const records = splitRecords(bytes);
      const ccs = records.find((r) => r.type === 0x14)!;
      expect(hex(ccs.fragment)).toBe('01');
      ccs.fragment = Uint8Array.of(2);
      return joinRecords(records);
    });
    expectAbort(result, 'unexpected_message', { protectedFor: result.peer });
  });

  it('sends unexpected_message when a handshake message starts in the ServerHello record and would end under the new keys (RFC 8446 §5.1)', () => {
    const result = clientAbort((bytes) => {
      const records = splitRecords(bytes);
      // EncryptedExtensions' header (type 8, length 2) begins after the ServerHello, in plaintext.
      records[0]!.fragment = concat(records[0]!.fragment, Uint8Array.of(8, 0, 0));
      return joinRecords(records);
    });
    expectAbort(result, 'unexpected_message', { either: true }, 'HandshakeSpansKeyChange');
  });
});

describe('server fed a tampered protected client flight', () => {
  it('sends unexpected_message for a client Certificate it did not request', () => {
    const pair = tamperedPair(clientConfig(), serverConfig(), 'client', 1,
      protectedEdit('client', (messages) => [{ kind: 'certificate', context: new Uint8Array(0), entries: [] }, ...messages]),
    );
    const result = runUntilAbort(pair);
    expect(result.side).toBe('server');
    expectAbort(result, 'unexpected_message', { protectedFor: result.peer });
  });
});

describe('record layer after the handshake', () => {
  it('sends unexpected_message for a ChangeCipherSpec once connected (RFC 8446 §5)', () => {
    const pair = new InMemoryPair(clientConfig(), serverConfig()).run();
    expect(pair.client.isConnected).toBe(true);
    const victim = pair.client;
    victim.takeEvents();
    victim.receive(record(0x14, Uint8Array.of(1)));
    expectAbort({ victim, events: victim.takeEvents(), output: victim.takeOutput() }, 'unexpected_message', { protectedFor: pair.server });
  });

  it('sends unexpected_message for a plaintext handshake record once connected', () => {
    const pair = new InMemoryPair(clientConfig(), serverConfig()).run();
    const victim = pair.server;
    victim.takeEvents();
    victim.receive(record(0x16, helloWith(() => {})));
    expectAbort({ victim, events: victim.takeEvents(), output: victim.takeOutput() }, 'unexpected_message', { protectedFor: pair.client });
  });
});

describe('single-bit flips anywhere in a flight', () => {
  /**
   * The outcome a fuzzer may rely on: the victim goes on (no alert), or sends exactly one fatal alert, as a
   * plaintext record or one protected record, and closes. internal_error from an unclassified exception
   * would mean a fault the engine did not recognise.
   */
  function expectCleanOutcome(victim: Connection, events: TlsEvent[], output: Uint8Array): string {
    const alerts = events.filter((e): e is Extract<TlsEvent, { type: 'alert' }> => e.type === 'alert' && e.direction === 'out');
    if (!victim.isClosed) {
      expect(alerts).toEqual([]);
      return 'going on';
    }
    expect(alerts).toHaveLength(1);
    const alert = alerts[0]!;
    expect(alert.level).toBe('fatal');
    expect(alert.reason).not.toBe('InternalError');
    expect(Object.keys(ALERT)).toContain(alert.description);
    const description = ALERT[alert.description as AlertName];
    const protectedAlert = output.length >= 24 && hex(output.subarray(output.length - 24, output.length - 19)) === '1703030013';
    if (!protectedAlert) expect(hex(output.subarray(-7))).toBe(hex(Uint8Array.of(0x15, 0x03, 0x03, 0x00, 0x02, 0x02, description)));
    return alert.description;
  }

  it('never lets an exception escape the server, whichever ClientHello bit is flipped', () => {
    const hello = Connection.client(clientConfig({ alpnProtocols: ['h2'] })).takeOutput();
    const outcomes = new Set<string>();
    for (let i = 0; i < hello.length; i++) {
      const victim = Connection.server(serverConfig({ alpnProtocols: ['h2'] }));
      expect(() => victim.receive(flipBit(hello, i, i % 8))).not.toThrow();
      outcomes.add(expectCleanOutcome(victim, victim.takeEvents(), victim.takeOutput()));
    }
    // The sweep reached the decoder, the negotiation and the record layer, not just one check.
    expect(outcomes).toContain('going on');
    expect(outcomes).toContain('decode_error');
    expect(outcomes.size).toBeGreaterThan(4);
  });

  it('never lets an exception escape the client, whichever bit of the decrypted server flight is flipped', () => {
    const outcomes = new Set<string>();
    for (let i = 0; i < 1200; i += 7) {
      let flipped = false;
      const flipOne = protectedRecordsEdit((records) => {
        let at = i;
        return records.map((r) => {
          const inside = at >= 0 && at < r.content.length;
          const edited = inside ? { ...r, content: flipBit(r.content, at, i % 8) } : r;
          flipped ||= inside;
          at -= r.content.length;
          return edited;
        });
      });
      const pair = tamperedPair(clientConfig(), serverConfig(), 'server', 0, flipOne);
      expect(() => pair.step('client') && pair.step('server')).not.toThrow();
      if (!flipped) break;
      outcomes.add(expectCleanOutcome(pair.client, pair.events('client'), pair.client.takeOutput()));
    }
    expect(outcomes).toContain('bad_certificate');
    expect(outcomes).toContain('decrypt_error');
    expect(outcomes.size).toBeGreaterThan(3);
  });
});

describe('API misuse throws plain Errors, not alerts', () => {
  it('throws on write() before the handshake completed, and the handshake goes on', () => {
    const client = Connection.client(clientConfig());
    client.takeOutput();
    let thrown: unknown;
    try {
      client.write(utf8.encode('too early'));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown).not.toBeInstanceOf(TlsError);
    expect(client.takeOutput()).toHaveLength(0);
    expect(client.state).toBe('WAIT_SH');
    expect(client.takeEvents().some((e) => e.type === 'alert')).toBe(false);
  });

  it('throws on resolve() with no decision pending, and the connection is unharmed', () => {
    const pair = new InMemoryPair(clientConfig(), serverConfig());
    pair.step('client');
    expect(() => pair.client.resolve({ kind: 'verify-peer', verdict: { trusted: true } })).toThrow(Error);
    expect(pair.client.takeOutput()).toHaveLength(0);
    pair.run();
    expect(pair.client.isConnected).toBe(true);
  });

  it('throws on write() after close()', () => {
    const pair = new InMemoryPair(clientConfig(), serverConfig()).run();
    pair.client.close();
    expect(() => pair.client.write(utf8.encode('late'))).toThrow(Error);
  });
});
