// `tls13 cert`: a key and a self-signed or CA-issued certificate as PEM files, e.g. the self-signed client
// certificate a server can pin. Prints the two pins people need: certificate SHA-256 and SPKI SHA-256.
import { generateKeyPairSync } from 'node:crypto';
import { resolve } from 'node:path';
import { buildCertificate, generateKeyPair } from '../auth/builder.js';
import { parseIpAddress } from '../auth/hostname.js';
import { encodePkcs8, encodeSpki, loadPrivateKey, samePublicKey, sha256Fingerprint } from '../auth/keys.js';
import { toPem } from '../auth/pem.js';
import { parseCertificate } from '../auth/x509.js';
import type { PrivateKey } from '../crypto/provider.js';
import { nobleProvider } from '../crypto/noble.js';
import { systemRandom } from '../crypto/random.js';
import { choice, flag, integer, list, str, type Command, type Parsed } from './args.js';
import { checkWritable, loadCertificates, loadKey, UsageError, type Io } from './io.js';
import { writeOutputFile } from './output-files.js';

const KEY_TYPES = ['ed25519', 'ed448', 'p256', 'p384', 'p521', 'rsa2048', 'rsa-pss', 'ml-dsa-44', 'ml-dsa-65', 'ml-dsa-87'] as const;
type KeyType = (typeof KEY_TYPES)[number];
const PSS_HASHES = ['sha256', 'sha384', 'sha512'] as const;
type PssHash = (typeof PSS_HASHES)[number];
const PURPOSES = ['serverAuth', 'clientAuth'] as const;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Back-date notBefore a little, for peers whose clocks run behind. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * A new key. RSA keys are 2048 bits, from node:crypto; `rsa-pss` is an id-RSASSA-PSS key (RFC 4055), with
 * no parameters (any hash) unless `pssHash` restricts it to that hash, MGF1 over it and a salt of at least
 * its length (what `openssl genpkey -algorithm rsa-pss -pkeyopt rsa_pss_keygen_md:sha256` makes).
 */
function newKey(type: KeyType, pssHash?: PssHash): PrivateKey {
  if (type === 'rsa2048' || type === 'rsa-pss') {
    // OpenSSL's minimum salt for a restricted key is the hash's length unless told otherwise.
    const restriction = pssHash === undefined ? {} : { hashAlgorithm: pssHash, mgf1HashAlgorithm: pssHash };
    const { privateKey } = type === 'rsa2048' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('rsa-pss', { modulusLength: 2048, ...restriction });
    return loadPrivateKey(new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' })));
  }
  return generateKeyPair(type, systemRandom, nobleProvider).privateKey;
}

/** --type, and --pss-hash, which only an rsa-pss key takes. */
function keyTypeOf(args: Parsed): { type: KeyType; pssHash?: PssHash } {
  const type = choice(args, 'type', KEY_TYPES, 'ed25519');
  const pssHash = args.values['pss-hash'] === undefined ? undefined : choice(args, 'pss-hash', PSS_HASHES, 'sha256');
  if (pssHash === undefined) return { type };
  if (type !== 'rsa-pss') throw new UsageError('cert: --pss-hash restricts an RSASSA-PSS key: it goes with --type rsa-pss');
  return { type, pssHash };
}

/** A random positive 127-bit serial (RFC 5280 §4.1.2.2: positive, at most 20 octets). */
function randomSerial(): bigint {
  const bytes = systemRandom(16);
  bytes[0]! &= 0x7f;
  return BigInt(`0x${Buffer.from(bytes).toString('hex')}`) || 1n;
}

function required(args: Parsed, name: string): string {
  const value = str(args, name);
  if (value === undefined) throw new UsageError(`cert: --${name} FILE is required`);
  return value;
}

function issuerOf(args: Parsed) {
  const certFile = str(args, 'issuer-cert');
  const keyFile = str(args, 'issuer-key');
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) throw new UsageError('cert: --issuer-cert and --issuer-key go together');
  const certificate = loadCertificates('--issuer-cert', certFile)[0]!;
  const privateKey = loadKey('--issuer-key', keyFile);
  if (!certificate.publicKey || !samePublicKey(nobleProvider.publicKeyOf(privateKey), certificate.publicKey)) {
    throw new UsageError(`--issuer-key ${keyFile}: not the key of the certificate in ${certFile}`);
  }
  // A verifier refuses a chain through a certificate without cA, or without keyCertSign when it has a
  // key usage (RFC 5280 §4.2.1.9, §4.2.1.3): issuing from one would make a certificate nobody accepts.
  if (certificate.basicConstraints?.cA !== true) {
    throw new UsageError(`--issuer-cert ${certFile}: not a CA certificate (no basicConstraints cA); make one with tls13 cert --ca`);
  }
  if (certificate.keyUsage && !certificate.keyUsage.includes('keyCertSign')) {
    throw new UsageError(`--issuer-cert ${certFile}: its key usage does not allow signing certificates (no keyCertSign)`);
  }
  return { certificate, privateKey };
}

