// tlsfuzzer's test-tls13-symetric-ciphers, probe by probe: each TLS 1.3 suite alone is negotiated (the CCM
// suites only when the server enables them: `cipherSuites` here, `tls13 serve --ciphersuites` for a run),
// and a client record whose AEAD tag has one bit flipped is bad_record_mac (RFC 8446 §5.2: "If the
// decryption fails, the receiver MUST terminate the connection with a "bad_record_mac" alert"), for the
// client's Finished and for its first application data. The script flips each bit of the last 16 bytes (8
// for CCM-8) of each record, 1,216 probes; here the first, a middle and the last byte of the tag, bits 0 and 7.
import { describe, expect, it } from 'vitest';
import { makeIdentity } from '../../src/testing/certs.js';
import { rsaTestKey } from '../../src/testing/rsa-keys.js';
import { NamedGroup } from '../../src/wire/enums.js';
import { rnd } from '../handshake/abort-harness.js';
import { expectConversation } from './client-certificate-flight.js';
import { rsaScriptExtensions, ScriptedClient } from './scripted-client.js';

const GET = new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n');
const rsaServer = makeIdentity({ subject: { CN: 'example.test' }, privateKey: rsaTestKey() }, rnd);
const SUITES = [
  ['TLS_AES_128_GCM_SHA256', 0x1301, 16],
  ['TLS_AES_256_GCM_SHA384', 0x1302, 16],
  ['TLS_CHACHA20_POLY1305_SHA256', 0x1303, 16],
  ['TLS_AES_128_CCM_SHA256', 0x1304, 16],
  ['TLS_AES_128_CCM_8_SHA256', 0x1305, 8],
] as const;
const ALL_SUITES = SUITES.map(([, code]) => code);

/** The script's handshake offering `suites`, up to the server's Finished. */
function toServerFinished(suites: number[], name: string) {
  const client = new ScriptedClient({ certificate: rsaServer, cipherSuites: ALL_SUITES }, `symmetric ${name}`);
  const flight = client.hello(suites, rsaScriptExtensions(client, NamedGroup.secp256r1));
  expect(flight.alerts).toEqual([]);
  return client;
}

/** `record` with bit `value` of its byte `at` from the end (-1: the tag's last byte) flipped. */
const flip = (at: number, value: number) => (record: Uint8Array) => {
  const copy = record.slice();
  copy[copy.length + at]! ^= value;
  return copy;
};

it('"sanity" (AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305 offered): the handshake completes', () => {
  const client = toServerFinished([0x1301, 0x1302, 0x1303], 'sanity');
  expect(client.finish().alerts).toEqual([]);
  expectConversation(client);
});

describe.each(SUITES)('%s', (name, code, tag) => {
  it(`"check connection with ${name}": negotiated, and data flows`, () => {
    const client = toServerFinished([code], name);
    expect(client.suite?.code).toBe(code);
    expect(client.finish().alerts).toEqual([]);
    expectConversation(client);
  });

  const probes = [-1, -(tag >> 1), -tag].flatMap((at) => [0x01, 0x80].map((value) => [value, at] as const));
  it.each(probes)('"fuzz tag on finished message with %i on pos %i" is bad_record_mac', (value, at) => {
    const client = toServerFinished([code], `${name} finished ${value} ${at}`);
    expect(client.finish({ corrupt: flip(at, value) }).alerts).toEqual(['bad_record_mac']);
    expect(client.server.isClosed).toBe(true);
  });

  it.each(probes)('"fuzz tag on application data with %i on pos %i" is bad_record_mac', (value, at) => {
    const client = toServerFinished([code], `${name} data ${value} ${at}`);
    expect(client.finish().alerts).toEqual([]);
    expect(client.send(GET, flip(at, value)).alerts).toEqual(['bad_record_mac']);
    expect(client.server.isClosed).toBe(true);
  });
});
