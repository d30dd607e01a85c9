// Our own keys are key pairs: a certificate's (or a raw public key's) private key must be the key the leaf
// (or the SPKI) names, judged with the provider that will sign. Checked when a connection is made, before
// anything is sent: a key of another pair signs what the peer refuses (decrypt_error, RFC 8446 §4.4.3) after
// our first flight has named us.
import { isPrivateKeyOf } from '../auth/key-pair.js';
import { parseSpki } from '../auth/keys.js';
import { parseConfiguredCertificate } from '../auth/configured-certificates.js';
import { nobleProvider } from '../crypto/noble.js';
import type { CryptoProvider, PublicKey } from '../crypto/provider.js';
import type { CertifiedKey, ClientConfig, RawPublicKeyIdentity, ServerConfig } from './config.js';

/** The public key `der` (a leaf, or an SPKI) names and its SPKI; undefined for a leaf key of no kind we know. Config validation parsed `der` already. */
function namedKey(der: Uint8Array, raw: boolean): { spki: Uint8Array; key: PublicKey } | undefined {
  if (raw) return { spki: der, key: parseSpki(der) };
  const leaf = parseConfiguredCertificate(der);
  return leaf.publicKey ? { spki: leaf.spki, key: leaf.publicKey } : undefined;
}

/** Every configured private key is the key its certificate or raw key names; a TypeError naming the field otherwise. */
export function checkKeyPairs(config: ClientConfig | ServerConfig): void {
  const provider = config.provider ?? nobleProvider;
  const certificates: Array<[CertifiedKey, string]> =
    config.certificate === undefined || config.certificate === 'ask' ? []
    : Array.isArray(config.certificate) ? config.certificate.map((c, i) => [c, `certificate[${i}]`])
    : [[config.certificate, 'certificate']];
  for (const [certified, path] of certificates) checkCertifiedKeyPair(provider, certified, path);
  const raw: RawPublicKeyIdentity | undefined = config.rawPublicKey;
  const named = raw?.privateKey && raw.spki && namedKey(raw.spki, true);
  if (named && !isPrivateKeyOf(provider, raw!.privateKey!, named.spki, named.key)) {
    throw new TypeError('rawPublicKey.privateKey is not the key of rawPublicKey.spki: its signatures would not verify');
  }
}

/**
 * One certificate's (or raw key's) private key is the key its chain[0] names: a TypeError naming `path` otherwise.
 * Also for the certificate a caller gives in a `client-certificate` answer (decision-answer.ts).
 */
function checkCertifiedKeyPair(provider: CryptoProvider, certified: CertifiedKey, path: string): void {
  const named = certified.privateKey && namedKey(certified.chain[0]!, certified.rawPublicKey === true);
  if (named && !isPrivateKeyOf(provider, certified.privateKey!, named.spki, named.key)) {
    throw new TypeError(`${path}.privateKey is not the key of the certificate chain[0] (another ${named.key.kind} key): its signatures would not verify`);
  }
}
