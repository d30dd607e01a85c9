// Our server fed a real Chrome and a real Firefox ClientHello (browser-client-hellos.ts): it decodes and re-encodes byte for byte,
// and the server negotiates from each, ignoring what it does not know (GREASE, ECH, ALPS, compress_certificate
// without a compressor, delegated_credentials, padding: RFC 8446 §4.2 "MUST ignore unrecognized extensions", RFC 8701 §3) and the ticket it never
// issued (RFC 8446 §4.2.11: a full handshake when no PSK is acceptable), and never throws.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import { PORTABLE_CERTIFICATE_COMPRESSION } from '../../src/handshake/compression-codecs.js';
import type { ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { nodeCertificateCompression } from '../../src/node/certificate-compression.js';
import { makeIdentity } from '../../src/testing/certs.js';
import { fromHex, hex } from '../../src/wire/bytes.js';
import { decodeHandshake, encodeHandshake } from '../../src/wire/messages.js';
import type { HandshakeMessage } from '../../src/wire/types.js';
import { serverConfig } from '../handshake/abort-harness.js';
import { CHROME_CLIENT_HELLO, FIREFOX_CLIENT_HELLO } from './browser-client-hellos.js';
import { splitRecords } from './rfc8448-replay.js';

const EXTENSION = { server_name: 0x0000, alpn: 0x0010, pre_shared_key: 0x0029, supported_versions: 0x002b, key_share: 0x0033, record_size_limit: 0x001c } as const;
const chromeEcdsaServer = makeIdentity({ subject: { CN: 'chatgpt.com' }, sans: { dns: ['chatgpt.com'] }, keyType: 'p256' }, seededRandom('browser hellos'));

function serve(extra: Partial<ServerConfig>, clientHello = CHROME_CLIENT_HELLO) {
  const server = Connection.server(serverConfig({ certificate: chromeEcdsaServer, ...extra }));
  server.receive(fromHex(clientHello));
  const records = splitRecords(server.takeOutput()).map(hex);
  const events = server.takeEvents();
  const sent = (kind: HandshakeMessage['kind']) =>
    events.flatMap((e: TlsEvent) => (e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === kind ? [e.message] : []));
  return { server, records, events, sent };
}

/** RFC 8446 §4.1.3: the ServerHello.random that marks a HelloRetryRequest. */
const HELLO_RETRY_REQUEST_RANDOM = 'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c';

const extensionTypes = (message: HandshakeMessage | undefined) => (message && 'extensions' in message ? message.extensions.map((e) => e.type) : undefined);

describe('a real Chrome ClientHello (GREASE, ECH GREASE, X25519MLKEM768, ALPS, compress_certificate, a foreign ticket)', () => {
  it('decodes and re-encodes byte for byte, every extension in place', () => {
    const body = fromHex(CHROME_CLIENT_HELLO).subarray(5);
    const hello = decodeHandshake(body);
    expect(hex(encodeHandshake(hello))).toBe(hex(body));
    expect(extensionTypes(hello)).toEqual([0x1a1a, 10, 0xfe0d, 13, 16, 11, 5, 0x44cd, 27, 23, 35, 45, 18, 0, 0xff01, 43, 51, 0x4a4a, 41]);
  });

  it('a default server with a P-256 certificate: X25519MLKEM768, ecdsa_secp256r1_sha256, a full handshake, only our extensions', () => {
    const { server, events, sent } = serve({});
    expect(events.filter((e) => e.type === 'alert')).toEqual([]);
    expect(server.state).toBe('WAIT_FINISHED');
    expect(server.info).toMatchObject({ group: 'X25519MLKEM768', cipherSuite: 'TLS_AES_128_GCM_SHA256', signatureScheme: 'ecdsa_secp256r1_sha256', serverName: 'chatgpt.com' });
    expect(server.info.resumed).toBeUndefined();
    expect(extensionTypes(sent('server_hello')[0])).toEqual([EXTENSION.key_share, EXTENSION.supported_versions]);
    expect(extensionTypes(sent('encrypted_extensions')[0])).toEqual([EXTENSION.server_name]);
  });

  it('with ALPN h2 and http/1.1: h2, acknowledged in EncryptedExtensions', () => {
    const { server, sent } = serve({ alpnProtocols: ['h2', 'http/1.1'] });
    expect(server.info.alpn).toBe('h2');
    expect(extensionTypes(sent('encrypted_extensions')[0])).toEqual([EXTENSION.server_name, EXTENSION.alpn]);
  });

  it("compress_certificate (RFC 8879): brotli, the one Chrome offers, when the server has it; an uncompressed Certificate when it has only zlib", () => {
    const brotli = serve({ certificateCompression: nodeCertificateCompression() }).sent('compressed_certificate');
    expect(brotli.map((m) => m.kind === 'compressed_certificate' && m.algorithm)).toEqual([2]);
    const zlibOnly = serve({ certificateCompression: PORTABLE_CERTIFICATE_COMPRESSION });
    expect(zlibOnly.sent('compressed_certificate')).toEqual([]);
    expect(zlibOnly.sent('certificate')).toHaveLength(1);
  });

  it("chatgpt.com's ticket does not open under our ticket key: ignored, a full handshake with no pre_shared_key (RFC 8446 §4.2.11)", () => {
    const { server, events, sent } = serve({ tickets: { key: new Uint8Array(32).fill(7) } });
    expect(events.filter((e) => e.type === 'alert')).toEqual([]);
    expect(server.info.resumed).toBeUndefined();
    expect(sent('certificate')).toHaveLength(1);
    expect(extensionTypes(sent('server_hello')[0])).not.toContain(EXTENSION.pre_shared_key);
  });

  it('a server without post-quantum groups takes Chrome\'s X25519 share, with no HelloRetryRequest', () => {
    const { server, records } = serve({ groups: [0x001d] });
    expect(server.info.group).toBe('x25519');
    expect(records[0]!.slice(0, 22)).toBe('160303007a020000760303');
  });

  it('a P-256-only server: a HelloRetryRequest for secp256r1, the group Chrome lists without a share (RFC 8446 §4.1.4)', () => {
    const { server, records } = serve({ groups: [0x0017] });
    expect(server.state).toBe('START');
    expect(records[0]!.slice(22, 86)).toBe(HELLO_RETRY_REQUEST_RANDOM);
    expect(records[0]).toContain('003300020017');
  });

  // On noble under both test projects: node:crypto draws ECDSA's nonce itself, so only noble signs the same twice.
  it('delivered a byte at a time, as a slow TCP stream would: the same answer as in one piece', () => {
    const same = () => ({ provider: nobleProvider, random: seededRandom('same randomness') });
    const whole = serve(same()).records;
    const server = Connection.server(serverConfig({ certificate: chromeEcdsaServer, ...same() }));
    for (const byte of fromHex(CHROME_CLIENT_HELLO)) server.receive(Uint8Array.of(byte));
    expect(splitRecords(server.takeOutput()).map(hex)).toEqual(whole);
    expect(whole.length).toBeGreaterThan(2);
  });

  it('an Ed25519-only server: Chrome offers no ed25519 signature, so handshake_failure (RFC 8446 §4.4.3, §6.2)', () => {
    const { server, records, events } = serve({ certificate: makeIdentity({ subject: { CN: 'chatgpt.com' } }, seededRandom('ed25519 only')) });
    expect(records).toEqual(['15030300020228']);
    expect(events.filter((e) => e.type === 'alert')).toEqual([expect.objectContaining({ direction: 'out', description: 'handshake_failure' })]);
    expect(server.state).toBe('CLOSED');
  });
});

describe('a real Firefox ClientHello (X25519 and P-256 shares, ffdhe groups, delegated_credentials, record_size_limit, padding)', () => {
  it('decodes and re-encodes byte for byte, padding included', () => {
    const body = fromHex(FIREFOX_CLIENT_HELLO).subarray(5);
    const hello = decodeHandshake(body);
    expect(hex(encodeHandshake(hello))).toBe(hex(body));
    expect(extensionTypes(hello)).toEqual([0, 23, 0xff01, 10, 11, 35, 16, 5, 0x22, 51, 43, 13, 45, 0x1c, 0x15]);
  });

  it('a default server: x25519, TLS_AES_128_GCM_SHA256, ecdsa_secp256r1_sha256, localhost, h2, record_size_limit answered (RFC 8449 §4)', () => {
    const { server, events, sent } = serve({ alpnProtocols: ['h2'] }, FIREFOX_CLIENT_HELLO);
    expect(events.filter((e) => e.type === 'alert')).toEqual([]);
    expect(server.state).toBe('WAIT_FINISHED');
    expect(server.info).toMatchObject({ group: 'x25519', cipherSuite: 'TLS_AES_128_GCM_SHA256', signatureScheme: 'ecdsa_secp256r1_sha256', serverName: 'localhost', alpn: 'h2' });
    expect(extensionTypes(sent('encrypted_extensions')[0])).toEqual([EXTENSION.server_name, EXTENSION.alpn, EXTENSION.record_size_limit]);
  });

  it('a P-256-only server takes Firefox\'s second share, with no HelloRetryRequest', () => {
    const { server, records } = serve({ groups: [0x0017] }, FIREFOX_CLIENT_HELLO);
    expect(server.info.group).toBe('secp256r1');
    expect(records[0]!.slice(0, 22)).toBe('160303009b020000970303');
  });

  it('a server of ffdhe2048 only: a HelloRetryRequest for ffdhe2048, which Firefox lists but sent no share for (RFC 8446 §4.1.4)', () => {
    const { server, records } = serve({ groups: [0x0100] }, FIREFOX_CLIENT_HELLO);
    expect(server.state).toBe('START');
    expect(records[0]!.slice(22, 86)).toBe(HELLO_RETRY_REQUEST_RANDOM);
    expect(records[0]).toContain('003300020100');
  });
});
