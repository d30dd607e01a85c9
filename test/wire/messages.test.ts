import { X509Certificate } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { fromHex, hex, Reader, type Span } from '../../src/wire/bytes.js';
import { HELLO_RETRY_REQUEST_RANDOM } from '../../src/wire/enums.js';
import {
  earlyDataNewSessionTicket,
  findExtension,
  keyShareClientHello,
  keyShareHelloRetryRequest,
  keyShareServerHello,
  preSharedKeyClientHello,
  recordSizeLimit,
  serverName,
  supportedGroups,
  supportedVersionsClientHello,
  supportedVersionsServerHello,
  cookie,
  signatureAlgorithms,
  pskKeyExchangeModes,
} from '../../src/wire/extensions.js';
import {
  decodeHandshake,
  decodeHandshakeBody,
  encodeHandshake,
  encodeHandshakeHeader,
  handshakeType,
  truncateClientHelloForBinders,
} from '../../src/wire/messages.js';
import type { HandshakeMessage } from '../../src/wire/types.js';
import { expectTlsError, rfcMessage, rfcValue, withLength } from './helpers.js';

const body = (message: Uint8Array) => message.subarray(4);
const decodeAs = <K extends HandshakeMessage['kind']>(kind: K, message: Uint8Array) => {
  const decoded = decodeHandshake(message);
  expect(decoded.kind).toBe(kind);
  return decoded as Extract<HandshakeMessage, { kind: K }>;
};

/** The typed body of the extension of `type` in a decoded list (fails the test if absent). */
function extensionData(list: { type: number; data: Uint8Array }[], type: number): Uint8Array {
  const found = findExtension(list, type);
  expect(found, `extension ${type}`).toBeDefined();
  return found!.data;
}

