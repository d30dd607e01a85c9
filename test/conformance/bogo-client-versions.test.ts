// BoGo's TLS 1.3 client tests of addVersionNegotiationTests and addMinimumVersionTests (boringssl
// ssl/test/runner/version_tests.go), and addBasicTests' legacy_compression_method cases (runner.go), replayed against our client (docs/bogo.md). Our client speaks TLS 1.3 only,
// so the shim is always BoGo's "TLS13" shim (-max-version and -min-version TLS 1.3 alike); a runner that picks
// TLS 1.2 or below is a server we must refuse, with the downgrade sentinel's illegal_parameter when its random
// carries one (RFC 8446 §4.1.3), protocol_version otherwise (§4.2.1).
import { describe, expect, it } from 'vitest';
import { DOWNGRADE_TLS11, DOWNGRADE_TLS12, ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import type { ServerHello } from '../../src/wire/types.js';
import { ext } from '../handshake/abort-harness.js';
import { fails, replay, SUCCEEDS, type BogoCase } from './bogo-harness.js';
import { ScriptedServer, tls12Hello, type Edit } from './anvil-server.js';

/** Wire versions of BoGo's allVersions(tls) below TLS 1.3, by BoGo's name. */
const OLDER = [
  ['TLS12', 0x0303],
  ['TLS11', 0x0302],
  ['TLS10', 0x0301],
] as const;
const TLS13 = 0x0304;

/** The runner's whole flight with its ServerHello edited. */
function helloFlight(edit?: Edit<ServerHello>) {
  const server = new ScriptedServer();
  return { server, result: server.deliver(server.serverHello({ edit }), server.protect(...server.authentication())) };
}

/** The runner's random when it negotiates `version` though it could speak TLS 1.3: the sentinel of §4.1.3. */
const downgradeRandom = (version: number) => Uint8Array.from([...new Uint8Array(24).fill(7), ...(version === 0x0303 ? DOWNGRADE_TLS12 : DOWNGRADE_TLS11)]);

/** A TLS 1.3 handshake whose ClientHello went out in a record of version 0x0301 (ExpectInitialRecordVersion). */
function negotiatesTls13(name: string): BogoCase {
  return {
    name,
    expected: SUCCEEDS,
    ours: 'continues',
    run: () => {
      const { server, result } = helloFlight();
      // RFC 8446 §5.1: legacy_record_version "MAY" be 0x0301 for the initial ClientHello; BoGo expects it.
      expect(server.clientRecords[0]).toEqual({ type: 22, version: 0x0301 });
      expect(result.victim.info.version).toBe('TLSv1.3');
      return result;
    },
  };
}

describe('addVersionNegotiationTests and addMinimumVersionTests: the runner negotiates', () => {
  replay([
    ...['VersionNegotiation-Client', 'VersionNegotiation-Client2', 'MinimumVersion-Client', 'MinimumVersion-Client2'].map((test) => negotiatesTls13(`${test}-TLS13-TLS13-TLS`)),
    // NegotiateVersion from a runner whose MaxVersion is the older version: a TLS 1.2-style ServerHello, no sentinel.
    ...OLDER.flatMap(([version, wire]) =>
      ['MinimumVersion-Client', 'MinimumVersion-Client2'].map(
        (test): BogoCase => ({
          name: `${test}-TLS13-${version}-TLS`,
          expected: fails(':UNSUPPORTED_PROTOCOL:', 'protocol_version'),
          ours: 'protocol_version',
          run: () => helloFlight(tls12Hello(wire)).result,
        }),
      ),
    ),
    // NegotiateVersion from a runner that speaks TLS 1.3: its random ends in DOWNGRD 01 (TLS 1.2) or 00.
    ...OLDER.map(
      ([version, wire]): BogoCase => ({
        name: `Downgrade-${version}-Client-TLS`,
        expected: fails(':TLS13_DOWNGRADE:', 'illegal_parameter'),
        ours: 'illegal_parameter',
        run: () => helloFlight(tls12Hello(wire, downgradeRandom(wire))).result,
      }),
    ),
    {
      name: 'SupportedVersionSelection-TLS12',
      expected: fails(':UNEXPECTED_EXTENSION:'),
      // §4.2.1: a supported_versions naming "a version prior to TLS 1.3" is illegal_parameter.
      ours: 'illegal_parameter',
      run: () => helloFlight((sh) => ({ ...tls12Hello(0x0303)(sh) as ServerHello, extensions: [ext(ExtensionType.supported_versions, X.supportedVersionsServerHello.encode(0x0303))] })).result,
    },
    {
      name: 'ServerBogusVersion',
      expected: fails(':UNSUPPORTED_PROTOCOL:'),
      // SendServerHelloVersion: legacy_version 0x1234 beside supported_versions TLS 1.3; §4.1.3 fixes it at 0x0303.
      ours: 'illegal_parameter',
      run: () => helloFlight((sh) => ({ ...sh, legacyVersion: 0x1234 })).result,
    },
    {
      name: 'NoSSL3-Client-Unsolicited',
      expected: fails(':UNSUPPORTED_PROTOCOL:', 'protocol_version'),
      // App. D.5: a ServerHello.legacy_version of 0x0300 or less is protocol_version.
      ours: 'protocol_version',
      run: () => helloFlight(tls12Hello(0x0300)).result,
    },
  ]);

  it('NoSSL3-Client → the runner finds no version of its own (SSL 3.0) offered; ours: supported_versions is TLS 1.3 alone', () => {
    const server = new ScriptedServer();
    const offered = X.bodyOf(X.supportedVersionsClientHello, X.findExtension(server.clientHello.extensions, ExtensionType.supported_versions)!);
    expect(offered).toEqual([TLS13]);
    expect(server.clientHello.legacyVersion).toBe(0x0303);
  });
});

describe('addBasicTests: legacy_compression_method', () => {
  const compressed: Edit<ServerHello> = (sh) => ({ ...sh, legacyCompressionMethod: 1 });
  replay([
    // SendCompressionMethod: 1; §4.1.3 "MUST have the value 0" and names no alert; ours illegal_parameter.
    { name: 'TLS13-InvalidCompressionMethod', expected: fails(':DECODE_ERROR:'), ours: 'illegal_parameter', run: () => helloFlight(compressed).result },
    {
      name: 'TLS13-HRR-InvalidCompressionMethod',
      expected: fails(':DECODE_ERROR:'),
      ours: 'illegal_parameter',
      // CurvePreferences P-384: a HelloRetryRequest for it first, then the ServerHello with compression 1.
      run: () => {
        const server = new ScriptedServer();
        expect(server.helloRetryRequest(NamedGroup.secp384r1).output.length).toBeGreaterThan(0);
        return server.deliver(server.serverHello({ edit: compressed }), server.protect(...server.authentication()));
      },
    },
  ]);
});
