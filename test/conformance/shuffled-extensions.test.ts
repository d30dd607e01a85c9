// tlsfuzzer's test-tls13-shuffled-extentions: a first ClientHello with an empty key_share draws a
// HelloRetryRequest (§4.1.4), and a second ClientHello that lists the same extensions in reverse order (a
// key share for secp256r1 now, in key_share's reversed place) is illegal_parameter: RFC 8446 §4.1.2 lets
// the client change only the key share, the cookie, early_data, the PSK and padding ("the client MUST send
// the same ClientHello without modification, except as follows"), and a server that holds it to that rule
// answers a changed one with illegal_parameter, as the script expects. Our HelloRetryRequest carries no
// cookie (§4.2.2 leaves it to the server), so the script runs without --cookie.
import { describe, expect, it } from 'vitest';
import { makeIdentity } from '../../src/testing/certs.js';
import { rsaTestKey } from '../../src/testing/rsa-keys.js';
import { ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import type { Extension } from '../../src/wire/types.js';
import { ext, rnd } from '../handshake/abort-harness.js';
import { codePointList, RSA_SIG_ALL, ScriptedClient, SUPPORTED_VERSIONS } from './scripted-client.js';

const CIPHERS = [0x1301, 0x00ff];
const rsaServer = makeIdentity({ subject: { CN: 'example.test' }, privateKey: rsaTestKey() }, rnd);

/** The script's unassigned code points, 52 to 65278, in chunks of 4,096 (one probe each). */
const UNASSIGNED = Array.from({ length: 65279 - 52 }, (_, i) => 52 + i);
const CHUNKS = Array.from({ length: Math.ceil(UNASSIGNED.length / 4096) }, (_, i) => UNASSIGNED.slice(i * 4096, (i + 1) * 4096));

/** The script's first ClientHello: key_share with no entry, then its other extensions, then `extra` empty ones. */
function firstExtensions(extra: number[]): Extension[] {
  return [
    ext(ExtensionType.key_share, [0, 0]),
    SUPPORTED_VERSIONS,
    codePointList(ExtensionType.supported_groups, [NamedGroup.secp256r1]),
    codePointList(ExtensionType.signature_algorithms, [0x0804, 0x0809]),
    codePointList(ExtensionType.signature_algorithms_cert, RSA_SIG_ALL),
    ...extra.map((type) => ext(type, [])),
  ];
}

/** Sends the first ClientHello, expects a HelloRetryRequest (no cookie) for secp256r1; returns the client. */
function retried(extensions: Extension[]): ScriptedClient {
  const client = new ScriptedClient({ certificate: rsaServer });
  const answer = client.hello(CIPHERS, extensions);
  expect(answer.alerts).toEqual([]);
  const [retry] = answer.messages;
  expect(retry?.kind).toBe('hello_retry_request');
  if (retry?.kind !== 'hello_retry_request') return client;
  expect(retry.extensions.map((e) => e.type).sort()).toEqual([ExtensionType.supported_versions, ExtensionType.key_share]);
  return client;
}

/** ClientHello2 as the script builds it: the extensions reversed, key_share (in its reversed place) now with a share. */
function reversed(client: ScriptedClient, first: Extension[]): Extension[] {
  return [...first].reverse().map((e) => (e.type === ExtensionType.key_share ? client.keyShare(NamedGroup.secp256r1) : e));
}

describe('test-tls13-shuffled-extentions', () => {
  it('"HRR reversed order of known extensions": illegal_parameter', () => {
    const first = firstExtensions([]);
    const client = retried(first);
    const answer = client.hello(CIPHERS, reversed(client, first));
    expect(answer.alerts).toEqual(['illegal_parameter']);
    expect(client.server.isClosed).toBe(true);
  });

  it.each(CHUNKS.map((chunk) => [chunk[0]!, chunk.at(-1)!, chunk] as const))(
    '"HRR reversed order of unassigned extensions, ext_ids in range from %i to %i": a HelloRetryRequest, then illegal_parameter',
    (_, __, chunk) => {
      const first = firstExtensions(chunk);
      const client = retried(first);
      const answer = client.hello(CIPHERS, reversed(client, first));
      expect(answer.alerts).toEqual(['illegal_parameter']);
      expect(client.server.isClosed).toBe(true);
    },
  );

  it('the same order (the control): the second ClientHello completes the handshake', () => {
    const first = firstExtensions(CHUNKS[0]!);
    const client = retried(first);
    const second = first.map((e) => (e.type === ExtensionType.key_share ? client.keyShare(NamedGroup.secp256r1) : e));
    const answer = client.hello(CIPHERS, second);
    expect(answer.alerts).toEqual([]);
    expect(answer.messages.map((m) => m.kind)).toEqual(['server_hello', 'encrypted_extensions', 'certificate', 'certificate_verify', 'finished']);
    expect(client.finish().alerts).toEqual([]);
    expect(client.server.isConnected).toBe(true);
  });
});