export const certCommand: Command = {
  name: 'cert',
  summary: 'make a key and a self-signed or CA-issued certificate (PEM files)',
  usage: [`tls13 cert --out-cert FILE --out-key FILE [options]`, `tls13 cert --raw (--out-key FILE [--type T] | --key FILE) [--out-spki FILE]`],
  description: `Makes a private key (PKCS#8 PEM) and an X.509 v3 certificate (PEM), self-signed unless an issuer is given, and prints the certificate's SHA-256 fingerprint and its SPKI pin (sha256/BASE64): what a peer pins with --pin-cert / --pin-spki (connect) or --pin-client-cert / --pin-client-spki (serve).`,
  options: {
    'out-cert': { type: 'string', value: 'FILE', help: `where to write the certificate` },
    'out-key': { type: 'string', value: 'FILE', help: `where to write the private key (mode 0600)` },
    type: { type: 'string', value: 'T', help: `ed25519 (default), ed448, p256, p384, p521, rsa2048, rsa-pss (a 2048-bit RSASSA-PSS key, id-RSASSA-PSS: signs only RSA-PSS, rsa_pss_pss_* in TLS 1.3), or ml-dsa-44, ml-dsa-65, ml-dsa-87 (ML-DSA, RFC 9881; serve and connect need --ml-dsa)` },
    'pss-hash': { type: 'string', value: 'H', help: `with --type rsa-pss: restrict the key to sha256, sha384 or sha512 (RFC 4055 parameters: that hash, MGF1 over it, a salt of at least its length)` },
    cn: { type: 'string', value: 'NAME', help: `subject common name (default: the first --dns name, else "tls13-lab")` },
    dns: { type: 'string', value: 'NAME', multiple: true, help: `a DNS subjectAltName` },
    ip: { type: 'string', value: 'ADDRESS', multiple: true, help: `an IP address subjectAltName` },
    uri: { type: 'string', value: 'URI', multiple: true, help: `a URI subjectAltName, e.g. a SPIFFE ID` },
    eku: { type: 'string', value: 'PURPOSE', multiple: true, help: `serverAuth or clientAuth extended key usage (default: none, any use)` },
    ca: { type: 'boolean', help: `a CA certificate (basicConstraints cA, keyCertSign)` },
    days: { type: 'string', value: 'N', help: `validity in days (default 365)` },
    'issuer-cert': { type: 'string', value: 'FILE', help: `sign with this CA certificate ...` },
    'issuer-key': { type: 'string', value: 'FILE', help: `... and its private key` },
    raw: { type: 'boolean', section: 'Raw public keys (RFC 7250), no certificate:', help: `print the key's SubjectPublicKeyInfo as a PEM "PUBLIC KEY" block (what GnuTLS's --rawpkfile reads) and its SHA-256 pin, for --pin-spki / --pin-client-spki; the key is new (--out-key, --type) or an existing one (--key)` },
    key: { type: 'string', value: 'FILE', help: `with --raw: the existing private key (PKCS#8, SEC1 or PKCS#1; PEM or DER)` },
    'out-spki': { type: 'string', value: 'FILE', help: `with --raw: also write the PUBLIC KEY block to FILE` },
  },

  async run(args, io) {
    if (flag(args, 'raw')) return rawPublicKey(args, io);
    for (const name of ['key', 'out-spki']) if (args.values[name] !== undefined) throw new UsageError(`cert: --${name} goes with --raw`);
    const certFile = required(args, 'out-cert');
    const keyFile = required(args, 'out-key');
    checkOutputs(['--out-cert', certFile], ['--out-key', keyFile]);
    const { type, pssHash } = keyTypeOf(args);
    const days = integer(args, 'days', 1, 36500) ?? 365;
    const dns = list(args, 'dns');
    const ip = list(args, 'ip');
    const uri = list(args, 'uri');
    for (const address of ip) if (!parseIpAddress(address)) throw new UsageError(`--ip ${address}: not an IPv4 or IPv6 address`);
    for (const u of uri) if (!/^[a-z][a-z0-9+.-]*:/i.test(u)) throw new UsageError(`--uri ${u}: not a URI (scheme:...)`);
    const eku = list(args, 'eku');
    for (const purpose of eku) {
      if (!(PURPOSES as readonly string[]).includes(purpose)) throw new UsageError(`--eku ${purpose}: expected ${PURPOSES.join(' or ')}`);
    }
    const isCA = flag(args, 'ca');
    const issuer = issuerOf(args);

    const privateKey = newKey(type, pssHash);
    const now = Date.now();
    const der = buildCertificate(
      {
        subject: { CN: str(args, 'cn') ?? dns[0] ?? 'tls13-lab' },
        ...(issuer ? { issuer: issuer.certificate } : {}),
        publicKey: nobleProvider.publicKeyOf(privateKey),
        signingKey: issuer ? issuer.privateKey : privateKey,
        serial: randomSerial(),
        notBefore: now - CLOCK_SKEW_MS,
        notAfter: now + days * DAY_MS,
        sans: { dns, ip, uri },
        isCA,
        keyUsage: isCA ? ['keyCertSign', 'cRLSign', 'digitalSignature'] : ['digitalSignature'],
        ...(eku.length > 0 ? { extKeyUsage: eku } : {}),
      },
      nobleProvider,
      systemRandom,
    );
    const certificate = parseCertificate(der);
    writeFiles([keyFile, toPem('PRIVATE KEY', encodePkcs8(privateKey, nobleProvider.publicKeyOf(privateKey))), 'secret'], [certFile, toPem('CERTIFICATE', der)]);
    const fingerprint = sha256Fingerprint(der, nobleProvider);
    const pin = sha256Fingerprint(certificate.spki, nobleProvider);
    const sans = [...dns, ...ip, ...uri];
    const out = (line: string) => io.stdout.write(`${line}\n`);
    out(`wrote ${certFile} (certificate) and ${keyFile} (${type} private key)`);
    out(`subject: ${certificate.subject.text}${issuer ? `, issued by ${issuer.certificate.subject.text}` : ', self-signed'}${isCA ? ', CA' : ''}`);
    if (sans.length > 0) out(`subjectAltName: ${sans.join(' ')}`);
    out(`valid until: ${new Date(certificate.notAfter).toISOString()}`);
    out(`certificate sha256: ${fingerprint.hex}`);
    out(`SPKI pin: sha256/${pin.base64}`);
    return 0;
  },
};

