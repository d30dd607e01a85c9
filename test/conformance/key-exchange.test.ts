// Key shares a scripted client sends, probe by probe as tlsfuzzer's test-tls13-keyshare-omitted,
// -crfg-curves and -ecdhe-curves send them, with the alert each script expects: key_share missing beside
// supported_groups is missing_extension (§9.2), a key_share body with no client_shares vector is
// decode_error (§6.2), and a key_exchange that is not a point of its group is illegal_parameter (§4.2.8).
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NamedGroup } from '../../src/wire/enums.js';
import type { ClientHello } from '../../src/wire/types.js';
import { EXT, expectAbort, ext, feedServer, helloWith, keyShare, record, replacingExtension, u16, withoutExtension } from '../handshake/abort-harness.js';
import { accepted } from './harness.js';

const HANDSHAKE = 22;
const EC_POINT_FORMATS = 11;
const PSK_KEY_EXCHANGE_MODES = 45;

const serve = (edit: (h: ClientHello) => void) => feedServer(record(HANDSHAKE, helloWith(edit)));

/** A public value of `group` made by node:crypto: u-coordinate (RFC 7748) or uncompressed point (§4.2.8.2). */
function publicValue(group: CurveGroup): Uint8Array {
  if (group === 'x25519' || group === 'x448') {
    const pair = group === 'x25519' ? generateKeyPairSync('x25519') : generateKeyPairSync('x448');
    const jwk = pair.publicKey.export({ format: 'jwk' });
    return new Uint8Array(Buffer.from(jwk.x!, 'base64url'));
  }
  const jwk = generateKeyPairSync('ec', { namedCurve: CURVES[group].nodeName }).publicKey.export({ format: 'jwk' });
  return Uint8Array.from([4, ...Buffer.from(jwk.x!, 'base64url'), ...Buffer.from(jwk.y!, 'base64url')]);
}

const CURVES = {
  x25519: { code: NamedGroup.x25519, nodeName: 'x25519' },
  x448: { code: NamedGroup.x448, nodeName: 'x448' },
  secp256r1: { code: NamedGroup.secp256r1, nodeName: 'prime256v1' },
  secp384r1: { code: NamedGroup.secp384r1, nodeName: 'secp384r1' },
  secp521r1: { code: NamedGroup.secp521r1, nodeName: 'secp521r1' },
} as const;
type CurveGroup = keyof typeof CURVES;

/** A ClientHello offering `group` alone, in supported_groups and with one key share of `value`. */
const offering = (group: CurveGroup, value: Uint8Array) => (h: ClientHello) => {
  const code = CURVES[group].code;
  replacingExtension(ext(EXT.supported_groups, [0, 2, ...u16(code)]))(h);
  replacingExtension(keyShare(code, value))(h);
};

describe('test-tls13-keyshare-omitted', () => {
  it('"key_share extension omitted" (supported_groups [secp256r1], no PSK) is missing_extension (§9.2)', () => {
    const hello = (h: ClientHello) => {
      withoutExtension(EXT.key_share)(h);
      replacingExtension(ext(EXT.supported_groups, [0, 2, ...u16(NamedGroup.secp256r1)]))(h);
    };
    expectAbort(serve(hello), 'missing_extension', { plaintext: true });
  });

  it.each([
    ['"empty key_share extension"', []],
    ['"empty key_share extension with valid psk_key exhange modes"', [ext(PSK_KEY_EXCHANGE_MODES, [2, 0, 1])]],
  ])('%s (a body without the client_shares vector) is decode_error', (_, extra) => {
    const hello = (h: ClientHello) => {
      replacingExtension(ext(EXT.key_share, []))(h);
      h.extensions.unshift(...extra);
    };
    expectAbort(serve(hello), 'decode_error', { plaintext: true });
  });
});

describe('test-tls13-crfg-curves (X25519, X448)', () => {
  const SIZES = { x25519: 32, x448: 56 } as const;

  describe.each(['x25519', 'x448'] as const)('%s', (group) => {
    it.each([0, 1, 2])('"sanity with compression" (ec_point_formats [%i], a TLS 1.2 extension TLS 1.3 ignores) is answered', (format) => {
      const hello = (h: ClientHello) => {
        offering(group, publicValue(group))(h);
        h.extensions.unshift(ext(EC_POINT_FORMATS, [1, format]));
      };
      const result = serve(hello);
      expect(accepted(result)).toBe(true);
      expect(result.output[5]).toBe(2);
    });

    it.each([
      ['"all zero key share"', () => new Uint8Array(SIZES[group])],
      ['"key share of 1" (little-endian 1: a low-order point, the shared secret all zero)', () => Uint8Array.from({ length: SIZES[group] }, (_, i) => (i === 0 ? 1 : 0))],
      ['"too small key share" (one byte short)', () => new Uint8Array(SIZES[group] - 1).fill(55)],
      ['"empty key share"', () => new Uint8Array(0)],
      ['"too big key share" (one byte over)', () => new Uint8Array(SIZES[group] + 1).fill(55)],
    ])('%s is illegal_parameter', (_, value) => {
      expectAbort(serve(offering(group, value())), 'illegal_parameter', { plaintext: true });
    });
  });
});

