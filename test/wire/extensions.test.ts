import { describe, expect, it } from 'vitest';
import { fromHex, hex, Reader } from '../../src/wire/bytes.js';
import {
  alpn,
  bindersLength,
  certificateAuthorities,
  clientCertificateTypeClientHello,
  clientCertificateTypeServerSide,
  cookie,
  earlyDataEmpty,
  earlyDataNewSessionTicket,
  encodePreSharedKeyBinders,
  ext,
  findExtension,
  heartbeat,
  keyShareClientHello,
  keyShareHelloRetryRequest,
  keyShareServerHello,
  maxFragmentLength,
  oidFilters,
  padding,
  postHandshakeAuth,
  preSharedKeyClientHello,
  preSharedKeyServerHello,
  pskKeyExchangeModes,
  recordSizeLimit,
  serverCertificateTypeClientHello,
  serverCertificateTypeServerSide,
  serverName,
  signatureAlgorithms,
  signatureAlgorithmsCert,
  signedCertificateTimestamps,
  statusRequestCertificate,
  statusRequestClientHello,
  supportedGroups,
  supportedVersionsClientHello,
  supportedVersionsServerHello,
  useSrtp,
  type BodyCodec,
} from '../../src/wire/extensions.js';
import { ALLOWED_EXTENSIONS, decodeExtensionBody, type ExtensionContext } from '../../src/wire/extension-table.js';
import { ALLOWED_EXTENSIONS as ALLOWED_FROM_MESSAGES } from '../../src/wire/messages.js';
import { expectTlsError, rfcValue } from './helpers.js';

/** Each codec against bytes written by hand from the structure in the RFC named. */
function roundTrip<T>(codec: BodyCodec<T>, value: T, expectedHex: string): void {
  expect(hex(codec.encode(value))).toBe(expectedHex.replace(/\s+/g, ''));
  expect(codec.parse(fromHex(expectedHex))).toEqual(value);
}

const der = (h: string) => fromHex(h);

