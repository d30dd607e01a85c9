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
