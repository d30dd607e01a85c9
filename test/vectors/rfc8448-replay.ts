// Shared pieces of the RFC 8448 replays: the RFC's server key and certificate, and record splitting.
import type { PrivateKey } from '../../src/crypto/provider.js';
import { recoverPssSalt } from '../../src/crypto/rsa.js';
import { Reader } from '../../src/wire/bytes.js';
import { decodeHandshakeBody } from '../../src/wire/messages.js';
import { findValue, loadRfc8448RsaKey, type Rfc8448Section } from '../../src/testing/rfc8448.js';

const big = (bytes: Uint8Array) => BigInt('0x' + (Buffer.from(bytes).toString('hex') || '0'));

/** The §2 RSA key as our PrivateKey (the server key of §3, §5, §7). */
export function rfcServerKey(): PrivateKey & { kind: 'rsa' } {
  const k = loadRfc8448RsaKey();
  return { kind: 'rsa', n: big(k.modulus), e: big(k.publicExponent), d: big(k.privateExponent), p: big(k.prime1), q: big(k.prime2) };
}

/** Splits a byte stream into whole records. */
export function splitRecords(bytes: Uint8Array): Uint8Array[] {
  const records: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const length = (bytes[at + 3]! << 8) | bytes[at + 4]!;
    records.push(bytes.subarray(at, at + 5 + length));
    at += 5 + length;
  }
  return records;
}

/** The certificate DER inside the RFC's Certificate message of the given actor. */
export function rfcCertificate(section: Rfc8448Section, actor: 'client' | 'server'): Uint8Array {
  const message = findValue(section, actor, 'construct a Certificate handshake message', 'Certificate');
  const decoded = decodeHandshakeBody(message[0]!, message.subarray(4));
  if (decoded.kind !== 'certificate') throw new Error('not a Certificate');
  return decoded.entries[0]!.data;
}

/** The RSA-PSS salt inside the RFC's CertificateVerify signature, recovered with the signer's public key. */
export function rfcPssSalt(section: Rfc8448Section, actor: 'client' | 'server', n: bigint, e: bigint): Uint8Array {
  const message = findValue(section, actor, 'construct a CertificateVerify handshake message', 'CertificateVerify');
  const r = new Reader(message, 4);
  r.u16();
  const signature = r.vec(2);
  return recoverPssSalt({ n, e }, 'sha256', signature);
}

