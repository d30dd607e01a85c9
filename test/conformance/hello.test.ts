// ClientHello extension rules a scripted client meets (tlsfuzzer's test-tls13-signature-algorithms,
// -invalid-server-name, -psk_ke, -psk_dhe_ke, -session-resumption, -legacy-session-id, -0rtt-garbage):
// the bounds of each vector are syntax (decode_error, §6.2), a missing mandatory extension is
// missing_extension (§9.2), a PSK binder that does not validate is decrypt_error (§4.2.11, §6.2).
// Rules already covered in test/handshake (duplicates, compression methods, key_share groups, psk last,
// HelloRetryRequest changes) are not repeated here.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { scenarioConfigs } from '../../src/testing/fuzz/scenarios.js';
import { editPlaintextHandshake, flipBit } from '../../src/testing/tamper.js';
import { concat } from '../../src/wire/bytes.js';
import { preSharedKeyClientHello } from '../../src/wire/extensions.js';
import type { ClientHello } from '../../src/wire/types.js';
import { expectAbort, ext, feedServer, helloWith, record, replacingExtension, withoutExtension } from '../handshake/abort-harness.js';
import { accepted } from './harness.js';

const HANDSHAKE = 22;
const SERVER_NAME = 0;
const PADDING = 21;
const EARLY_DATA = 42;
const PSK_KEY_EXCHANGE_MODES = 45;

/** server_name body: a ServerNameList of one host_name entry (RFC 6066 §3). */
const hostName = (name: number[]) => [(name.length + 3) >> 8, (name.length + 3) & 0xff, 0, name.length >> 8, name.length & 0xff, ...name];
const serve = (edit: (h: ClientHello) => void) => feedServer(record(HANDSHAKE, helloWith(edit)));
const plus = (...extensions: ReturnType<typeof ext>[]) => (h: ClientHello) => h.extensions.unshift(...extensions);

/** The ServerHello the server answered with, as bytes of its record. */
function expectServerHello(result: ReturnType<typeof feedServer>): Uint8Array {
  expect(accepted(result)).toBe(true);
  expect(result.output[5]).toBe(2);
  return result.output.subarray(5);
}

/** A ServerHello too short to echo the padding (RFC 7685 §3: "The server MUST NOT echo the extension"). */
function expectAnsweredWithoutPadding(result: ReturnType<typeof feedServer>): void {
  const hello = expectServerHello(result);
  expect((hello[1]! << 16) | (hello[2]! << 8) | hello[3]!).toBeLessThan(200);
}

describe('vector bounds in ClientHello extensions are decode_error', () => {
  it.each([
    ['server_name with an empty server_name_list (RFC 6066 §3: <1..2^16-1>)', ext(SERVER_NAME, [0, 0])],
    ['server_name with an empty host_name (RFC 6066 §3: HostName<1..2^16-1>)', ext(SERVER_NAME, hostName([]))],
    ['server_name whose list length runs past the extension', ext(SERVER_NAME, [0, 9, 0, 0, 1, 0x61])],
    ['psk_key_exchange_modes with no mode (§4.2.9: <1..255>)', ext(PSK_KEY_EXCHANGE_MODES, [0])],
    ['early_data with a body (§4.2.10: empty in ClientHello)', ext(EARLY_DATA, [0])],
  ])('%s', (_, extension) => {
    expectAbort(serve(plus(extension)), 'decode_error', { plaintext: true });
  });

  it.each([
    ['signature_algorithms', 13],
    ['supported_groups', 10],
  ])('an empty %s list (<2..2^16-2>)', (_, type) => {
    expectAbort(serve(replacingExtension(ext(type, [0, 0]))), 'decode_error', { plaintext: true });
  });

  it.each([
    ['signature_algorithms', 13],
    ['supported_groups', 10],
  ])('a %s list of odd length', (_, type) => {
    expectAbort(serve(replacingExtension(ext(type, [0, 3, 0x08, 0x07, 0x08]))), 'decode_error', { plaintext: true });
  });

  it('an empty supported_versions list (§4.2.1: <2..254>)', () => {
    expectAbort(serve(replacingExtension(ext(43, [0]))), 'decode_error', { plaintext: true });
  });
});

