// tlsfuzzer's test-tls13-version-negotiation against a server that speaks TLS 1.3 only. The version is
// negotiated by supported_versions alone (RFC 8446 §4.2.1); legacy_record_version "MUST be ignored for all
// purposes" (§5.1). Without TLS 1.3 among the versions (or without the extension, whatever
// legacy_version says) a server that has no TLS 1.2 "MUST abort the handshake with a "protocol_version"
// alert" (§4.2.1, App. D.2): the script's fallback probes, which expect a TLS 1.2 ServerHello, need -x
// against such a server (docs/robustness.md).
import { describe, expect, it } from 'vitest';
import { makeIdentity } from '../../src/testing/certs.js';
import { rsaTestKey } from '../../src/testing/rsa-keys.js';
import { ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import type { Extension } from '../../src/wire/types.js';
import { expectAbort, ext, feedServer, rnd } from '../handshake/abort-harness.js';
import { codePointList, RSA_SIG_ALL, ScriptedClient, SUPPORTED_VERSIONS } from './scripted-client.js';

const TLS_RSA_WITH_AES_128_CBC_SHA = 0x002f;
const TLS_RSA_WITH_RC4_128_SHA = 0x0005;
const rsaServer = makeIdentity({ subject: { CN: 'example.test' }, privateKey: rsaTestKey() }, rnd);

/** supported_versions listing `versions` (2-byte each), or nothing when undefined. */
const versionsExt = (versions: number[]) => ext(ExtensionType.supported_versions, [versions.length * 2, ...versions.flatMap((v) => [v >> 8, v & 0xff])]);

/** The script's extensions with `versions` in place of its supported_versions (none when `versions` is undefined). */
function extensions(client: ScriptedClient, versions: Extension | undefined): Extension[] {
  return [
    client.keyShare(NamedGroup.secp256r1),
    ...(versions ? [versions] : []),
    codePointList(ExtensionType.supported_groups, [NamedGroup.secp256r1]),
    codePointList(ExtensionType.signature_algorithms, [0x0804, 0x0809]),
    codePointList(ExtensionType.signature_algorithms_cert, RSA_SIG_ALL),
  ];
}

function probe(ciphers: number[], versions: Extension | undefined, edit: (client: ScriptedClient) => void = () => {}) {
  const client = new ScriptedClient({ certificate: rsaServer });
  edit(client);
  return { client, answer: client.hello(ciphers, extensions(client, versions)) };
}

describe('test-tls13-version-negotiation', () => {
  it.each([0x0300, 0x0301, 0x0302, 0x0303])('"tls 1.3 negotiation with SSL 3.x in record layer" (legacy_record_version %i): the handshake completes', (recordVersion) => {
    const { client, answer } = probe([0x1301, 0x00ff], SUPPORTED_VERSIONS, (c) => (c.recordVersion = recordVersion));
    expect(answer.alerts).toEqual([]);
    expect(answer.messages.map((m) => m.kind)).toEqual(['server_hello', 'encrypted_extensions', 'certificate', 'certificate_verify', 'finished']);
    expect(client.finish().alerts).toEqual([]);
    expect(client.server.isConnected).toBe(true);
  });

  it.each([
    ['"tls 1.8 only"', [0x1301, 0x00ff], [0x0309]],
    ['"SSL 3.0 in supported version"', [0x1301, TLS_RSA_WITH_AES_128_CBC_SHA, TLS_RSA_WITH_RC4_128_SHA, 0x00ff], [0x0300]],
    ['"fallback from TLS 1.8 to 1.2" (-x: no TLS 1.2 here)', [0x1301, TLS_RSA_WITH_AES_128_CBC_SHA, 0x00ff], [0x0309, 0x0303]],
    ['"fallback from TLS 1.8 to 1.1" (-x: no TLS 1.1 here)', [0x1301, TLS_RSA_WITH_AES_128_CBC_SHA, 0x00ff], [0x0309, 0x0302]],
  ])('%s: protocol_version', (_, ciphers, versions) => {
    const { client, answer } = probe(ciphers, versionsExt(versions));
    expect(answer.alerts).toEqual(['protocol_version']);
    expect(client.server.isClosed).toBe(true);
  });

  it.each([
    ['"TLS 1.3 in client hello legacy field"', 0x0304],
    ['"TLS 1.8 in client hello legacy field"', 0x0309],
  ])('%s, no supported_versions (-x: the script expects TLS 1.2): protocol_version', (_, legacyVersion) => {
    const client = new ScriptedClient({ certificate: rsaServer });
    const answer = client.helloWithLegacyVersion(legacyVersion, [0x1301, TLS_RSA_WITH_AES_128_CBC_SHA, 0x00ff], extensions(client, undefined));
    expect(answer.alerts).toEqual(['protocol_version']);
    expect(client.server.isClosed).toBe(true);
  });

  it('"SSL 2.0 ClientHello with TLS 1.3 version and TLS 1.3 only ciphersuites": an alert (unexpected_message: no such record type in TLS 1.3, §5)', () => {
    // SSLv2 CLIENT-HELLO (RFC 6101 App. E.2): 2-byte header with the high bit set, msg_type 1, version 3.4,
    // cipher_specs of 3 bytes each, no session id, a 16-byte challenge.
    const body = [1, 3, 4, 0, 3, 0, 0, 0, 16, 0x00, 0x13, 0x01, ...new Array(16).fill(0xab)];
    expectAbort(feedServer(Uint8Array.of(0x80, body.length, ...body)), 'unexpected_message', { plaintext: true });
  });
});
