// BoGo's TLS 1.3 client tests of addExtensionTests, addUnknownExtensionTests and addOmitExtensionsTests
// (boringssl ssl/test/runner/extension_tests.go), replayed against our client with the scripted server of
// anvil-server.ts (docs/bogo.md). The cases for ALPS, NPN, SRTP, QUIC transport parameters and SCT lists have
// no counterpart here (we implement none of them); those that only check the runner are named in docs/bogo.md.
import { describe, expect, it } from 'vitest';
import { ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import * as X from '../../src/wire/extensions.js';
import type { Certificate, Extension, ServerHello } from '../../src/wire/types.js';
import { alice, ca, ext } from '../handshake/abort-harness.js';
import { fails, replay, SUCCEEDS } from './bogo-harness.js';
import { ScriptedServer, type Edit } from './anvil-server.js';

const utf8 = (text: string) => new TextEncoder().encode(text);
/** Code points BoGo's runner sends that we implement nothing for (RFC 7301 NPN draft, RFC 7627, RFC 5746, RFC 5077). */
const NEXT_PROTOCOL_NEGOTIATION = 13172;
const EXTENDED_MASTER_SECRET = 23;
const RENEGOTIATION_INFO = 0xff01;
const SESSION_TICKET = 35;
/** The runner's DuplicateExtension and CustomExtension code points (common.go: 0xffff, extensionCustom 1234). */
const DUPLICATE_EXTENSION = 0xffff;
const CUSTOM_EXTENSION = 1234;
/** The runner's testOCSPResponse (runner.go), a body no OCSP parser accepts. */
const TEST_OCSP_RESPONSE = Uint8Array.of(1, 2, 3, 4);
/** CertificateStatusType.ocsp (RFC 6066 §8). */
const OCSP_STATUS_TYPE = 1;
const ocspEntryExtension = ext(ExtensionType.status_request, [OCSP_STATUS_TYPE, 0, 0, TEST_OCSP_RESPONSE.length, ...TEST_OCSP_RESPONSE]);
const alpn = (...protocols: string[]) => ext(ExtensionType.application_layer_protocol_negotiation, X.alpn.encode(protocols));

/** A whole handshake with EncryptedExtensions holding `extensions`, the ServerHello and the Certificate as edited. */
function handshake(options: { client?: Record<string, unknown>; ee?: Extension[]; sh?: Edit<ServerHello>; certificate?: Edit<Certificate> } = {}) {
  const server = new ScriptedServer(options.client);
  const hello = server.serverHello({ edit: options.sh });
  const result = server.deliver(hello, server.protect(server.encryptedExtensions(options.ee), server.certificate(options.certificate), server.certificateVerify(), server.finished()));
  return { server, result };
}
const run = (options: Parameters<typeof handshake>[0]) => () => handshake(options).result;
/** The Certificate with `extensions` on the leaf's entry, the CA's certificate after it with `caExtensions`. */
const entries = (extensions: Extension[], caExtensions?: Extension[]): Edit<Certificate> => (c) => ({
  ...c,
  entries: [{ ...c.entries[0]!, extensions }, ...(caExtensions ? [{ data: ca.der, extensions: caExtensions }] : [])],
});

describe('addExtensionTests (TLS, TLS 1.3)', () => {
  replay([
    { name: 'DuplicateExtensionClient-TLS-TLS13 (in EncryptedExtensions)', expected: fails('', 'decode_error'), ours: 'illegal_parameter', divergence: 'RFC 8446 §4.2 forbids a repeated extension without naming an alert; we answer illegal_parameter everywhere (BoGo itself expects illegal_parameter for a repeated HelloRetryRequest extension)', run: run({ ee: [ext(DUPLICATE_EXTENSION, []), ext(DUPLICATE_EXTENSION, [])] }) },
    { name: 'DuplicateExtensionClient-TLS-TLS13 (in ServerHello)', expected: fails('', 'decode_error'), ours: 'illegal_parameter', divergence: 'as above', run: run({ sh: (sh) => ({ ...sh, extensions: [...sh.extensions, ...sh.extensions.slice(-1)] }) }) },
    {
      name: 'ServerNameExtensionClient-TLS-TLS13',
      expected: SUCCEEDS,
      ours: 'continues',
      // ExpectServerName: the runner checks the name in our ClientHello (Mismatch and Missing check the runner's own check).
      run: () => {
        const { server, result } = handshake();
        expect(X.bodyOf(X.serverName, X.findExtension(server.clientHellos[0]!.extensions, ExtensionType.server_name)!)).toEqual(['example.test']);
        return result;
      },
    },
    { name: 'TolerateServerNameAck-TLS-TLS13', expected: SUCCEEDS, ours: 'continues', run: run({ ee: [ext(ExtensionType.server_name, [])] }) },
    {
      name: 'UnsolicitedServerNameAck-TLS-TLS13',
      expected: fails(':UNEXPECTED_EXTENSION:', 'unsupported_extension'),
      ours: 'unsupported_extension',
      run: run({ client: { serverName: undefined }, ee: [ext(ExtensionType.server_name, [])] }),
    },
    {
      name: 'ALPNClient-TLS-TLS13',
      expected: SUCCEEDS,
      ours: 'continues',
      run: run({ client: { alpnProtocols: ['foo', 'bar', 'baz'] }, ee: [alpn('foo')] }),
      check: ({ victim }) => expect(victim.info.alpn).toBe('foo'),
    },
    { name: 'ALPNClient-RejectUnknown-TLS-TLS13', expected: fails(':INVALID_ALPN_PROTOCOL:', 'illegal_parameter'), ours: 'illegal_parameter', run: run({ client: { alpnProtocols: ['foo', 'bar'] }, ee: [alpn('baz')] }) },
    { name: 'ALPNClient-EmptyProtocolName-TLS-TLS13', expected: fails(':PARSE_TLSEXT:'), ours: 'decode_error', run: run({ client: { alpnProtocols: ['foo'] }, ee: [ext(ExtensionType.application_layer_protocol_negotiation, [0, 1, 0])] }) },
    {
      name: 'AllExtensions-Client-Permute-HelloRetryRequest-TLS-TLS13 (what we implement: GREASE, OCSP request, ALPN, SNI ack, a HelloRetryRequest)',
      expected: SUCCEEDS,
      ours: 'continues',
      run: () => {
        const server = new ScriptedServer({ clientHello: { grease: true }, statusRequest: true, alpnProtocols: ['proto'] });
        server.helloRetryRequest(0x0017);
        return server.deliver(server.serverHello(), server.protect(server.encryptedExtensions([ext(ExtensionType.server_name, []), alpn('proto')]), server.certificate(), server.certificateVerify(), server.finished()));
      },
      check: ({ victim }) => expect(victim.info.alpn).toBe('proto'),
    },
    { name: 'NPN-Forbidden-TLS13', expected: fails(':ERROR_PARSING_EXTENSION:'), ours: 'unsupported_extension', run: run({ ee: [ext(NEXT_PROTOCOL_NEGOTIATION, [3, ...utf8('foo')])] }) },
    { name: 'EMS-Forbidden-TLS13', expected: fails(':ERROR_PARSING_EXTENSION:'), ours: 'unsupported_extension', run: run({ ee: [ext(EXTENDED_MASTER_SECRET, [])] }) },
    { name: 'RenegotiationInfo-Forbidden-TLS13', expected: fails(':ERROR_PARSING_EXTENSION:'), ours: 'unsupported_extension', run: run({ ee: [ext(RENEGOTIATION_INFO, [0])] }) },
    { name: 'Ticket-Forbidden-TLS13', expected: fails(':ERROR_PARSING_EXTENSION:'), ours: 'unsupported_extension', run: run({ ee: [ext(SESSION_TICKET, [])] }) },
    { name: 'SendUnsolicitedOCSPOnCertificate-TLS13', expected: fails(':UNEXPECTED_EXTENSION:'), ours: 'unsupported_extension', run: run({ certificate: entries([ocspEntryExtension]) }) },
    {
      name: 'SendUnsolicitedSCTOnCertificate-TLS13',
      expected: fails(':UNEXPECTED_EXTENSION:'),
      ours: 'unsupported_extension',
      run: run({ certificate: entries([ext(ExtensionType.signed_certificate_timestamp, [0, 6, 0, 4, 5, 6, 7, 8])]) }),
    },
    { name: 'SendUnknownExtensionOnCertificate-TLS13', expected: fails(':UNEXPECTED_EXTENSION:'), ours: 'unsupported_extension', run: run({ certificate: entries([ext(0x007f, [])]) }) },
    {
      name: 'IgnoreExtensionsOnIntermediates-TLS13 (OCSP on the intermediate only)',
      expected: SUCCEEDS,
      ours: 'continues',
      run: run({ client: { statusRequest: true }, certificate: entries([], [ocspEntryExtension]) }),
    },
    {
      name: 'SendNoClientCertificateExtensions-TLS13',
      expected: SUCCEEDS,
      ours: 'continues',
      run: () => {
        const server = new ScriptedServer({ certificate: alice, statusRequest: true });
        const hello = server.serverHello();
        const ee = server.encryptedExtensions();
        const request = server.add({ kind: 'certificate_request', context: new Uint8Array(0), extensions: [ext(ExtensionType.signature_algorithms, X.signatureAlgorithms.encode([0x0807]))] });
        const result = server.deliver(hello, server.protect(ee, request, server.certificate(), server.certificateVerify(), server.finished()));
        const certificate = server.clientMessages.find((m): m is Certificate => m.kind === 'certificate')!;
        expect(certificate.entries.length).toBeGreaterThan(0);
        expect(certificate.entries.every((e) => e.extensions.length === 0)).toBe(true);
        return result;
      },
    },
    {
      name: 'SendDuplicateExtensionsOnCerts-TLS13',
      expected: fails(':DUPLICATE_EXTENSION:'),
      ours: 'illegal_parameter',
      run: run({ client: { statusRequest: true }, certificate: entries([ocspEntryExtension, ocspEntryExtension]) }),
    },
  ]);
});

describe('addUnknownExtensionTests (TLS 1.3)', () => {
  replay([
    { name: 'UnknownExtension-Client-TLS13', expected: fails(':UNEXPECTED_EXTENSION:', 'unsupported_extension'), ours: 'unsupported_extension', run: run({ ee: [ext(CUSTOM_EXTENSION, utf8('custom extension'))] }) },
    // The runner cannot read the alert (it is sealed under handshake keys it derived from a ServerHello we refused).
    { name: 'UnknownUnencryptedExtension-Client-TLS13', expected: fails(':UNEXPECTED_EXTENSION:'), ours: 'unsupported_extension', run: run({ sh: (sh) => ({ ...sh, extensions: [...sh.extensions, ext(CUSTOM_EXTENSION, utf8('custom extension'))] }) }) },
    {
      name: 'UnexpectedUnencryptedExtension-Client-TLS13',
      expected: fails(':UNEXPECTED_EXTENSION:'),
      ours: 'illegal_parameter',
      // ALPN, which we offered, in the ServerHello instead of EncryptedExtensions (§4.2: illegal_parameter).
      run: run({ client: { alpnProtocols: ['foo', 'bar'] }, sh: (sh) => ({ ...sh, extensions: [...sh.extensions, alpn('foo')] }) }),
    },
    { name: 'UnofferedExtension-Client-TLS13', expected: fails(':UNEXPECTED_EXTENSION:', 'unsupported_extension'), ours: 'unsupported_extension', run: run({ ee: [alpn('alpn')] }) },
  ]);
});

describe('addExtensionTests: ClientHelloPadding', () => {
  // BoGo's runner requires a ClientHello padded to 512 bytes when a long name puts it between 256 and 511 (the F5
  // bug that RFC 7685's padding extension works around). BoGo's name has an 80-byte label, which no DNS name may
  // have (RFC 1035 §2.3.4); ours splits the same characters into two labels.
  const LONG_NAME = '0123456789012345678901234567890123456789.0123456789012345678901234567890123456789.com';
  const hello = (groups?: number[]) => new ScriptedServer({ serverName: LONG_NAME, ...(groups ? { groups } : {}) }).clientHello;
  it('ClientHelloPadding → a ClientHello of 512 bytes; ours: x25519 alone gives one in 256..511 bytes, unpadded (divergence: RFC 7685 padding is optional)', () => {
    const length = encodeHandshake(hello([NamedGroup.x25519])).length;
    expect(length).toBeGreaterThanOrEqual(256);
    expect(length).toBeLessThan(512);
    expect(X.findExtension(hello([NamedGroup.x25519]).extensions, ExtensionType.padding)).toBeUndefined();
  });
  it('ClientHelloPadding, our default groups: the X25519MLKEM768 share alone makes the ClientHello longer than 511 bytes', () => {
    expect(encodeHandshake(hello()).length).toBeGreaterThan(511);
  });
});