describe('test-tls13-ecdhe-curves', () => {
  const otherCurve = (group: CurveGroup): CurveGroup => (group === 'secp256r1' ? 'secp384r1' : 'secp256r1');

  describe.each(Object.keys(CURVES) as CurveGroup[])('%s', (group) => {
    it('"sanity" is answered', () => {
      expect(accepted(serve(offering(group, publicValue(group))))).toBe(true);
    });

    it.each([
      ['"right 0-padded key_share"', () => Uint8Array.from([...publicValue(group), 0])],
      ['"right-truncated key_share"', () => publicValue(group).subarray(0, -1)],
      ['"key share from other curve"', () => publicValue(otherCurve(group))],
      ['"point at infinity" (the single byte 0x00)', () => Uint8Array.of(0)],
    ])('%s is illegal_parameter', (_, value) => {
      expectAbort(serve(offering(group, value())), 'illegal_parameter', { plaintext: true });
    });
  });

  describe.each(['secp256r1', 'secp384r1', 'secp521r1'] as const)('%s', (group) => {
    it.each([
      ['"point outside curve" (last byte of y flipped)', () => {
        const point = publicValue(group);
        point[point.length - 1]! ^= 0xff;
        return point;
      }],
      ['"x=0, y=0"', () => {
        const point = new Uint8Array(publicValue(group).length);
        point[0] = 4;
        return point;
      }],
    ])('%s is illegal_parameter', (_, value) => {
      expectAbort(serve(offering(group, value())), 'illegal_parameter', { plaintext: true });
    });
  });
});

describe('test-tls13-obsolete-curves (RFC 8446 §B.3.1.4: obsolete groups "MUST NOT be offered or negotiated")', () => {
  // The script expects illegal_parameter for every ClientHello that lists an obsolete group (its -a option
  // changes the alert, --relaxed accepts one listed beside secp256r1). Where no group is shared, §4.1.1 is
  // explicit: "it MUST abort the handshake with either a "handshake_failure" or "insufficient_security"
  // fatal alert", so we answer handshake_failure (run the script with -a handshake_failure). Listed beside a
  // group we implement, the RFC names no rule for the receiver, and OpenSSL, BoringSSL and rustls skip groups
  // they cannot use, so we ignore it and negotiate (the script's --relaxed probes). Only a key share for a
  // group the client did not list is illegal_parameter (§4.2.8), as the script expects in every mode.
  const secp256r1 = NamedGroup.secp256r1;
  /** tlsfuzzer's stand-in share where it cannot make a real one: 32 bytes of 0xab. */
  const bogusShare = (group: number) => keyShare(group, new Uint8Array(32).fill(0xab));
  const p256Share = () => keyShare(secp256r1, publicValue('secp256r1'));
  const groups = (...codes: number[]) => ext(EXT.supported_groups, [...u16(codes.length * 2), ...codes.flatMap(u16)]);
  const shares = (...entries: ReturnType<typeof keyShare>[]) => ext(EXT.key_share, [...u16(entries.reduce((n, e) => n + e.data.length - 2, 0)), ...entries.flatMap((e) => [...e.data.subarray(2)])]);
  const hello = (supported: ReturnType<typeof ext>, keyShares: ReturnType<typeof ext>) => (h: ClientHello) => {
    replacingExtension(supported)(h);
    replacingExtension(keyShares)(h);
  };

  describe.each([
    ['sect163k1', 0x0001],
    ['secp224r1', 0x0015],
    ['secp256k1', 0x0016],
    ['brainpoolP512r1 (TLS 1.2 code point)', 0x001c],
    ['arbitrary_explicit_prime_curves', 0xff01],
  ])('%s', (_, obsolete) => {
    it('"in supported_groups and key_share": handshake_failure, no group in common (§4.1.1)', () => {
      expectAbort(serve(hello(groups(obsolete), shares(bogusShare(obsolete)))), 'handshake_failure', { plaintext: true });
    });

    it('"in supported_groups and empty key_share": handshake_failure, no group in common (§4.1.1)', () => {
      expectAbort(serve(hello(groups(obsolete), shares())), 'handshake_failure', { plaintext: true });
    });

    it.each([
      ['"and secp256r1 in supported_groups and secp256r1 in key_share"', () => hello(groups(obsolete, secp256r1), shares(p256Share()))],
      ['"and secp256r1 in supported_groups and key_share"', () => hello(groups(obsolete, secp256r1), shares(bogusShare(obsolete), p256Share()))],
      ['"secp256r1 and it in supported_groups and key_share"', () => hello(groups(secp256r1, obsolete), shares(p256Share(), bogusShare(obsolete)))],
    ])('%s: ignored, secp256r1 negotiated (the script\'s --relaxed)', (__, edit) => {
      const result = serve(edit());
      expect(accepted(result)).toBe(true);
      expect(result.output[5]).toBe(2);
      expect(result.victim.info.group).toBe('secp256r1');
    });

    it('"in key_share and secp256r1 in supported_groups (inconsistent extensions)": illegal_parameter (§4.2.8)', () => {
      expectAbort(serve(hello(groups(secp256r1), shares(bogusShare(obsolete)))), 'illegal_parameter', { plaintext: true });
    });
  });

  it('"secp256r1 and secp224r1 in supported_groups, secp224r1 in key_share": a HelloRetryRequest for secp256r1 (--relaxed)', () => {
    const result = serve(hello(groups(secp256r1, 0x0015), shares(bogusShare(0x0015))));
    expect(accepted(result)).toBe(true);
    // A ServerHello whose random is the HelloRetryRequest constant (§4.1.3), CF 21 AD 74 ...
    expect([...result.output.subarray(11, 15)]).toEqual([0xcf, 0x21, 0xad, 0x74]);
  });
});
