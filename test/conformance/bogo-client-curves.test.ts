// BoGo's TLS 1.3 client tests of addCurveTests (boringssl ssl/test/runner/curve_tests.go), replayed against
// our client with the scripted server of anvil-server.ts (docs/bogo.md): each group we implement, the
// malformed shares BoGo's runner sends for it (ProtocolBugs TruncateKeyShare, PadKeyShare,
// SendCompressedCoordinates, ECDHPointNotOnCurve, SetX25519HighBit, LowOrderX25519Point), the groups the
// ServerHello may name, and which key shares our ClientHello carries. P-224 and Kyber we do not implement.
import { describe, expect, it } from 'vitest';
import type { SessionTicket } from '../../src/handshake/events.js';
import { TEST_NOW } from '../../src/testing/certs.js';
import { CipherSuite, ExtensionType, NamedGroup, namedGroupName } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import type { Extension, ServerHello } from '../../src/wire/types.js';
import { ext, p256Public } from '../handshake/abort-harness.js';
import { fails, replay, SUCCEEDS, type BogoCase } from './bogo-harness.js';
import { ScriptedServer, type Edit } from './anvil-server.js';

const utf8 = (text: string) => new TextEncoder().encode(text);
const BOGUS_CURVE = 0x1234;
/** ec_point_formats (RFC 8422 §5.1.2), a TLS 1.2 extension. */
const EC_POINT_FORMATS = 11;
const CURVES: Array<[string, number]> = [
  ['P-256', NamedGroup.secp256r1],
  ['P-384', NamedGroup.secp384r1],
  ['P-521', NamedGroup.secp521r1],
  ['X25519', NamedGroup.x25519],
  ['MLKEM', NamedGroup.X25519MLKEM768],
];
const isEcdh = (group: number) => group === NamedGroup.secp256r1 || group === NamedGroup.secp384r1 || group === NamedGroup.secp521r1;
const hasX25519 = (group: number) => group === NamedGroup.x25519 || group === NamedGroup.X25519MLKEM768;

/** The ServerHello's key_share, its key_exchange as `edit` makes it. */
const editShare = (edit: (share: Uint8Array) => Uint8Array): Edit<ServerHello> => (sh) => ({
  ...sh,
  extensions: sh.extensions.map((e) => {
    if (e.type !== ExtensionType.key_share) return e;
    const entry = X.bodyOf(X.keyShareServerHello, e);
    return ext(ExtensionType.key_share, X.keyShareServerHello.encode({ group: entry.group, keyExchange: edit(entry.keyExchange.slice()) }));
  }),
});
/** A whole handshake with a client that offers `group` only, the ServerHello as edited. */
function withGroup(group: number, edit?: Edit<ServerHello>, ee: Extension[] = []) {
  const server = new ScriptedServer({ groups: [group] });
  return server.deliver(server.serverHello({ edit }), server.protect(server.encryptedExtensions(ee), server.certificate(), server.certificateVerify(), server.finished()));
}
/** An uncompressed point 04 || X || Y as SEC 1 §2.3.3 compresses it: 02 or 03 (Y's parity) || X. */
const compress = (point: Uint8Array) => Uint8Array.of(2 + (point[point.length - 1]! & 1), ...point.subarray(1, 1 + (point.length - 1) / 2));
const sharesOf = (server: ScriptedServer) => X.bodyOf(X.keyShareClientHello, X.findExtension(server.clientHello.extensions, ExtensionType.key_share)!).map((s) => s.group);

describe('addCurveTests: CurveTest-*-Client-*-TLS13', () => {
  replay(
    CURVES.flatMap(([name, group]): BogoCase[] => {
      const fail = (bug: string, edit: (share: Uint8Array) => Uint8Array): BogoCase => ({ name: `CurveTest-Invalid-${bug}-Client-${name}-TLS13`, expected: fails(':BAD_ECPOINT:'), ours: 'illegal_parameter', run: () => withGroup(group, editShare(edit)) });
      return [
        { name: `CurveTest-Client-${name}-TLS13`, expected: SUCCEEDS, ours: 'continues', run: () => withGroup(group), check: ({ victim }) => expect(victim.info.group).toBe(namedGroupName(group)) },
        fail('TruncateKeyShare', (share) => share.subarray(0, share.length - 1)),
        fail('PadKeyShare', (share) => Uint8Array.of(...share, 0)),
        ...(isEcdh(group)
          ? [
              fail('Compressed', compress),
              fail('NotOnCurve', (share) => {
                share[share.length - 1]! ^= 1;
                return share;
              }),
            ]
          : []),
        ...(hasX25519(group)
          ? [
              {
                // RFC 7748 §5: X25519 masks the top bit of the u-coordinate, so the secret is the same.
                name: `CurveTest-SetX25519HighBit-Client-${name}-TLS13`,
                expected: SUCCEEDS,
                ours: 'continues' as const,
                run: () =>
                  withGroup(
                    group,
                    editShare((share) => {
                      share[share.length - 1]! |= 0x80;
                      return share;
                    }),
                  ),
              },
              // The all-zero u-coordinate: a low-order point, whose shared secret is all zeros (RFC 8446 §7.4.2).
              fail('LowOrderX25519Point', (share) => Uint8Array.of(...share.subarray(0, share.length - 32), ...new Uint8Array(32))),
            ]
          : []),
      ];
    }),
  );
});

