// What our client does with a server's hello messages that break RFC 8446 §4.1.3 and §4.2 (the rules a
// tlsfuzzer-like bad server probes): each edit of an otherwise honest flight gets the named alert.
import { describe, it } from 'vitest';
import { announcedSecret, editProtectedHandshake, suiteNamed } from '../../src/testing/tamper.js';
import { clientAbort, clientConfig, expectAbort, ext, protectedEdit, runUntilAbort, serverConfig, serverHelloEdit, tamperedPair } from '../handshake/abort-harness.js';

const SERVER_NAME = 0;
const EARLY_DATA = 42;
const COOKIE = 44;
const KEY_SHARE = 51;

describe('ServerHello', () => {
  it.each([1, 0xff])('legacy_compression_method %i is illegal_parameter (§4.1.3: "MUST have the value 0")', (method) => {
    expectAbort(clientAbort(serverHelloEdit((sh) => ({ ...sh, legacyCompressionMethod: method }))), 'illegal_parameter', { plaintext: true });
  });

  it.each([
    ['server_name (EncryptedExtensions only)', ext(SERVER_NAME, [])],
    ['cookie (HelloRetryRequest only)', ext(COOKIE, [0, 1, 7])],
  ])('an extension the §4.2 table does not allow in a ServerHello, %s, is illegal_parameter', (_, extension) => {
    expectAbort(clientAbort(serverHelloEdit((sh) => ({ ...sh, extensions: [...sh.extensions, extension] }))), 'illegal_parameter', { plaintext: true });
  });

  it('the same extension twice is illegal_parameter (§4.2)', () => {
    const edit = serverHelloEdit((sh) => ({ ...sh, extensions: [...sh.extensions, sh.extensions.find((e) => e.type === KEY_SHARE)!] }));
    expectAbort(clientAbort(edit), 'illegal_parameter', { plaintext: true });
  });
});

describe('EncryptedExtensions', () => {
  it('early_data the client never offered is unsupported_extension (§4.2: only extensions it sent)', () => {
    const edit = protectedEdit('server', (ms) => ms.map((m) => (m.kind === 'encrypted_extensions' ? { ...m, extensions: [...m.extensions, ext(EARLY_DATA, [])] } : m)));
    const result = clientAbort(edit);
    expectAbort(result, 'unsupported_extension', { protectedFor: result.peer });
  });
});

describe('NewSessionTicket', () => {
  it('key_share, which the §4.2 table does not allow there, is illegal_parameter', () => {
    const tickets = { count: 1, key: new Uint8Array(32).fill(3) };
    const pair = tamperedPair(clientConfig(), serverConfig({ tickets }), 'server', 1, (bytes, p) =>
      editProtectedHandshake(bytes, { suite: suiteNamed(p.server.info.cipherSuite), secret: announcedSecret(p.events('server'), 'server_application_traffic_secret_0') }, (ms) =>
        ms.map((m) => (m.kind === 'new_session_ticket' ? { ...m, extensions: [ext(KEY_SHARE, [0, 0x1d, 0, 0])] } : m)),
      ),
    );
    const result = runUntilAbort(pair);
    expectAbort(result, 'illegal_parameter', { protectedFor: result.peer });
  });
});
