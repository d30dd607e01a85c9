// The external PSK flags of `tls13 serve` and `tls13 connect` (RFC 8446 §4.2.11): --psk HEX
// --psk-identity ID [--psk-hash sha256|sha384], the spelling of openssl's -psk / -psk_identity, and
// --psk-ke, which gives up forward secrecy and says so.
import { MIN_EXTERNAL_PSK_BYTES, isAllZero, type ExternalPskConfig } from '../handshake/external-psk.js';
import { fromHex } from '../wire/bytes.js';
import { choice, flag, list, str, type OptionTable, type Parsed } from './args.js';
import { UsageError } from './io.js';

export const PSK_OPTIONS: OptionTable = {
  psk: {
    type: 'string',
    value: 'HEX',
    multiple: true,
    section: 'External PSKs (RFC 8446 §4.2.11):',
    help: `an external pre-shared key, hex, at least ${MIN_EXTERNAL_PSK_BYTES} bytes; with --psk-identity. Repeatable: the Nth --psk goes with the Nth --psk-identity. The peer is then authenticated by the PSK ("external PSK ID")`,
  },
  'psk-identity': { type: 'string', value: 'ID', multiple: true, help: `the PSK's identity, sent in the clear (UTF-8)` },
  'psk-hash': { type: 'string', value: 'sha256|sha384', help: `the hash the PSKs are bound to (default sha256; sha384 needs TLS_AES_256_GCM_SHA384)` },
  'psk-ke': {
    type: 'boolean',
    help: `also allow psk_ke, the PSK without (EC)DHE: NO FORWARD SECRECY (whoever learns the PSK later decrypts every recorded session). Default: psk_dhe_ke only`,
  },
};

/** The external PSKs the flags name, or undefined without --psk; a clear UsageError for each mistake. */
export function externalPsksFromFlags(args: Parsed): ExternalPskConfig | undefined {
  const keys = list(args, 'psk');
  const identities = list(args, 'psk-identity');
  const hashFlag = str(args, 'psk-hash');
  if (keys.length === 0) {
    if (identities.length > 0 || hashFlag !== undefined || flag(args, 'psk-ke')) throw new UsageError('--psk-identity, --psk-hash and --psk-ke need --psk HEX');
    return undefined;
  }
  if (identities.length !== keys.length) throw new UsageError(`--psk: each --psk needs its --psk-identity (got ${keys.length} --psk and ${identities.length} --psk-identity)`);
  const hash = choice(args, 'psk-hash', ['sha256', 'sha384'], 'sha256');
  return {
    keys: keys.map((text, i) => {
      if (!/^([0-9a-fA-F]{2})+$/.test(text)) throw new UsageError(`--psk (the ${ordinal(i + 1)}): not hex, two digits per byte (${notHexBecause(text)}); the key itself is not shown`);
      if (text.length / 2 < MIN_EXTERNAL_PSK_BYTES) throw new UsageError(`--psk: ${text.length / 2} bytes is too short; at least ${MIN_EXTERNAL_PSK_BYTES} (RFC 9257 §6: 128 bits of entropy)`);
      const key = fromHex(text);
      if (isAllZero(key)) throw new UsageError(`--psk (the ${ordinal(i + 1)}): all zeros, a key anyone can use`);
      const identity = identities[i]!;
      if (identity.length === 0) throw new UsageError('--psk-identity: may not be empty');
      return { identity, key, hash };
    }),
    modes: flag(args, 'psk-ke') ? ['psk_dhe_ke', 'psk_ke'] : ['psk_dhe_ke'],
  };
}

/**
 * Where a --psk value stops being hex. A mistyped key is still (nearly) the key: the error names the
 * position of the mistake and never echoes the value, stderr being a general log (CI logs, scrollback).
 */
function notHexBecause(text: string): string {
  const bad = text.search(/[^0-9a-fA-F]/);
  return `${text.length} characters, ${bad >= 0 ? `the ${ordinal(bad + 1)} not a hex digit` : text.length === 0 ? 'none' : 'an odd number'}`;
}

/** 1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, ..., 21st. */
function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}