describe('server_name that is not a host name (RFC 6066 §3: "the fully qualified DNS hostname ... ASCII")', () => {
  // Attacker's test: info.serverName reaches the application, whose logs a line feed or a NUL would forge or
  // cut (as names in certificates did, test/security/name-injection.test.ts). A control character is no
  // more a host name than a non-ASCII byte, which the codec already refuses with decode_error.
  it.each([
    ['a line feed', [0x61, 0x0a, 0x62]],
    ['a NUL', [0x61, 0x00, 0x62]],
    ['ESC', [0x1b, 0x5b, 0x32, 0x4a]],
    ['DEL', [0x61, 0x7f]],
  ])('a host_name with %s is decode_error, and no name reaches the application', (_, name) => {
    const result = serve(plus(ext(SERVER_NAME, hostName(name))));
    expectAbort(result, 'decode_error', { plaintext: true });
    expect(result.victim.info.serverName).toBeUndefined();
  });
});

describe('values the server accepts', () => {
  it('a one-letter host name is answered', () => {
    expectServerHello(serve(plus(ext(SERVER_NAME, hostName([0x61])))));
  });

  it('a host name of 253 letters, digits, hyphens and dots is answered, and reaches the application as sent', () => {
    const name = `${'a'.repeat(63)}.${'b-1'.repeat(21)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    expect(name).toHaveLength(253);
    const result = serve(plus(ext(SERVER_NAME, hostName([...new TextEncoder().encode(name)]))));
    expectServerHello(result);
    expect(result.victim.info.serverName).toBe(name);
  });

  it('padding of 512 zero bytes (RFC 7685) is answered, and not echoed', () => {
    expectAnsweredWithoutPadding(serve(plus(ext(PADDING, new Array(512).fill(0)))));
  });

  it.each([0, 1, 32])('a legacy_session_id of %i bytes is echoed as it is (§4.1.3)', (length) => {
    const id = Uint8Array.from({ length }, (_, i) => i + 1);
    const hello = expectServerHello(serve((h) => (h.legacySessionId = id)));
    // msg_type, length (3), legacy_version (2), random (32), then legacy_session_id_echo.
    expect(hello[38]).toBe(length);
    expect([...hello.subarray(39, 39 + length)]).toEqual([...id]);
  });
});

describe('padding that is not zeros (a choice the RFC leaves open)', () => {
  // RFC 7685 §3 binds the client only ("The client MUST fill the padding extension completely with zero
  // bytes") and the server only in "The server MUST NOT echo the extension". OpenSSL, BoringSSL, GnuTLS,
  // NSS and rustls read nothing of its body, and no tlsfuzzer script refuses it, so neither do we: the
  // bytes are covered by the transcript and mean nothing (docs/robustness.md).
  it.each([
    ['one non-zero byte among zeros', [0, 1, 0]],
    ['512 bytes of 0xff', new Array(512).fill(0xff)],
  ])('padding with %s is answered, and not echoed', (_, body) => {
    expectAnsweredWithoutPadding(serve(plus(ext(PADDING, body))));
  });
});

describe('cipher_suites (§4.1.2, test-tls13-nociphers)', () => {
  it('only TLS 1.2 suites, beside supported_versions [TLS 1.3, TLS 1.2], is handshake_failure: nothing to negotiate', () => {
    const hello = (h: ClientHello) => {
      h.cipherSuites = [0x0035, 0x00ff];
      h.extensions = h.extensions.map((e) => (e.type === 43 ? ext(43, [4, 0x03, 0x04, 0x03, 0x03]) : e));
    };
    expectAbort(serve(hello), 'handshake_failure', { plaintext: true });
  });

  it('an empty list is decode_error (<2..2^16-2>)', () => {
    expectAbort(serve((h) => (h.cipherSuites = [])), 'decode_error', { plaintext: true });
  });

  it('unknown and TLS 1.2 suites around one TLS 1.3 suite are skipped, and that suite is chosen', () => {
    const hello = expectServerHello(serve((h) => (h.cipherSuites = [0x0a0a, 0xc02f, 0x1301, 0x00ff])));
    // msg_type, length (3), legacy_version (2), random (32), empty session id echo (1), then the suite.
    expect([hello[39], hello[40]]).toEqual([0x13, 0x01]);
  });
});

describe('values the server does not know are skipped, not refused (test-tls13-unrecognised-groups, -version-negotiation)', () => {
  const unknownShare = [0x13, 0x00, 0, 32, ...new Array(32).fill(0xab)];

  it('a key share of an unknown group beside an X25519 one: the X25519 share is used', () => {
    const hello = (h: ClientHello) => {
      h.extensions = h.extensions.map((e) => {
        if (e.type === 10) return ext(10, [0, 4, 0x13, 0x00, 0x00, 0x1d]);
        if (e.type === 51) return ext(51, [...[0, unknownShare.length + e.data.length - 2], ...unknownShare, ...e.data.subarray(2)]);
        return e;
      });
    };
    const result = serve(hello);
    const answer = expectServerHello(result);
    // Not a HelloRetryRequest (§4.1.3 random constant CF 21 AD 74 ...): the whole flight follows at once.
    expect([...answer.subarray(6, 10)]).not.toEqual([0xcf, 0x21, 0xad, 0x74]);
    expect(result.events).toContainEqual(expect.objectContaining({ type: 'handshake-message', direction: 'out', message: expect.objectContaining({ kind: 'finished' }) }));
  });

  it('only a key share of an unknown group, X25519 also supported: a HelloRetryRequest for X25519 (§4.1.4)', () => {
    const hello = (h: ClientHello) => {
      h.extensions = h.extensions.map((e) => {
        if (e.type === 10) return ext(10, [0, 4, 0x13, 0x00, 0x00, 0x1d]);
        if (e.type === 51) return ext(51, [0, unknownShare.length, ...unknownShare]);
        return e;
      });
    };
    const answer = expectServerHello(serve(hello));
    // The HelloRetryRequest is a ServerHello whose random is the §4.1.3 constant, starting CF 21 AD 74.
    expect([...answer.subarray(6, 10)]).toEqual([0xcf, 0x21, 0xad, 0x74]);
  });

  it.each([
    ['a future version first', [0x03, 0x05, 0x03, 0x04]],
    ['a draft version and GREASE beside TLS 1.3', [0x7f, 0x1c, 0x3a, 0x3a, 0x03, 0x04]],
    ['TLS 1.2 and 1.1 after TLS 1.3', [0x03, 0x04, 0x03, 0x03, 0x03, 0x02]],
  ])('supported_versions with %s negotiates TLS 1.3', (_, versions) => {
    expectServerHello(serve(replacingExtension(ext(43, [versions.length, ...versions]))));
  });

  it.each([
    ['only a TLS 1.3 draft', [0x7f, 0x1c]],
    ['only TLS 1.2', [0x03, 0x03]],
    ['only a future version', [0x03, 0x05]],
  ])('supported_versions with %s is protocol_version (§4.2.1)', (_, versions) => {
    expectAbort(serve(replacingExtension(ext(43, [versions.length, ...versions]))), 'protocol_version', { plaintext: true });
  });
});

describe('signature_algorithms (§4.2.3, §9.2)', () => {
  it('a certificate handshake without signature_algorithms is missing_extension, even with signature_algorithms_cert', () => {
    const hello = (h: ClientHello) => {
      withoutExtension(13)(h);
      h.extensions.unshift(ext(50, [0, 2, 0x08, 0x07]));
    };
    expectAbort(serve(hello), 'missing_extension', { plaintext: true });
  });
});

describe('pre_shared_key (§4.2.9, §4.2.11)', () => {
  /** A resumption pair whose ClientHello goes through `edit` first. */
  function resumption(edit: (hello: ClientHello) => ClientHello) {
    const configs = scenarioConfigs('resumption', nobleProvider, 21);
    const pair = new InMemoryPair(configs.client, configs.server, {
      tamper: ({ from, bytes }) => (from === 'client' && bytes[5] === 1 ? editPlaintextHandshake(bytes, (ms) => ms.map((m) => (m.kind === 'client_hello' ? edit(m) : m))) : bytes),
    });
    pair.step('client');
    return { victim: pair.server, events: pair.events('server'), output: pair.server.takeOutput() };
  }

  it('the honest resumption ClientHello, unedited, is answered (so each fault below is the only one)', () => {
    const result = resumption((h) => h);
    expect(accepted(result)).toBe(true);
  });

  it('a binder with one bit flipped is decrypt_error', () => {
    const result = resumption((h) => {
      const psk = h.extensions.at(-1)!;
      const offered = preSharedKeyClientHello.parse(psk.data);
      const binders = offered.binders.map((b) => flipBit(b, 3));
      return { ...h, extensions: [...h.extensions.slice(0, -1), { type: psk.type, data: preSharedKeyClientHello.encode({ ...offered, binders }) }] };
    });
    expectAbort(result, 'decrypt_error', { plaintext: true });
  });

  it('pre_shared_key without psk_key_exchange_modes is missing_extension (§4.2.9: "servers MUST abort")', () => {
    const result = resumption((h) => ({ ...h, extensions: h.extensions.filter((e) => e.type !== PSK_KEY_EXCHANGE_MODES) }));
    expectAbort(result, 'missing_extension', { plaintext: true });
  });

  it('more binders than identities is illegal_parameter', () => {
    const result = resumption((h) => {
      const psk = h.extensions.at(-1)!;
      const offered = preSharedKeyClientHello.parse(psk.data);
      const binders = [...offered.binders, offered.binders[0]!];
      return { ...h, extensions: [...h.extensions.slice(0, -1), { type: psk.type, data: preSharedKeyClientHello.encode({ ...offered, binders }) }] };
    });
    expectAbort(result, 'illegal_parameter', { plaintext: true });
  });

  it('an identity the server cannot read is a full handshake, not an error (§4.2.11: the server MAY ignore PSKs)', () => {
    const result = resumption((h) => {
      const psk = h.extensions.at(-1)!;
      const offered = preSharedKeyClientHello.parse(psk.data);
      const identities = offered.identities.map((i) => ({ ...i, identity: flipBit(i.identity, 0) }));
      return { ...h, extensions: [...h.extensions.slice(0, -1), { type: psk.type, data: preSharedKeyClientHello.encode({ ...offered, identities }) }] };
    });
    expect(accepted(result)).toBe(true);
  });
});

describe('a second ClientHello without a HelloRetryRequest (§4.1.2: only in answer to one)', () => {
  it.each([
    ['in the same record as the first', (hello: Uint8Array) => record(HANDSHAKE, concat(hello, hello))],
    ['in a record of its own, in plaintext after the server has keys', (hello: Uint8Array) => concat(record(HANDSHAKE, hello), record(HANDSHAKE, hello))],
  ])('%s is unexpected_message, and the server closes', (_, flight) => {
    const result = feedServer(flight(helloWith(() => {})));
    const alerts = result.events.filter((e) => e.type === 'alert' && e.direction === 'out');
    expect(alerts).toEqual([expect.objectContaining({ level: 'fatal', description: 'unexpected_message' })]);
    expect(result.victim.isClosed).toBe(true);
  });
});

describe('test-tls13-legacy-version (App. D.5: legacy_version 0x0300 or below is protocol_version)', () => {
  it.each([
    [3, 0], [0, 0], [2, 0], [0, 2], [1, 0], [1, 3], [1, 2], [0, 1],
  ])('"version (%i, %i)", in legacy_version and beside TLS 1.3 in supported_versions, is protocol_version', (major, minor) => {
    const hello = (h: ClientHello) => {
      h.legacyVersion = (major << 8) | minor;
      replacingExtension(ext(43, [4, 0x03, 0x04, major, minor]))(h);
    };
    expectAbort(serve(hello), 'protocol_version', { plaintext: true });
  });
});

describe('test-tls13-invalid-ciphers', () => {
  const unassigned = Array.from({ length: 0x1400 - 0x1306 }, (_, i) => 0x1306 + i);

  it('"non-existing cipher 0x1306..0x13ff with valid one": each is skipped and TLS_AES_128_GCM_SHA256 chosen', () => {
    for (const suite of unassigned) {
      const hello = expectServerHello(serve((h) => (h.cipherSuites = [suite, 0x1301, 0x00ff])));
      // msg_type, length (3), legacy_version (2), random (32), empty session id echo (1), then the suite.
      expect([hello[39], hello[40]]).toEqual([0x13, 0x01]);
    }
  });

  it('"only invalid cipher": every unassigned TLS 1.3 code point, and TLS 1.2 and SSL 3 suites, alone, are handshake_failure', () => {
    // A few of tlslite's tls12Suites and ssl3Suites: RSA, ECDHE-RSA, ECDHE-ECDSA, DHE, 3DES and CHACHA20 suites.
    const legacy = [0x0004, 0x000a, 0x002f, 0x0035, 0x009c, 0x009e, 0xc02b, 0xc02f, 0xc030, 0xcca8, 0xcca9];
    for (const suite of [...unassigned, ...legacy]) {
      expectAbort(serve((h) => (h.cipherSuites = [suite])), 'handshake_failure', { plaintext: true });
    }
  });
});