describe('RFC 8448 §3 messages', () => {
  const clientHello = rfcMessage(3, 'client', 'ClientHello');

  it('decodes the ClientHello: version, random, suites 1301 1303 1302, extensions in order', () => {
    const ch = decodeAs('client_hello', clientHello);
    expect(ch.legacyVersion).toBe(0x0303);
    expect(hex(ch.random)).toBe('cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7');
    expect(ch.legacySessionId.length).toBe(0);
    expect(ch.cipherSuites).toEqual([0x1301, 0x1303, 0x1302]);
    expect([...ch.legacyCompressionMethods]).toEqual([0]);
    // server_name, renegotiation_info, supported_groups, session_ticket, key_share, supported_versions,
    // signature_algorithms, psk_key_exchange_modes, record_size_limit (RFC 8448 §3 bytes).
    expect(ch.extensions.map((e) => e.type)).toEqual([0, 0xff01, 10, 35, 51, 43, 13, 45, 28]);
    expect(serverName.parse(extensionData(ch.extensions, 0))).toEqual(['server']);
    expect(supportedGroups.parse(extensionData(ch.extensions, 10))).toEqual([
      0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104,
    ]);
    const shares = keyShareClientHello.parse(extensionData(ch.extensions, 51));
    expect(shares.length).toBe(1);
    expect(shares[0]!.group).toBe(0x001d);
    expect(shares[0]!.keyExchange).toEqual(rfcValue(3, 'client', 'create an ephemeral x25519 key pair', 'public key'));
    expect(supportedVersionsClientHello.parse(extensionData(ch.extensions, 43))).toEqual([0x0304]);
    expect(signatureAlgorithms.parse(extensionData(ch.extensions, 13))).toEqual([
      0x0403, 0x0503, 0x0603, 0x0203, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0201, 0x0402, 0x0502, 0x0602,
      0x0202,
    ]);
    expect(pskKeyExchangeModes.parse(extensionData(ch.extensions, 45))).toEqual([1]);
    expect(recordSizeLimit.parse(extensionData(ch.extensions, 28))).toBe(0x4001);
    expect(hex(extensionData(ch.extensions, 0xff01))).toBe('00');
  });

  it('decodes the ServerHello: random, suite 1301, the server key share, TLS 1.3', () => {
    const sh = decodeAs('server_hello', rfcMessage(3, 'server', 'ServerHello'));
    expect(sh.legacyVersion).toBe(0x0303);
    expect(hex(sh.random)).toBe('a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e26928');
    expect(sh.cipherSuite).toBe(0x1301);
    expect(sh.legacyCompressionMethod).toBe(0);
    expect(sh.extensions.map((e) => e.type)).toEqual([51, 43]);
    const share = keyShareServerHello.parse(extensionData(sh.extensions, 51));
    expect(share.group).toBe(0x001d);
    expect(share.keyExchange).toEqual(rfcValue(3, 'server', 'create an ephemeral x25519 key pair', 'public key'));
    expect(supportedVersionsServerHello.parse(extensionData(sh.extensions, 43))).toBe(0x0304);
  });

  it('decodes the EncryptedExtensions: groups, record_size_limit, the empty server_name acknowledgement', () => {
    const ee = decodeAs('encrypted_extensions', rfcMessage(3, 'server', 'EncryptedExtensions'));
    expect(ee.extensions.map((e) => e.type)).toEqual([10, 28, 0]);
    expect(supportedGroups.parse(extensionData(ee.extensions, 10))).toEqual([
      0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104,
    ]);
    expect(recordSizeLimit.parse(extensionData(ee.extensions, 28))).toBe(16385);
    expect(serverName.parse(extensionData(ee.extensions, 0))).toEqual([]);
  });

  it('decodes the Certificate into the CN=rsa certificate that node:crypto also parses', () => {
    const ct = decodeAs('certificate', rfcMessage(3, 'server', 'Certificate'));
    expect(ct.context.length).toBe(0);
    expect(ct.entries.length).toBe(1);
    expect(ct.entries[0]!.data.length).toBe(0x1b0);
    expect(ct.entries[0]!.extensions).toEqual([]);
    const cert = new X509Certificate(ct.entries[0]!.data);
    expect(cert.subject).toBe('CN=rsa');
  });

  it('decodes the CertificateVerify: rsa_pss_rsae_sha256 and a 128-byte signature', () => {
    const cv = decodeAs('certificate_verify', rfcMessage(3, 'server', 'CertificateVerify'));
    expect(cv.scheme).toBe(0x0804);
    expect(cv.signature.length).toBe(128);
    expect(hex(cv.signature.subarray(0, 4))).toBe('5a747c5d');
  });

  it('decodes both Finished messages into the verify_data the RFC computes', () => {
    const server = decodeAs('finished', rfcMessage(3, 'server', 'Finished'));
    expect(server.verifyData).toEqual(rfcValue(3, 'server', 'calculate finished', 'finished'));
    const client = decodeAs('finished', rfcMessage(3, 'client', 'Finished'));
    expect(client.verifyData).toEqual(rfcValue(3, 'client', 'calculate finished', 'finished'));
  });

  it('decodes the NewSessionTicket: lifetime 30 s, age_add, nonce, 178-byte ticket, early_data 1024', () => {
    const nst = decodeAs('new_session_ticket', rfcMessage(3, 'server', 'NewSessionTicket'));
    expect(nst.lifetime).toBe(30);
    expect(nst.ageAdd).toBe(0xfad6aac5);
    expect(hex(nst.nonce)).toBe('0000');
    expect(nst.ticket.length).toBe(178);
    expect(hex(nst.ticket.subarray(0, 4))).toBe('2c035d82');
    expect(nst.extensions.map((e) => e.type)).toEqual([42]);
    expect(earlyDataNewSessionTicket.parse(extensionData(nst.extensions, 42))).toBe(1024);
  });

  it('re-encodes every §3 message byte for byte', () => {
    const messages = [
      clientHello,
      rfcMessage(3, 'server', 'ServerHello'),
      rfcMessage(3, 'server', 'EncryptedExtensions'),
      rfcMessage(3, 'server', 'Certificate'),
      rfcMessage(3, 'server', 'CertificateVerify'),
      rfcMessage(3, 'server', 'Finished'),
      rfcMessage(3, 'client', 'Finished'),
      rfcMessage(3, 'server', 'NewSessionTicket'),
    ];
    for (const message of messages) expect(hex(encodeHandshake(decodeHandshake(message)))).toBe(hex(message));
  });

  it('decodes a body given without its header the same way', () => {
    expect(decodeHandshakeBody(1, body(clientHello))).toEqual(decodeHandshake(clientHello));
  });
});

