// TLS-Anvil's client tests that only look at what our client sends (its ClientHello as the feature extraction
// records it, and which suites it completes a handshake with), replayed over several client configurations
// (docs/tls-anvil.md): ClientHello, Cookie, KeyShare (the two checks of the offer), SupportedVersions,
// SignatureAlgorithms, SupportedCiphersuites (client/tls13 and client/tls13/rfc8446) and PreSharedKey.
import { describe, expect, it } from 'vitest';
import type { SessionTicket } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SUITES } from '../../src/handshake/suites.js';
import { CipherSuite, ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import type { ClientHello } from '../../src/wire/types.js';
import { clientConfig, serverConfig } from '../handshake/abort-harness.js';
import { ours } from './anvil-harness.js';
import { ScriptedServer } from './anvil-server.js';

/** A ticket from an honest handshake with our server (the scripted server issues none). */
const ticket = (() => {
  const event = new InMemoryPair(clientConfig(), serverConfig({ tickets: { count: 1, key: new Uint8Array(32).fill(4) } })).run().events('client').find((e) => e.type === 'session-ticket');
  if (event?.type !== 'session-ticket') throw new Error('no ticket');
  return event.ticket as SessionTicket;
})();

const CONFIGS = {
  defaults: {},
  'GREASE (RFC 8701)': { clientHello: { grease: true } },
  'ALPN and one key share': { alpnProtocols: ['h2', 'http/1.1'], keyShareGroups: [NamedGroup.x25519] },
  'all five suites': { cipherSuites: [0x1301, 0x1302, 0x1303, 0x1304, 0x1305] },
};

/** The ClientHellos a configuration sends: its first, and its second after a HelloRetryRequest for secp256r1. */
function hellos(client: object): ClientHello[] {
  const server = new ScriptedServer(client);
  server.helloRetryRequest(NamedGroup.secp256r1);
  return server.clientHellos;
}

const has = (hello: ClientHello, type: number) => hello.extensions.some((e) => e.type === type);
const GREASE = (v: number) => (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);

describe.each(Object.entries(CONFIGS))('the ClientHellos of our client (%s)', (_, client) => {
  const [first, second] = hellos(client);

  it('ClientHello#checkLegacyVersion → legacy_version 0x0303 and supported_versions; ours: both', () => {
    for (const hello of [first!, second!]) {
      expect(hello.legacyVersion).toBe(0x0303);
      expect(has(hello, ExtensionType.supported_versions)).toBe(true);
    }
  });

  it('SupportedVersions#supportedVersionContainsTls13 → 0x0304 offered; ours: offered', () => {
    expect(X.bodyOf(X.supportedVersionsClientHello, X.findExtension(first!.extensions, ExtensionType.supported_versions)!)).toContain(0x0304);
  });

  it('ClientHello#checkExtensionsValidity and Cookie#clientHelloContainsCookieExtension → no cookie in ClientHello1, no truncated_hmac (4), no duplicates; ours: none', () => {
    for (const hello of [first!, second!]) {
      const types = hello.extensions.map((e) => e.type);
      expect(new Set(types).size).toBe(types.length);
      expect(types).not.toContain(4);
    }
    expect(has(first!, ExtensionType.cookie)).toBe(false);
  });

  it('ClientHello#checkMandatoryExtensions → key_share and supported_groups without pre_shared_key; ours: both', () => {
    for (const hello of [first!, second!]) expect(has(hello, ExtensionType.key_share) && has(hello, ExtensionType.supported_groups)).toBe(true);
  });

  it('KeyShare#testOrderOfKeyshareEntries and KeyShare#offeredDeprecatedGroups → shares in supported_groups order, one per group, TLS 1.3 groups only; ours: so', () => {
    for (const hello of [first!, second!]) {
      const groups = X.bodyOf(X.supportedGroups, X.findExtension(hello.extensions, ExtensionType.supported_groups)!);
      const shares = X.bodyOf(X.keyShareClientHello, X.findExtension(hello.extensions, ExtensionType.key_share)!).map((s) => s.group);
      const positions = shares.map((g) => groups.indexOf(g));
      expect(positions.every((p) => p >= 0)).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      expect(new Set(shares).size).toBe(shares.length);
      // RFC 8446 §4.2.7: secp256r1..secp521r1, x25519, x448, ffdhe*, and the hybrids registered since; no older curves.
      expect(shares.every((g) => g >= NamedGroup.secp256r1 || GREASE(g))).toBe(true);
    }
  });

  it('SignatureAlgorithms#noDeprecatedAlgorithmsOffered → no DSA, MD5, SHA-1 or SHA-224 schemes; ours: none', () => {
    const schemes = X.bodyOf(X.signatureAlgorithms, X.findExtension(first!.extensions, ExtensionType.signature_algorithms)!);
    // TLS 1.2 codes: hash in the high byte (1 md5, 2 sha1, 3 sha224), signature in the low byte (2 dsa).
    expect(schemes.filter((s) => !GREASE(s) && s < 0x0700 && ([1, 2, 3].includes(s >> 8) || (s & 0xff) === 2))).toEqual([]);
  });
});

describe('SupportedCiphersuites#supportsMoreCipherSuitesThanAdvertised and #supportsLessCipherSuitesThanAdvertised (client/tls13, client/tls13/rfc8446)', () => {
  it.each(Object.entries(CONFIGS))('%s: the suites a server may choose and complete with are exactly the TLS 1.3 suites offered; ours: so', (_, client) => {
    const offered = new ScriptedServer(client).clientHello.cipherSuites.filter((s) => SUITES.has(s));
    const completes = [CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384, CipherSuite.TLS_CHACHA20_POLY1305_SHA256, CipherSuite.TLS_AES_128_CCM_SHA256, CipherSuite.TLS_AES_128_CCM_8_SHA256].filter((suite) => {
      const server = new ScriptedServer(client);
      const result = server.deliver(server.serverHello({ edit: (sh) => ({ ...sh, cipherSuite: suite }) }), server.protect(...server.authentication()));
      return ours(result) === 'continues' && result.victim.isConnected;
    });
    expect(completes).toEqual([...offered].sort((a, b) => a - b));
  });
});

it('PreSharedKey#isLastExtension (@Disabled in TLS-Anvil) → pre_shared_key is the last extension when we resume; ours: it is (§4.2.11)', () => {
  for (const client of [{ resumption: { ticket } }, { resumption: { ticket }, clientHello: { grease: true } }]) {
    const hello = new ScriptedServer(client).clientHello;
    expect(hello.extensions.at(-1)!.type).toBe(ExtensionType.pre_shared_key);
  }
});
