// What the key_exchange bytes of a KeyShareEntry hold, group by group (RFC 8446 §4.2.8.1-2 for the classical
// groups, draft-ietf-tls-ecdhe-mlkem for the hybrids, draft-ietf-tls-mlkem for ML-KEM alone), and what each
// kind of group protects against. Traces split a share into these parts; teaching pages quote the notes.
// A description only: the groups themselves live in crypto/, and a test holds the lengths here to theirs.
import { NamedGroup } from './enums.js';

export interface SharePart {
  /** Field name in a span path, e.g. `mlkem768_encapsulation_key`. */
  field: string;
  length: number;
  meaning: string;
  rfc: string;
}

export interface ShareLayout {
  /** The parts of the client's share (ClientHello) and of the server's (ServerHello), in wire order. */
  client: readonly SharePart[];
  server: readonly SharePart[];
  /** What the shared secret rests on, in one line. */
  protection: string;
}

const HYBRID = 'draft-ietf-tls-ecdhe-mlkem';
const MLKEM = 'draft-ietf-tls-mlkem §3';

const encapsulationKey = (level: 768 | 1024, rfc: string): SharePart => ({
  field: `mlkem${level}_encapsulation_key`,
  length: level === 768 ? 1184 : 1568,
  meaning: `ML-KEM-${level} encapsulation key (FIPS 203 ek): the client's one-time post-quantum public key`,
  rfc,
});

const ciphertext = (level: 768 | 1024, rfc: string): SharePart => ({
  field: `mlkem${level}_ciphertext`,
  length: level === 768 ? 1088 : 1568,
  meaning: `ML-KEM-${level} ciphertext (FIPS 203 c): the server's encapsulation of a fresh 32-byte secret to that key`,
  rfc,
});

type Curve = 'x25519' | 'secp256r1' | 'secp384r1';
const CURVE_SHARE: Record<Curve, { length: number; name: string; encoding: string }> = {
  x25519: { length: 32, name: 'X25519', encoding: 'RFC 7748 u-coordinate' },
  secp256r1: { length: 65, name: 'P-256', encoding: 'uncompressed point 0x04 || X || Y' },
  secp384r1: { length: 97, name: 'P-384', encoding: 'uncompressed point 0x04 || X || Y' },
};

const ecdhShare = (curve: Curve, side: 'client' | 'server', rfc: string): SharePart => ({
  field: `${curve}_public_key`,
  length: CURVE_SHARE[curve].length,
  meaning: `${CURVE_SHARE[curve].name} ephemeral public key (${CURVE_SHARE[curve].encoding}): the ${side}'s classical half`,
  rfc,
});

/**
 * A hybrid's shares concatenate both halves. The draft fixes the order per group: ML-KEM first for
 * X25519MLKEM768, the ECDH value first for the two NIST-curve hybrids (the same order as the shared secret).
 */
function hybrid(curve: Curve, level: 768 | 1024, mlkemFirst: boolean): ShareLayout {
  const order = (a: SharePart, b: SharePart) => (mlkemFirst ? [a, b] : [b, a]);
  return {
    client: order(encapsulationKey(level, `${HYBRID} §3, client share`), ecdhShare(curve, 'client', `${HYBRID} §3, client share`)),
    server: order(ciphertext(level, `${HYBRID} §3, server share`), ecdhShare(curve, 'server', `${HYBRID} §3, server share`)),
    protection: `hybrid: secure if either ${CURVE_SHARE[curve].name} or ML-KEM holds`,
  };
}

function mlkemAlone(level: 768 | 1024): ShareLayout {
  return {
    client: [encapsulationKey(level, MLKEM)],
    server: [ciphertext(level, MLKEM)],
    protection: `ML-KEM-${level} alone: post-quantum, with no classical algorithm to fall back on`,
  };
}

/** Layouts of the groups whose shares have more than one part or need explaining; others are one public value. */
export const SHARE_LAYOUTS: ReadonlyMap<number, ShareLayout> = new Map([
  [NamedGroup.X25519MLKEM768, hybrid('x25519', 768, true)],
  [NamedGroup.SecP256r1MLKEM768, hybrid('secp256r1', 768, false)],
  [NamedGroup.SecP384r1MLKEM1024, hybrid('secp384r1', 1024, false)],
  [NamedGroup.MLKEM768, mlkemAlone(768)],
  [NamedGroup.MLKEM1024, mlkemAlone(1024)],
]);

const CLASSICAL = 'classical only: a quantum computer could later recover this secret from a recording of the handshake';

/** What a group's shared secret rests on (for the decision of a group in traces). */
export function groupProtection(group: number): string {
  return SHARE_LAYOUTS.get(group)?.protection ?? CLASSICAL;
}