describe('the other RFC 8448 traces', () => {
  const resumedHello = rfcValue(4, 'client', 'send handshake record', 'payload');

  it('decodes the §4 ClientHello with early_data, padding and pre_shared_key last, and re-encodes it', () => {
    const ch = decodeAs('client_hello', resumedHello);
    expect(ch.extensions.map((e) => e.type).slice(-4)).toEqual([45, 28, 21, 41]);
    const offered = preSharedKeyClientHello.parse(extensionData(ch.extensions, 41));
    expect(offered.identities.length).toBe(1);
    expect(offered.identities[0]!.identity).toEqual(decodeAs('new_session_ticket', rfcMessage(3, 'server', 'NewSessionTicket')).ticket);
    expect(offered.identities[0]!.obfuscatedTicketAge).toBe(0xfad6aacb);
    expect(offered.binders).toEqual([rfcValue(4, 'client', 'calculate PSK binder', 'finished')]);
    expect(encodeHandshake(ch)).toEqual(resumedHello);
  });

  it('truncates the §4 ClientHello to the prefix the RFC hashes for the binder', () => {
    expect(hex(truncateClientHelloForBinders(resumedHello))).toBe(hex(rfcValue(4, 'client', 'calculate PSK binder', 'ClientHello prefix')));
  });

  it('refuses to truncate a ClientHello without pre_shared_key', () => {
    expect(() => truncateClientHelloForBinders(rfcMessage(3, 'client', 'ClientHello'))).toThrow(/pre_shared_key/);
  });

  it('decodes the §4 EncryptedExtensions and EndOfEarlyData and re-encodes them', () => {
    const ee = decodeAs('encrypted_extensions', rfcMessage(4, 'server', 'EncryptedExtensions'));
    expect(ee.extensions.map((e) => e.type)).toEqual([10, 28, 0, 42]);
    expect(findExtension(ee.extensions, 42)!.data.length).toBe(0);
    const eoed = rfcMessage(4, 'client', 'EndOfEarlyData');
    expect(encodeHandshake(ee)).toEqual(rfcMessage(4, 'server', 'EncryptedExtensions'));
    expect(decodeHandshake(eoed)).toEqual({ kind: 'end_of_early_data' });
    expect(encodeHandshake({ kind: 'end_of_early_data' })).toEqual(eoed);
  });

  it('decodes the §5 HelloRetryRequest as its own kind (secp256r1, cookie) and re-encodes it', () => {
    const hrrBytes = rfcMessage(5, 'server', 'ServerHello', 0);
    const hrr = decodeAs('hello_retry_request', hrrBytes);
    expect(hrr.cipherSuite).toBe(0x1301);
    expect(hrr.extensions.map((e) => e.type)).toEqual([51, 44, 43]);
    expect(keyShareHelloRetryRequest.parse(extensionData(hrr.extensions, 51))).toBe(0x0017);
    expect(cookie.parse(extensionData(hrr.extensions, 44)).length).toBe(114);
    expect(supportedVersionsServerHello.parse(extensionData(hrr.extensions, 43))).toBe(0x0304);
    expect(hex(hrrBytes.subarray(6, 38))).toBe(hex(HELLO_RETRY_REQUEST_RANDOM));
    expect(encodeHandshake(hrr)).toEqual(hrrBytes);
  });

  it('decodes the §5 second ClientHello that echoes the cookie', () => {
    const ch2 = decodeAs('client_hello', rfcMessage(5, 'client', 'ClientHello', 1));
    const hrr = decodeAs('hello_retry_request', rfcMessage(5, 'server', 'ServerHello', 0));
    expect(extensionData(ch2.extensions, 44)).toEqual(extensionData(hrr.extensions, 44));
    expect(keyShareClientHello.parse(extensionData(ch2.extensions, 51)).map((s) => s.group)).toEqual([0x0017]);
    expect(encodeHandshake(ch2)).toEqual(rfcMessage(5, 'client', 'ClientHello', 1));
  });

  it('decodes the §6 CertificateRequest, client Certificate and CertificateVerify and re-encodes them', () => {
    const crBytes = rfcMessage(6, 'server', 'CertificateRequest');
    const cr = decodeAs('certificate_request', crBytes);
    expect(cr.context.length).toBe(0);
    expect(cr.extensions.map((e) => e.type)).toEqual([13]);
    expect(encodeHandshake(cr)).toEqual(crBytes);
    const clientCert = rfcMessage(6, 'client', 'Certificate');
    const ct = decodeAs('certificate', clientCert);
    expect(new X509Certificate(ct.entries[0]!.data).subject).toBe('CN=client');
    expect(encodeHandshake(ct)).toEqual(clientCert);
    const serverCv = rfcMessage(6, 'server', 'CertificateVerify');
    expect(decodeAs('certificate_verify', serverCv).scheme).toBe(0x0403);
    expect(encodeHandshake(decodeHandshake(serverCv))).toEqual(serverCv);
  });
});