describe('extension body codecs', () => {
  it('server_name: one host_name, and the empty acknowledgement (RFC 6066 §3)', () => {
    roundTrip(serverName, ['server'], '0009 00 0006 736572766572');
    roundTrip(serverName, [], '');
  });

  it('server_name: rejects an unknown name_type, an empty or non-ASCII host name', () => {
    expectTlsError(() => serverName.parse(fromHex('0004 01 0001 61')), 'DecodeError', 'decode_error');
    expectTlsError(() => serverName.parse(fromHex('0003 00 0000')), 'DecodeError', 'decode_error');
    expectTlsError(() => serverName.parse(fromHex('0004 00 0001 e9')), 'DecodeError', 'decode_error');
    expectTlsError(() => serverName.parse(fromHex('0000')), 'DecodeError', 'decode_error');
  });

  it('supported_groups and signature_algorithms(_cert): u16 lists, unknown values kept', () => {
    roundTrip(supportedGroups, [0x001d, 0x0017, 0x4a4a], '0006 001d 0017 4a4a');
    roundTrip(signatureAlgorithms, [0x0804, 0x0403], '0004 0804 0403');
    roundTrip(signatureAlgorithmsCert, [0x0807], '0002 0807');
  });

  it('supported_groups: rejects an empty list, an odd length and a list longer than its body', () => {
    expectTlsError(() => supportedGroups.parse(fromHex('0000')), 'DecodeError', 'decode_error');
    expectTlsError(() => supportedGroups.parse(fromHex('0003 001d 00')), 'DecodeError', 'decode_error');
    expectTlsError(() => signatureAlgorithms.parse(fromHex('0004 0804')), 'DecodeError', 'decode_error');
    expectTlsError(() => signatureAlgorithms.parse(fromHex('0002 0804 00')), 'DecodeError', 'decode_error');
  });

  it('application_layer_protocol_negotiation: h2 and http/1.1 (RFC 7301 §3.1)', () => {
    roundTrip(alpn, ['h2', 'http/1.1'], '000c 02 6832 08 687474702f312e31');
    expectTlsError(() => alpn.parse(fromHex('0003 02 6832 00')), 'DecodeError', 'decode_error');
    expectTlsError(() => alpn.parse(fromHex('0000')), 'DecodeError', 'decode_error');
  });

  it('supported_versions: the client list and the server selection (RFC 8446 §4.2.1)', () => {
    roundTrip(supportedVersionsClientHello, [0x0304, 0x0303], '04 0304 0303');
    roundTrip(supportedVersionsServerHello, 0x0304, '0304');
    expectTlsError(() => supportedVersionsClientHello.parse(fromHex('00')), 'DecodeError', 'decode_error');
    expectTlsError(() => supportedVersionsClientHello.parse(fromHex('03 0304 03')), 'DecodeError', 'decode_error');
  });

  it('key_share: client shares, server share, HelloRetryRequest group (RFC 8446 §4.2.8)', () => {
    roundTrip(
      keyShareClientHello,
      [
        { group: 0x001d, keyExchange: fromHex('aabb') },
        { group: 0x0017, keyExchange: fromHex('04') },
      ],
      '000b 001d 0002 aabb 0017 0001 04',
    );
    roundTrip(keyShareClientHello, [], '0000');
    roundTrip(keyShareServerHello, { group: 0x001d, keyExchange: fromHex('cc') }, '001d 0001 cc');
    roundTrip(keyShareHelloRetryRequest, 0x0017, '0017');
  });

  it('key_share: rejects two shares for one group and an empty key_exchange', () => {
    expectTlsError(() => keyShareClientHello.parse(fromHex('000a 001d 0001 aa 001d 0001 bb')), 'BadKeyShare', 'illegal_parameter');
    expectTlsError(() => keyShareServerHello.parse(fromHex('001d 0000')), 'BadKeyShare', 'illegal_parameter');
    expectTlsError(() => keyShareClientHello.parse(fromHex('0009 001d 0001 aa 11ec 0000')), 'BadKeyShare', 'illegal_parameter');
    expectTlsError(() => keyShareServerHello.parse(fromHex('001d 0001 aa 00')), 'DecodeError', 'decode_error');
  });

  it.each([2, 32, 33, 40, 500])('key_share: finds two shares for one group among %i, wherever they are', (count) => {
    // Short lists are compared pairwise, long ones through a set: both must find the pair first-last, last two, and middle.
    const shares = (groups: number[]) => {
      const entries = groups.map((g) => `${g.toString(16).padStart(4, '0')} 0001 aa`).join('');
      return fromHex(`${(groups.length * 5).toString(16).padStart(4, '0')} ${entries}`);
    };
    const distinct = Array.from({ length: count }, (_, i) => 0x0100 + i);
    expect(keyShareClientHello.parse(shares(distinct))).toHaveLength(count);
    for (const [a, b] of [[0, count - 1], [count - 2, count - 1], [count >> 2, count >> 1]] as const) {
      if (a === b) continue;
      const groups = distinct.slice();
      groups[b] = groups[a]!;
      expectTlsError(() => keyShareClientHello.parse(shares(groups)), 'BadKeyShare', 'illegal_parameter');
    }
  });

  it('psk_key_exchange_modes (RFC 8446 §4.2.9)', () => {
    roundTrip(pskKeyExchangeModes, [1], '01 01');
    roundTrip(pskKeyExchangeModes, [0, 1], '02 00 01');
    expectTlsError(() => pskKeyExchangeModes.parse(fromHex('00')), 'DecodeError', 'decode_error');
  });

  it('pre_shared_key: OfferedPsks and selected_identity (RFC 8446 §4.2.11)', () => {
    const binder = fromHex('11'.repeat(32));
    roundTrip(
      preSharedKeyClientHello,
      { identities: [{ identity: fromHex('abcd'), obfuscatedTicketAge: 0x01020304 }], binders: [binder] },
      `0008 0002 abcd 01020304 0021 20 ${'11'.repeat(32)}`,
    );
    roundTrip(preSharedKeyServerHello, 0, '0000');
  });

  it('pre_shared_key: the binders vector and its length match the end of the RFC 8448 §4 ClientHello', () => {
    const hello = rfcValue(4, 'client', 'send handshake record', 'payload');
    const binder = rfcValue(4, 'client', 'calculate PSK binder', 'finished');
    const offered = { identities: [{ identity: fromHex('00'), obfuscatedTicketAge: 0 }], binders: [binder] };
    expect(bindersLength(offered)).toBe(hello.length - rfcValue(4, 'client', 'calculate PSK binder', 'ClientHello prefix').length);
    expect(hex(encodePreSharedKeyBinders([binder]))).toBe(hex(hello.subarray(hello.length - bindersLength(offered))));
  });

  it('pre_shared_key: rejects a short binder, a short identity list and a binder count that differs', () => {
    const identity = '0007 0001 aa 00000000';
    expectTlsError(() => preSharedKeyClientHello.parse(fromHex(`${identity} 0020 1f ${'00'.repeat(31)}`)), 'DecodeError', 'decode_error');
    expectTlsError(() => preSharedKeyClientHello.parse(fromHex(`0006 0000 00000000 0021 20 ${'00'.repeat(32)}`)), 'DecodeError', 'decode_error');
    expectTlsError(
      () => preSharedKeyClientHello.parse(fromHex(`${identity} 0042 20 ${'00'.repeat(32)} 20 ${'00'.repeat(32)}`)),
      'IllegalParameter',
      'illegal_parameter',
    );
  });

  it('early_data: empty in ClientHello/EncryptedExtensions, max_early_data_size in NewSessionTicket', () => {
    roundTrip(earlyDataEmpty, undefined, '');
    roundTrip(earlyDataNewSessionTicket, 1024, '00000400');
    expectTlsError(() => earlyDataEmpty.parse(fromHex('00')), 'DecodeError', 'decode_error');
  });

  it('cookie: opaque<1..2^16-1>', () => {
    roundTrip(cookie, fromHex('aabbcc'), '0003 aabbcc');
    expectTlsError(() => cookie.parse(fromHex('0000')), 'DecodeError', 'decode_error');
  });

  it('certificate_authorities: DER names, list at least 3 bytes (RFC 8446 §4.2.4)', () => {
    const cnRsa = '300e310c300a06035504031303727361'; // Name CN=rsa, as in the RFC 8448 certificate
    roundTrip(certificateAuthorities, [der(cnRsa)], `0012 0010 ${cnRsa}`);
    expectTlsError(() => certificateAuthorities.parse(fromHex('0002 0000')), 'DecodeError', 'decode_error');
  });

  it('oid_filters: OID and DER values, possibly none (RFC 8446 §4.2.5)', () => {
    // extKeyUsage (2.5.29.37) = SEQUENCE { serverAuth }
    roundTrip(oidFilters, [{ oid: der('551d25'), values: der('300a06082b06010505070301') }], '0012 03 551d25 000c 300a06082b06010505070301');
    roundTrip(oidFilters, [], '0000');
    expectTlsError(() => oidFilters.parse(fromHex('0003 00 0000')), 'DecodeError', 'decode_error');
  });

  it('post_handshake_auth: empty', () => {
    roundTrip(postHandshakeAuth, undefined, '');
    expectTlsError(() => postHandshakeAuth.parse(fromHex('00')), 'DecodeError', 'decode_error');
  });

  it('client/server_certificate_type: offered list and the one chosen (RFC 7250 §3)', () => {
    roundTrip(clientCertificateTypeClientHello, [2, 0], '02 02 00');
    roundTrip(serverCertificateTypeClientHello, [2], '01 02');
    roundTrip(clientCertificateTypeServerSide, 2, '02');
    roundTrip(serverCertificateTypeServerSide, 0, '00');
    expectTlsError(() => clientCertificateTypeClientHello.parse(fromHex('00')), 'DecodeError', 'decode_error');
  });

  it('record_size_limit: 64 and up; 63 is illegal_parameter (RFC 8449 §4)', () => {
    roundTrip(recordSizeLimit, 16385, '4001');
    roundTrip(recordSizeLimit, 64, '0040');
    expectTlsError(() => recordSizeLimit.parse(fromHex('003f')), 'IllegalParameter', 'illegal_parameter');
  });

  it('padding: the body as sent, zeros or not (RFC 7685 §3 binds only the client)', () => {
    roundTrip(padding, new Uint8Array(5), '0000000000');
    roundTrip(padding, new Uint8Array(0), '');
    roundTrip(padding, fromHex('00ff00'), '00ff00');
  });

  it('max_fragment_length: 1..4, anything else illegal_parameter (RFC 6066 §4)', () => {
    roundTrip(maxFragmentLength, 4, '04');
    expectTlsError(() => maxFragmentLength.parse(fromHex('05')), 'IllegalParameter', 'illegal_parameter');
  });

  it('status_request: OCSP request in ClientHello, OCSP response in a Certificate entry (RFC 6066 §8)', () => {
    roundTrip(statusRequestClientHello, { responderIds: [], requestExtensions: new Uint8Array(0) }, '01 0000 0000');
    roundTrip(statusRequestClientHello, { responderIds: [der('aa')], requestExtensions: der('30') }, '01 0003 0001aa 0001 30');
    roundTrip(statusRequestCertificate, der('aabbcc'), '01 000003 aabbcc');
    expectTlsError(() => statusRequestClientHello.parse(fromHex('02 0000 0000')), 'DecodeError', 'decode_error');
  });

  it('use_srtp, heartbeat, signed_certificate_timestamp', () => {
    roundTrip(useSrtp, { profiles: [1, 2], mki: new Uint8Array(0) }, '0004 0001 0002 00');
    roundTrip(heartbeat, 1, '01');
    expectTlsError(() => heartbeat.parse(fromHex('03')), 'IllegalParameter', 'illegal_parameter');
    roundTrip(signedCertificateTimestamps, [der('aabbcc')], '0005 0003 aabbcc');
    expectTlsError(() => signedCertificateTimestamps.parse(fromHex('0000')), 'DecodeError', 'decode_error');
  });

  it('builds and finds raw extensions', () => {
    const list = [ext(0xfafa, fromHex('01')), ext(43, fromHex('0304'))];
    expect(findExtension(list, 43)).toEqual({ type: 43, data: fromHex('0304') });
    expect(findExtension(list, 51)).toBeUndefined();
  });
});