describe('addCurveTests: the group the server names', () => {
  const ticket: SessionTicket = { lifetime: 7200, ageAdd: 1, nonce: Uint8Array.of(0), ticket: utf8('BoGo ticket'), psk: new Uint8Array(32).fill(0x33), cipherSuite: CipherSuite.TLS_AES_128_GCM_SHA256, receivedAt: TEST_NOW - 1000, serverName: 'example.test' };
  replay([
    {
      name: 'BadECDHECurve-TLS13',
      expected: fails(':WRONG_CURVE:'),
      ours: 'illegal_parameter',
      run: () => withGroup(NamedGroup.x25519, (sh) => ({ ...sh, extensions: sh.extensions.map((e) => (e.type === ExtensionType.key_share ? ext(e.type, X.keyShareServerHello.encode({ group: BOGUS_CURVE, keyExchange: new Uint8Array(32).fill(9) })) : e)) })),
    },
    {
      name: 'UnsupportedCurve-ServerHello-TLS13',
      expected: fails(':WRONG_CURVE:'),
      ours: 'illegal_parameter',
      // We offer P-384 only; the ServerHello answers with a P-256 share.
      run: () => withGroup(NamedGroup.secp384r1, (sh) => ({ ...sh, extensions: sh.extensions.map((e) => (e.type === ExtensionType.key_share ? ext(e.type, X.keyShareServerHello.encode({ group: NamedGroup.secp256r1, keyExchange: p256Public() })) : e)) })),
    },
    {
      name: 'CurveID-Resume-Client-TLS13',
      expected: SUCCEEDS,
      ours: 'continues',
      // The resumption asks for P-256 by HelloRetryRequest: the connection reports P-256, not the group of the session.
      run: () => {
        const server = new ScriptedServer({ resumption: { ticket } });
        server.helloRetryRequest(NamedGroup.secp256r1);
        const hello = server.serverHello({ psk: { key: ticket.psk } });
        return server.deliver(hello, server.protect(server.encryptedExtensions(), server.finished()));
      },
      check: ({ victim }) => expect([victim.info.resumed, victim.info.group]).toEqual([true, 'secp256r1']),
    },
    { name: 'PointFormat-EncryptedExtensions-TLS13', expected: fails(':ERROR_PARSING_EXTENSION:'), ours: 'unsupported_extension', run: () => withGroup(NamedGroup.x25519, undefined, [ext(EC_POINT_FORMATS, [1, 0])]) },
    {
      name: 'SupportedCurves-EncryptedExtensions-TLS13',
      expected: SUCCEEDS,
      ours: 'continues',
      run: () => withGroup(NamedGroup.x25519, undefined, [ext(ExtensionType.supported_groups, X.supportedGroups.encode([NamedGroup.x25519, NamedGroup.secp256r1]))]),
    },
  ]);
});

describe('addCurveTests: the key shares of our ClientHello (ExpectedKeyShares)', () => {
  const shares = (groups: number[]) => sharesOf(new ScriptedServer({ groups }));
  it('NotJustMLKEMKeyShare → X25519MLKEM768 and x25519 shares; ours: the same', () => {
    expect(shares([NamedGroup.X25519MLKEM768, NamedGroup.x25519])).toEqual([NamedGroup.X25519MLKEM768, NamedGroup.x25519]);
  });
  it('JustConfiguringMLKEMWorks → an X25519MLKEM768 share; ours: the same', () => {
    expect(shares([NamedGroup.X25519MLKEM768])).toEqual([NamedGroup.X25519MLKEM768]);
  });
  // BoringSSL also predicts the first post-quantum group listed after a classical one; we share the first group
  // only then (ClientConfig.keyShareGroups sets any list). RFC 8446 §4.2.8 lets a client send any subset.
  it('MLKEMKeyShareIncludedSecond → x25519 and X25519MLKEM768 shares; ours: x25519 only (divergence)', () => {
    expect(shares([NamedGroup.x25519, NamedGroup.X25519MLKEM768])).toEqual([NamedGroup.x25519]);
  });
  it('MLKEMKeyShareIncludedThird → x25519 and X25519MLKEM768 shares; ours: x25519 only (divergence)', () => {
    expect(shares([NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.X25519MLKEM768])).toEqual([NamedGroup.x25519]);
  });
  it('PostQuantumNotEnabledByDefaultInClients → no post-quantum group by default; ours: X25519MLKEM768 first (divergence, docs/post-quantum.md)', () => {
    const server = new ScriptedServer();
    expect(X.bodyOf(X.supportedGroups, X.findExtension(server.clientHello.extensions, ExtensionType.supported_groups)!)[0]).toBe(NamedGroup.X25519MLKEM768);
  });
});