describe('round trips of hand-built messages', () => {
  /** Expected bytes written from the RFC 8446 structures, not from our encoder. */
  const cases: [string, HandshakeMessage, string][] = [
    ['KeyUpdate update_requested (§4.6.3)', { kind: 'key_update', requestUpdate: 1 }, '18 000001 01'],
    ['KeyUpdate update_not_requested', { kind: 'key_update', requestUpdate: 0 }, '18 000001 00'],
    ['message_hash (§4.4.1)', { kind: 'message_hash', hash: fromHex('ab'.repeat(32)) }, `fe 000020 ${'ab'.repeat(32)}`],
    ['EndOfEarlyData (§4.5)', { kind: 'end_of_early_data' }, '05 000000'],
    [
      'CertificateRequest with a context and an unknown extension kept in place',
      {
        kind: 'certificate_request',
        context: fromHex('0102'),
        extensions: [
          { type: 0xfafa, data: fromHex('99') },
          { type: 13, data: fromHex('0002 0807') },
        ],
      },
      '0d 000012 02 0102 000d fafa 0001 99 000d 0004 0002 0807',
    ],
    [
      'Certificate with an OCSP status and an unknown extension on its entry, and a second bare entry',
      {
        kind: 'certificate',
        context: new Uint8Array(0),
        entries: [
          {
            data: fromHex('3003020101'),
            extensions: [
              { type: 5, data: fromHex('01 000002 aabb') },
              { type: 0x7777, data: new Uint8Array(0) },
            ],
          },
          { data: fromHex('aa'), extensions: [] },
        ],
      },
      '0b 000022 00 00001e 000005 3003020101 000e 0005 0006 01000002aabb 7777 0000 000001 aa 0000',
    ],
    [
      'NewSessionTicket without extensions',
      { kind: 'new_session_ticket', lifetime: 604800, ageAdd: 1, nonce: new Uint8Array(0), ticket: fromHex('cafe'), extensions: [] },
      '04 00000f 00093a80 00000001 00 0002 cafe 0000',
    ],
    ['Finished (verify_data is the whole body)', { kind: 'finished', verifyData: fromHex('0102') }, '14 000002 0102'],
    ['CertificateVerify with an empty signature', { kind: 'certificate_verify', scheme: 0x0807, signature: new Uint8Array(0) }, '0f 000004 0807 0000'],
  ];

  for (const [name, message, expected] of cases) {
    it(`encodes and decodes ${name}`, () => {
      const encoded = encodeHandshake(message);
      expect(hex(encoded)).toBe(expected.replace(/\s+/g, ''));
      expect(decodeHandshake(encoded)).toEqual(message);
    });
  }

  it('keeps unknown cipher suites, groups and extension types unchanged and in order', () => {
    const extensions = [
      `0a0a 0000`, // GREASE extension, empty
      `002b ${withLength(2, withLength(1, '7a7a 0304'))}`, // supported_versions with a GREASE version
      `000a ${withLength(2, withLength(2, '1a1a 001d 4242'))}`, // supported_groups with GREASE and an unknown group
      `fe0d ${withLength(2, '00 01 02 03')}`, // an extension we do not know
      `0033 ${withLength(2, withLength(2, `4242 ${withLength(2, 'ff')}`))}`, // key share for an unknown group
    ].join('');
    const message = fromHex(
      `01 ${withLength(3, `0303 ${'11'.repeat(32)} 00 ${withLength(2, '2a2a 1301 00ff 1399')} 01 00 ${withLength(2, extensions)}`)}`,
    );
    const ch = decodeAs('client_hello', message);
    expect(ch.cipherSuites).toEqual([0x2a2a, 0x1301, 0x00ff, 0x1399]);
    expect(ch.extensions.map((e) => e.type)).toEqual([0x0a0a, 0x2b, 0x0a, 0xfe0d, 0x33]);
    expect(supportedGroups.parse(extensionData(ch.extensions, 10))).toEqual([0x1a1a, 0x001d, 0x4242]);
    expect(hex(extensionData(ch.extensions, 0xfe0d))).toBe('00010203');
    expect(encodeHandshake(ch)).toEqual(message);
  });

  it('decodes a ClientHello without an extensions block (pre-TLS 1.3) with an empty list, and re-encodes it', () => {
    const message = fromHex(`01 ${withLength(3, `0303 ${'22'.repeat(32)} 00 0002 c02f 01 00`)}`);
    const ch = decodeAs('client_hello', message);
    expect(ch.extensions).toEqual([]);
    expect(ch.cipherSuites).toEqual([0xc02f]);
    expect(encodeHandshake(ch)).toEqual(message);
  });

  it('encodes a HelloRetryRequest with the special random, as a server_hello', () => {
    const hrr: HandshakeMessage = {
      kind: 'hello_retry_request',
      legacyVersion: 0x0303,
      legacySessionIdEcho: new Uint8Array(0),
      cipherSuite: 0x1302,
      legacyCompressionMethod: 0,
      extensions: [{ type: 43, data: fromHex('0304') }],
    };
    expect(handshakeType(hrr)).toBe(2);
    expect(hex(encodeHandshake(hrr))).toBe(`0200002e0303${hex(HELLO_RETRY_REQUEST_RANDOM)}00130200 0006 002b 0002 0304`.replace(/\s/g, ''));
  });

  it('writes the 4-byte header: type and 24-bit length', () => {
    expect(hex(encodeHandshakeHeader(11, 0x0102ff))).toBe('0b0102ff');
  });
});

