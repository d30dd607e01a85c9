// tlsfuzzer's test-tls13-no-unknown-groups ("Test if server supports only the expected key exchange groups"),
// probe by probe, run with `--groups` naming every group we serve by default, our preferred one first
// (docs/robustness.md): with no key share, the HelloRetryRequest asks for that first group (§4.1.4); 256
// code points we do not implement before it change nothing; and a ClientHello whose supported_groups holds
// only groups we do not implement, 256 at a time across the whole code space, is handshake_failure ("no
// overlap", §4.1.1). Before the first HelloRetryRequest the server has done no key exchange, so each window
// costs a parse.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_GROUPS } from '../../src/handshake/config.js';
import { makeIdentity } from '../../src/testing/certs.js';
import * as X from '../../src/wire/extensions.js';
import { ExtensionType } from '../../src/wire/enums.js';
import type { Extension } from '../../src/wire/types.js';
import { ext, rnd } from '../handshake/abort-harness.js';
import { expectConversation } from './client-certificate-flight.js';
import { codePointList, ScriptedClient, SIG_ALL, SUPPORTED_VERSIONS } from './scripted-client.js';

const CIPHERS = [0x1301, 0x00ff];
const ecdsaServer = makeIdentity({ subject: { CN: 'example.test' }, keyType: 'p256' }, rnd);
const OURS = new Set(DEFAULT_SERVER_GROUPS);
const FIRST = DEFAULT_SERVER_GROUPS[0]!;

/** The script's extensions: supported_versions, key_share (empty unless given), supported_groups, schemes. */
const scriptExtensions = (groups: number[], keyShare: Extension = ext(ExtensionType.key_share, [0, 0])): Extension[] => [
  SUPPORTED_VERSIONS,
  keyShare,
  codePointList(ExtensionType.supported_groups, groups),
  codePointList(ExtensionType.signature_algorithms, [0x0804, 0x0809, 0x0403, 0x0807, 0x0808]),
  codePointList(ExtensionType.signature_algorithms_cert, SIG_ALL),
];

/** The script's windows of unknown code points: 1 to 256 (skipping ours), then 256 at a time to 0xffff. */
function unknownWindows(): number[][] {
  const windows: number[][] = [];
  let next = 1;
  while (next <= 0xffff) {
    const window: number[] = [];
    for (; window.length < 256 && next <= 0xffff; next++) if (!OURS.has(next)) window.push(next);
    windows.push(window);
  }
  return windows;
}

/** A HelloRetryRequest for `FIRST`, then ClientHello2 with a share for it completes the handshake. */
function expectRetryForFirstThenConnected(groups: number[], name: string): void {
  const client = new ScriptedClient({ certificate: ecdsaServer }, `no unknown groups ${name}`);
  const [retry] = client.hello(CIPHERS, scriptExtensions(groups)).messages;
  expect(retry?.kind).toBe('hello_retry_request');
  const selected = retry?.kind === 'hello_retry_request' ? retry.extensions.find((e) => e.type === ExtensionType.key_share) : undefined;
  expect(selected && X.bodyOf(X.keyShareHelloRetryRequest, selected)).toBe(FIRST);
  expect(client.hello(CIPHERS, scriptExtensions(groups, client.keyShare(FIRST))).alerts).toEqual([]);
  expect(client.finish().alerts).toEqual([]);
  expectConversation(client);
}

describe('test-tls13-no-unknown-groups, probe by probe', () => {
  it('"sanity" (every group we serve, no key share): a HelloRetryRequest for the first, then the handshake', () => {
    expectRetryForFirstThenConnected([...DEFAULT_SERVER_GROUPS], 'sanity');
  });

  it('"long list of unknown (between 1 and 2xx) plus a recognised group": the same', () => {
    expectRetryForFirstThenConnected([...unknownWindows()[0]!, FIRST], 'unknown plus first');
  });

  it.each(unknownWindows().map((w) => [w[0]!, w.at(-1)!, w] as const))('"long list of unknown (between %i and %i)" is handshake_failure', (_, __, window) => {
    const client = new ScriptedClient({ certificate: ecdsaServer }, 'no unknown groups window');
    const answer = client.hello(CIPHERS, scriptExtensions(window));
    expect(answer.messages).toEqual([]);
    expect(answer.alerts).toEqual(['handshake_failure']);
  });
});