describe('the RFC 8446 §4.2 table', () => {
  // Copied from the table in RFC 8446 §4.2, plus record_size_limit (RFC 8449 §5: ClientHello, EncryptedExtensions)
  // and compress_certificate (RFC 8879 §3: ClientHello, CertificateRequest).
  const rfcTable: Record<string, ExtensionContext[]> = {
    server_name: ['CH', 'EE'],
    max_fragment_length: ['CH', 'EE'],
    status_request: ['CH', 'CR', 'CT'],
    supported_groups: ['CH', 'EE'],
    signature_algorithms: ['CH', 'CR'],
    use_srtp: ['CH', 'EE'],
    heartbeat: ['CH', 'EE'],
    application_layer_protocol_negotiation: ['CH', 'EE'],
    signed_certificate_timestamp: ['CH', 'CR', 'CT'],
    client_certificate_type: ['CH', 'EE'],
    server_certificate_type: ['CH', 'EE'],
    padding: ['CH'],
    key_share: ['CH', 'SH', 'HRR'],
    pre_shared_key: ['CH', 'SH'],
    psk_key_exchange_modes: ['CH'],
    early_data: ['CH', 'EE', 'NST'],
    cookie: ['CH', 'HRR'],
    supported_versions: ['CH', 'SH', 'HRR'],
    certificate_authorities: ['CH', 'CR'],
    oid_filters: ['CR'],
    post_handshake_auth: ['CH'],
    signature_algorithms_cert: ['CH', 'CR'],
    record_size_limit: ['CH', 'EE'],
    compress_certificate: ['CH', 'CR'],
  };
  const sorted = (table: Readonly<Record<string, readonly string[]>>) =>
    Object.fromEntries(Object.entries(table).map(([name, contexts]) => [name, [...contexts].sort()]));

  it('allows each extension in exactly the messages the RFC lists', () => {
    expect(sorted(ALLOWED_EXTENSIONS)).toEqual(sorted(rfcTable));
    expect(ALLOWED_FROM_MESSAGES).toBe(ALLOWED_EXTENSIONS);
  });

  it('rejects a known extension in a message the table leaves out', () => {
    expectTlsError(() => decodeExtensionBody(51, 'EE', new Reader(fromHex('001d'))), 'ExtensionNotAllowedHere', 'illegal_parameter');
    expectTlsError(() => decodeExtensionBody(21, 'SH', new Reader(new Uint8Array(0))), 'ExtensionNotAllowedHere', 'illegal_parameter');
    expectTlsError(() => decodeExtensionBody(48, 'CH', new Reader(fromHex('0000'))), 'ExtensionNotAllowedHere', 'illegal_parameter');
  });

  it('leaves unknown and pre-1.3 extension types alone in every message', () => {
    for (const context of ['CH', 'SH', 'HRR', 'EE', 'CT', 'CR', 'NST'] as const) {
      expect(() => decodeExtensionBody(0xfafa, context, new Reader(fromHex('ff')))).not.toThrow();
      expect(() => decodeExtensionBody(0xff01, context, new Reader(fromHex('00')))).not.toThrow();
    }
  });

  it('decodes each body with the structure of its message', () => {
    // supported_versions: a list in ClientHello, one version in ServerHello and HelloRetryRequest.
    expect(() => decodeExtensionBody(43, 'CH', new Reader(fromHex('02 0304')))).not.toThrow();
    expectTlsError(() => decodeExtensionBody(43, 'SH', new Reader(fromHex('02 0304'))), 'DecodeError', 'decode_error');
    expect(() => decodeExtensionBody(43, 'HRR', new Reader(fromHex('0304')))).not.toThrow();
    // server_name: a list from the client, empty from the server.
    expectTlsError(() => decodeExtensionBody(0, 'CH', new Reader(new Uint8Array(0))), 'DecodeError', 'decode_error');
    expectTlsError(() => decodeExtensionBody(0, 'EE', new Reader(fromHex('0009 00 0006 736572766572'))), 'DecodeError', 'decode_error');
    expectTlsError(
      () => decodeExtensionBody(0, 'CH', new Reader(fromHex('000a 00 0002 6161 00 0002 6262'))),
      'IllegalParameter',
      'illegal_parameter',
    );
    // ALPN: the server names exactly one protocol.
    expectTlsError(() => decodeExtensionBody(16, 'EE', new Reader(fromHex('0006 02 6832 02 6833'))), 'DecodeError', 'decode_error');
    expect(() => decodeExtensionBody(16, 'EE', new Reader(fromHex('0003 02 6832')))).not.toThrow();
    // early_data: empty in EncryptedExtensions, four bytes in NewSessionTicket.
    expectTlsError(() => decodeExtensionBody(42, 'EE', new Reader(fromHex('00000400'))), 'DecodeError', 'decode_error');
    expect(() => decodeExtensionBody(42, 'NST', new Reader(fromHex('00000400')))).not.toThrow();
  });
});