describe('malformed messages', () => {
  const clientHello = rfcMessage(3, 'client', 'ClientHello');
  const serverHello = rfcMessage(3, 'server', 'ServerHello');

  /** A ClientHello body with these cipher suites and extensions (hex). */
  const helloBody = (extensions: string, suites = '0002 1301') =>
    fromHex(`0303 ${'00'.repeat(32)} 00 ${suites} 01 00 ${withLength(2, extensions)}`);
  const versions = '002b 0003 02 0304';
  const groups = '000a 0004 0002 001d';
  const psk = `0029 ${withLength(2, `${withLength(2, `${withLength(2, 'aa')} 00000000`)} ${withLength(2, `20 ${'00'.repeat(32)}`)}`)}`;

  it('accepts the well-formed hello the negative cases start from', () => {
    expect(decodeHandshakeBody(1, helloBody(versions + groups + psk)).kind).toBe('client_hello');
  });

  it('rejects a truncated message with decode_error', () => {
    expectTlsError(() => decodeHandshakeBody(1, body(clientHello).subarray(0, -1)), 'DecodeError', 'decode_error');
    expectTlsError(() => decodeHandshakeBody(2, body(serverHello).subarray(0, 20)), 'DecodeError', 'decode_error');
  });

  it('rejects a header whose length disagrees with the bytes that follow', () => {
    expectTlsError(() => decodeHandshake(clientHello.subarray(0, -1)), 'DecodeError', 'decode_error');
    expectTlsError(() => decodeHandshake(fromHex('14 000003 0102')), 'DecodeError', 'decode_error');
  });

  it('rejects an over-long length field: a 33-byte session id and an extension longer than its block', () => {
    expectTlsError(
      () => decodeHandshakeBody(1, fromHex(`0303 ${'00'.repeat(32)} 21 ${'00'.repeat(33)} 0002 1301 01 00 ${withLength(2, versions + groups)}`)),
      'DecodeError',
      'decode_error',
    );
    expectTlsError(() => decodeHandshakeBody(1, helloBody(`${versions} 000a 0009 0002 001d`)), 'DecodeError', 'decode_error');
  });

  it('rejects trailing bytes inside a vector and after the message', () => {
    expectTlsError(() => decodeHandshakeBody(1, helloBody(`002b 0004 02 0304 00 ${groups}`)), 'DecodeError', 'decode_error');
    expectTlsError(() => decodeHandshakeBody(2, fromHex(`${hex(body(serverHello))}00`)), 'DecodeError', 'decode_error');
    expectTlsError(() => decodeHandshakeBody(5, fromHex('00')), 'DecodeError', 'decode_error');
  });

  it('rejects an odd-length cipher_suites vector', () => {
    expectTlsError(() => decodeHandshakeBody(1, helloBody(versions + groups, '0003 130113')), 'DecodeError', 'decode_error');
  });

  it('rejects an extension block shorter than a ClientHello allows (<8..2^16-1>)', () => {
    expectTlsError(() => decodeHandshakeBody(1, helloBody(versions)), 'DecodeError', 'decode_error');
  });

  it('rejects a duplicate extension with illegal_parameter', () => {
    expectTlsError(() => decodeHandshakeBody(1, helloBody(versions + groups + versions)), 'DuplicateExtension', 'illegal_parameter');
    expectTlsError(() => decodeHandshakeBody(1, helloBody(`fe0d 0000 ${versions} fe0d 0000`)), 'DuplicateExtension', 'illegal_parameter');
  });

  it('finds a repeated extension type in short and long blocks alike (scan up to 32, set beyond)', () => {
    /** `count` empty extensions of distinct unknown types 0x7a00 + i. */
    const distinct = (count: number) => Array.from({ length: count }, (_, i) => `${(0x7a00 + i).toString(16)} 0000`).join(' ');
    for (const count of [1, 31, 32, 33, 40, 300]) {
      expect(decodeHandshakeBody(1, helloBody(versions + distinct(count))).kind).toBe('client_hello');
      // Repeating the first, the one at the scan limit and the last read, each as the block's last extension.
      for (const repeated of new Set([0, Math.min(31, count - 1), count - 1])) {
        const again = `${(0x7a00 + repeated).toString(16)} 0000`;
        expectTlsError(() => decodeHandshakeBody(1, helloBody(`${versions} ${distinct(count)} ${again}`)), 'DuplicateExtension', 'illegal_parameter');
      }
    }
    // A repeat past the limit of a type read past the limit, with more distinct types after it.
    expectTlsError(() => decodeHandshakeBody(1, helloBody(`${versions} ${distinct(40)} 7a25 0000 ${groups}`)), 'DuplicateExtension', 'illegal_parameter');
  });

  it('rejects key_share in EncryptedExtensions and in a NewSessionTicket', () => {
    expectTlsError(() => decodeHandshakeBody(8, fromHex(withLength(2, '0033 0005 001d 0001 aa'))), 'ExtensionNotAllowedHere', 'illegal_parameter');
    expectTlsError(
      () => decodeHandshakeBody(4, fromHex(`00000001 00000000 00 0001 aa ${withLength(2, '0033 0002 001d')}`)),
      'ExtensionNotAllowedHere',
      'illegal_parameter',
    );
  });

  it('rejects supported_groups in a ServerHello and key_share in a Certificate entry', () => {
    const shBody = fromHex(`0303 ${'00'.repeat(32)} 00 1301 00 ${withLength(2, `002b 0002 0304 ${groups}`)}`);
    expectTlsError(() => decodeHandshakeBody(2, shBody), 'ExtensionNotAllowedHere', 'illegal_parameter');
    const ct = fromHex(`00 ${withLength(3, `000001 aa ${withLength(2, '0033 0002 001d')}`)}`);
    expectTlsError(() => decodeHandshakeBody(11, ct), 'ExtensionNotAllowedHere', 'illegal_parameter');
  });

  it('leaves unknown extensions in server messages to the handshake layer', () => {
    const ee = decodeHandshakeBody(8, fromHex(withLength(2, 'fe0d 0001 00')));
    expect(ee).toEqual({ kind: 'encrypted_extensions', extensions: [{ type: 0xfe0d, data: fromHex('00') }] });
  });

  it('rejects pre_shared_key that is not the last ClientHello extension', () => {
    expectTlsError(() => decodeHandshakeBody(1, helloBody(versions + psk + groups)), 'IllegalParameter', 'illegal_parameter');
  });

  it('rejects an empty supported_versions list and an empty supported_versions body', () => {
    expectTlsError(() => decodeHandshakeBody(1, helloBody(`002b 0001 00 ${groups}`)), 'DecodeError', 'decode_error');
    expectTlsError(() => decodeHandshakeBody(1, helloBody(`002b 0000 ${groups}`)), 'DecodeError', 'decode_error');
  });

  it('rejects KeyUpdate with request_update 2 as illegal_parameter', () => {
    expectTlsError(() => decodeHandshakeBody(24, fromHex('02')), 'IllegalParameter', 'illegal_parameter');
  });

  it('rejects record_size_limit 63 in EncryptedExtensions as illegal_parameter', () => {
    expectTlsError(() => decodeHandshakeBody(8, fromHex('0006 001c 0002 003f')), 'IllegalParameter', 'illegal_parameter');
  });

  it('rejects an unknown message type with unexpected_message', () => {
    expectTlsError(() => decodeHandshakeBody(3, new Uint8Array(0)), 'UnexpectedMessage', 'unexpected_message');
    expectTlsError(() => decodeHandshake(fromHex('c8 000000')), 'UnexpectedMessage', 'unexpected_message');
  });

  it('rejects an empty ticket and a certificate entry with empty cert_data', () => {
    expectTlsError(() => decodeHandshakeBody(4, fromHex('00000001 00000000 00 0000 0000')), 'DecodeError', 'decode_error');
    expectTlsError(() => decodeHandshakeBody(11, fromHex('00 000005 000000 0000')), 'DecodeError', 'decode_error');
  });
});

