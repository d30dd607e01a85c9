// Go's crypto/tls recordings of OpenSSL clients (go-crypto-tls-traces.ts): our server fed OpenSSL's real
// ClientHellos. Given Go's randomness (zeros) and Go's ServerHello extension order (supported_versions, then
// key_share), it writes Go's ServerHello byte for byte where the share is X25519 (the zero key's public value
// is Go's), Go's HelloRetryRequest byte for byte, and Go's no_application_protocol alert (RFC 7301 §3.2).
// With P-256 only the share differs: Go reduces zero randomness to a scalar its own way.
import { describe, expect, it } from 'vitest';
import type { ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import { fromHex, hex } from '../../src/wire/bytes.js';
import { decodeHandshake } from '../../src/wire/messages.js';
import type { ServerHello } from '../../src/wire/types.js';
import { serverConfig } from '../handshake/abort-harness.js';
import { splitRecords } from './rfc8448-replay.js';
import { GO_HRR_SECOND_FLIGHT, GO_SERVER_TRACES } from './go-crypto-tls-traces.js';

const SUPPORTED_VERSIONS = 43;
const KEY_SHARE = 51;

/** Go's server: every random byte zero, ServerHello and HelloRetryRequest extensions as Go orders them. */
function goLikeServer(extra: Partial<ServerConfig> = {}): Connection {
  return Connection.server(
    serverConfig({
      random: (length) => new Uint8Array(length),
      serverFlight: { extensionOrder: { serverHello: [SUPPORTED_VERSIONS, KEY_SHARE], helloRetryRequest: [SUPPORTED_VERSIONS, KEY_SHARE] } },
      ...extra,
    }),
  );
}

function serverHelloOf(record: string): ServerHello {
  const message = decodeHandshake(fromHex(record).subarray(5));
  if (message.kind !== 'server_hello') throw new Error(`expected a ServerHello, got ${message.kind}`);
  return message;
}

/** A ServerHello with the key_share's key_exchange bytes zeroed: what is left when only the share is random. */
function withoutShareKey(record: string): string {
  const hello = serverHelloOf(record);
  const share = hello.extensions.find((e) => e.type === KEY_SHARE)!;
  const key = hex(share.data.subarray(4));
  expect(key).not.toBe('');
  return record.replace(key, '00'.repeat(key.length / 2));
}

function answer(server: Connection, bytes: string) {
  server.receive(fromHex(bytes));
  return { records: splitRecords(server.takeOutput()).map(hex), events: server.takeEvents() };
}

describe("Go crypto/tls testdata: our server answers OpenSSL's ClientHellos as Go's server did", () => {
  it.each([GO_SERVER_TRACES.aes128Sha256, GO_SERVER_TRACES.chacha20Sha256])('$file: Go\'s ServerHello, byte for byte', (trace) => {
    const server = goLikeServer();
    const { records, events } = answer(server, trace.clientHello);
    expect(records[0]).toBe(trace.serverReply);
    expect(events.filter((e) => e.type === 'alert')).toEqual([]);
    expect(server.state).toBe('WAIT_FINISHED');
  });

  it('Server-TLSv13-P256: Go\'s ServerHello but for the P-256 share, secp256r1 and TLS_CHACHA20_POLY1305_SHA256', () => {
    const trace = GO_SERVER_TRACES.p256;
    const server = goLikeServer();
    const { records } = answer(server, trace.clientHello);
    expect(withoutShareKey(records[0]!)).toBe(withoutShareKey(trace.serverReply));
    expect(server.info).toMatchObject({ group: 'secp256r1', cipherSuite: 'TLS_CHACHA20_POLY1305_SHA256' });
    expect(server.state).toBe('WAIT_FINISHED');
  });

  it('Server-TLSv13-HelloRetryRequest: a P-256-only server writes Go\'s HelloRetryRequest, then answers the retry', () => {
    const server = goLikeServer({ groups: [0x0017] });
    const first = answer(server, GO_SERVER_TRACES.helloRetryRequest.clientHello);
    expect(first.records.join('')).toBe(GO_SERVER_TRACES.helloRetryRequest.serverReply);
    const second = answer(server, GO_HRR_SECOND_FLIGHT.clientHello);
    expect(withoutShareKey(second.records[0]!)).toBe(withoutShareKey(GO_HRR_SECOND_FLIGHT.serverHello));
    expect(second.events.filter((e) => e.type === 'alert')).toEqual([]);
    expect(server.info).toMatchObject({ group: 'secp256r1', cipherSuite: 'TLS_CHACHA20_POLY1305_SHA256' });
  });

  it('Server-TLSv13-ALPN-NoMatch: offered proto2 and proto1 to a proto3 server, Go\'s no_application_protocol alert', () => {
    const server = goLikeServer({ alpnProtocols: ['proto3'] });
    const { records, events } = answer(server, GO_SERVER_TRACES.alpnNoMatch.clientHello);
    expect(records).toEqual([GO_SERVER_TRACES.alpnNoMatch.serverReply]);
    expect(events.filter((e) => e.type === 'alert')).toEqual([expect.objectContaining({ direction: 'out', description: 'no_application_protocol' })]);
    expect(server.state).toBe('CLOSED');
  });

  // The client lists TLS_AES_256_GCM_SHA384 first; the server picks by its own preference (RFC 8446 §4.1.1).
  it('Server-TLSv13-ALPN-NoMatch without ALPN configured: a ServerHello with no ALPN, our suite, for test.golang.example', () => {
    const server = goLikeServer();
    const { records } = answer(server, GO_SERVER_TRACES.alpnNoMatch.clientHello);
    expect(serverHelloOf(records[0]!).cipherSuite).toBe(0x1301);
    expect(server.info).toMatchObject({ serverName: 'test.golang.example', cipherSuite: 'TLS_AES_128_GCM_SHA256' });
    expect(server.info.alpn).toBeUndefined();
  });
});