/** Flags that only make sense for a certificate. */
const CERTIFICATE_FLAGS = ['out-cert', 'cn', 'dns', 'ip', 'uri', 'eku', 'ca', 'days', 'issuer-cert', 'issuer-key'];

/** `cert --raw`: a new or existing key's SubjectPublicKeyInfo as PEM, and its SHA-256 pin (RFC 7250 trust). */
function rawPublicKey(args: Parsed, io: Io): number {
  for (const name of CERTIFICATE_FLAGS) if (args.values[name] !== undefined) throw new UsageError(`cert: --raw makes no certificate, so --${name} does not apply`);
  const keyFile = str(args, 'key');
  const outKey = str(args, 'out-key');
  if ((keyFile === undefined) === (outKey === undefined)) throw new UsageError('cert --raw: give either --out-key FILE (a new key) or --key FILE (an existing one)');
  for (const name of ['type', 'pss-hash']) {
    if (keyFile !== undefined && args.values[name] !== undefined) throw new UsageError(`cert --raw: --${name} is for a new key (--out-key), not --key`);
  }
  const { type, pssHash } = keyTypeOf(args);
  const privateKey = keyFile === undefined ? newKey(type, pssHash) : loadKey('--key', keyFile);
  const spki = encodeSpki(nobleProvider.publicKeyOf(privateKey));
  const pem = toPem('PUBLIC KEY', spki);
  const outSpki = str(args, 'out-spki');
  checkOutputs(...(outKey === undefined ? [] : [['--out-key', outKey] as const]), ...(outSpki === undefined ? [] : [['--out-spki', outSpki] as const]));
  const files: Array<[string, string, 'secret'?]> = [];
  if (outKey !== undefined) files.push([outKey, toPem('PRIVATE KEY', encodePkcs8(privateKey, nobleProvider.publicKeyOf(privateKey))), 'secret']);
  if (outSpki !== undefined) files.push([outSpki, pem]);
  writeFiles(...files);
  const out = (line: string) => io.stdout.write(`${line}\n`);
  if (outKey !== undefined) out(`wrote ${outKey} (${type} private key)`);
  if (outSpki !== undefined) out(`wrote ${outSpki} (public key)`);
  io.stdout.write(pem);
  const pin = sha256Fingerprint(spki, nobleProvider);
  out(`SPKI sha256: ${pin.hex}`);
  out(`SPKI pin: sha256/${pin.base64}`);
  return 0;
}

/** Before any work: each output a different file (one would overwrite the other), and each writable. */
function checkOutputs(...outputs: ReadonlyArray<readonly [string, string]>): void {
  outputs.forEach(([flagName, file], i) => {
    const same = outputs.slice(0, i).find(([, other]) => resolve(other) === resolve(file));
    if (same) throw new UsageError(`cert: ${same[0]} and ${flagName} are the same file (${file}): one would overwrite the other`);
    checkWritable(flagName, file);
  });
}

/**
 * Writes [file, text, 'secret'?] pairs; a failure is a usage error naming the file. Through writeOutputFile:
 * writeFileSync's mode applies only to a file it creates, so an existing 0644 file kept a private key
 * readable by everyone, and a symbolic link planted at a name (the key's or the certificate's) had its
 * target overwritten.
 */
function writeFiles(...files: Array<[string, string, 'secret'?]>): void {
  for (const [file, text, secret] of files) {
    try {
      writeOutputFile(file, text, secret ? 'private' : 'public');
    } catch (e) {
      throw new UsageError(`cannot write ${file}: ${(e as Error).message}`);
    }
  }
}