describe('annotation spans', () => {
  const clientHello = rfcMessage(3, 'client', 'ClientHello');
  const helloBody = body(clientHello);

  function spansOf(msgType: number, bytes: Uint8Array): Span[] {
    const spans: Span[] = [];
    decodeHandshakeBody(msgType, bytes, spans);
    return spans;
  }

  it('names each cipher suite of the RFC 8448 ClientHello at its offset', () => {
    const spans = spansOf(1, helloBody);
    const suites = spans.filter((s) => /^client_hello\.cipher_suites\[\d\]$/.test(s.path));
    // version (2) + random (32) + empty session id (1) + suites length (2): the first suite starts at 37.
    expect(suites).toEqual([
      { offset: 37, length: 2, path: 'client_hello.cipher_suites[0]', value: 0x1301, meaning: 'TLS_AES_128_GCM_SHA256' },
      { offset: 39, length: 2, path: 'client_hello.cipher_suites[1]', value: 0x1303, meaning: 'TLS_CHACHA20_POLY1305_SHA256' },
      { offset: 41, length: 2, path: 'client_hello.cipher_suites[2]', value: 0x1302, meaning: 'TLS_AES_256_GCM_SHA384' },
    ]);
  });

  it('names extension types and annotates known bodies down to the key share bytes', () => {
    const spans = spansOf(1, helloBody);
    const type = spans.find((s) => s.path === 'client_hello.extensions[4].type');
    expect(type).toMatchObject({ value: 51, meaning: 'key_share' });
    const share = spans.find((s) => s.path === 'client_hello.extensions[4].key_share.client_shares[0].key_exchange');
    const publicKey = rfcValue(3, 'client', 'create an ephemeral x25519 key pair', 'public key');
    expect(share).toMatchObject({ length: 32, value: hex(publicKey) });
    expect(helloBody.subarray(share!.offset, share!.offset + 32)).toEqual(publicKey);
    expect(spans.find((s) => s.path === 'client_hello.extensions[0].server_name.server_name_list[0].host_name')).toMatchObject({
      value: 'server',
    });
    expect(spans.find((s) => s.path === 'client_hello.extensions[1].data')).toMatchObject({ value: '00' });
  });

  it('cites RFC 8446 §4.1.2 on the top-level ClientHello fields', () => {
    const spans = spansOf(1, helloBody);
    for (const field of ['legacy_version', 'random', 'legacy_session_id', 'cipher_suites', 'legacy_compression_methods', 'extensions']) {
      expect(spans.find((s) => s.path === `client_hello.${field}`)?.rfc, field).toBe('RFC 8446 §4.1.2');
    }
  });

  it('keeps every span inside the body, with numeric values that match the bytes they cover', () => {
    const messages: [number, Uint8Array][] = [
      [1, helloBody],
      [1, body(rfcValue(4, 'client', 'send handshake record', 'payload'))],
      [2, body(rfcMessage(5, 'server', 'ServerHello'))],
      [8, body(rfcMessage(3, 'server', 'EncryptedExtensions'))],
      [11, body(rfcMessage(3, 'server', 'Certificate'))],
      [4, body(rfcMessage(3, 'server', 'NewSessionTicket'))],
      [13, body(rfcMessage(6, 'server', 'CertificateRequest'))],
    ];
    for (const [msgType, bytes] of messages) {
      const spans = spansOf(msgType, bytes);
      expect(spans.length).toBeGreaterThan(5);
      for (const span of spans) {
        expect(span.offset).toBeGreaterThanOrEqual(0);
        expect(span.offset + span.length).toBeLessThanOrEqual(bytes.length);
        const covered = bytes.subarray(span.offset, span.offset + span.length);
        if (typeof span.value === 'number') expect(covered.reduce((v, b) => v * 256 + b, 0), span.path).toBe(span.value);
        else if (typeof span.value === 'string' && /^([0-9a-f]{2})*$/.test(span.value) && span.value.length === 2 * span.length) {
          expect(hex(covered), span.path).toBe(span.value);
        }
      }
    }
  });

  it('shifts span offsets past the header when decoding a whole message', () => {
    const spans: Span[] = [];
    decodeHandshake(clientHello, spans);
    expect(spans[0]).toMatchObject({ offset: 0, length: 1, path: 'handshake.msg_type', value: 1, meaning: 'client_hello' });
    expect(spans.find((s) => s.path === 'client_hello.cipher_suites[0]')!.offset).toBe(41);
  });

  it('decodes the same message without spans and does no span work', () => {
    const proto = Reader.prototype as unknown as { note: () => void; annotate: () => void };
    const note = vi.spyOn(proto, 'note');
    const annotate = vi.spyOn(proto, 'annotate');
    try {
      const plain = decodeHandshakeBody(1, helloBody);
      expect(note).not.toHaveBeenCalled();
      expect(annotate).not.toHaveBeenCalled();
      expect(plain).toEqual(decodeHandshakeBody(1, helloBody, []));
    } finally {
      note.mockRestore();
      annotate.mockRestore();
    }
  });
});

// encodeHandshake writes through the shared scratch writers (encodeValue): a body past the uint24 length of
// the handshake header (RFC 8446 §4) must be refused, never sent with its length taken modulo 2^24 (the peer
// would read the first bytes as a message and the rest as the next ones), and the refusal must leave the
// scratch writers usable.
describe('encodeHandshake at the uint24 limit', () => {
  const LIMIT = 2 ** 24 - 1;
  it('a body of 2^24 - 1 bytes is written with that length; one more byte is refused', () => {
    const fits = encodeHandshake({ kind: 'finished', verifyData: new Uint8Array(LIMIT) });
    expect(fits.length).toBe(4 + LIMIT);
    expect(hex(fits.subarray(0, 4))).toBe('14ffffff');
    expect(() => encodeHandshake({ kind: 'finished', verifyData: new Uint8Array(LIMIT + 1) })).toThrow(/does not fit a 3-byte length/);
    expect(() => encodeHandshake({ kind: 'certificate', context: new Uint8Array(0), entries: [{ data: new Uint8Array(LIMIT - 3), extensions: [] }] })).toThrow(/does not fit a 3-byte length/);
    const small = rfcMessage(3, 'server', 'Finished');
    expect(hex(encodeHandshake(decodeHandshake(small)))).toBe(hex(small));
  });
});
