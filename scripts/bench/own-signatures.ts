// What verifying our own CertificateVerify signature before sending it would cost, per scheme and provider,
// beside one sign and beside one whole handshake (x25519, a pinned certificate, both sides in this process) (docs/security.md, red team session 14). Interleaved rounds
// (sign, verify, handshake, in turn), medians: under load, read the ratios, not the absolute times. "verify" is
// a peer's key (no table), "own" the check the engine makes, with options.ownKey (noble: a cached table).
//   npx esbuild scripts/bench/own-signatures.ts --bundle --platform=node --format=esm --outfile=/tmp/own-signatures.mjs
//   node /tmp/own-signatures.mjs [rounds]
import { generateKeyPair, type GeneratedKeyType } from '../../src/auth/builder.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider, PrivateKey, SignatureAlgorithm } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { rsaTestKey } from '../../src/testing/rsa-keys.js';
import { NamedGroup, SignatureScheme } from '../../src/wire/enums.js';

const rounds = Number(process.argv[2] ?? 40);
if (!Number.isInteger(rounds) || rounds < 1 || process.argv.length > 3) {
  console.error(`own-signatures: usage: node own-signatures.mjs [rounds], rounds a whole number from 1 (got ${process.argv.slice(2).join(' ')})`);
  process.exit(2);
}
const random = seededRandom('own-signatures bench');

interface Row {
  name: string;
  /** The CertificateVerify scheme both sides offer in the handshake column (ML-DSA is not in the default lists). */
  scheme: number;
  keyType?: GeneratedKeyType;
  rsa?: true;
  algorithm: SignatureAlgorithm;
}

const ROWS: Row[] = [
  { name: 'Ed25519', scheme: SignatureScheme.ed25519, keyType: 'ed25519', algorithm: { kind: 'ed25519' } },
  { name: 'Ed448', scheme: SignatureScheme.ed448, keyType: 'ed448', algorithm: { kind: 'ed448' } },
  { name: 'ECDSA P-256', scheme: SignatureScheme.ecdsa_secp256r1_sha256, keyType: 'p256', algorithm: { kind: 'ecdsa', hash: 'sha256' } },
  { name: 'ECDSA P-384', scheme: SignatureScheme.ecdsa_secp384r1_sha384, keyType: 'p384', algorithm: { kind: 'ecdsa', hash: 'sha384' } },
  { name: 'ML-DSA-44', scheme: SignatureScheme.mldsa44, keyType: 'ml-dsa-44', algorithm: { kind: 'ml-dsa', parameterSet: 'ML-DSA-44' } },
  { name: 'ML-DSA-65', scheme: SignatureScheme.mldsa65, keyType: 'ml-dsa-65', algorithm: { kind: 'ml-dsa', parameterSet: 'ML-DSA-65' } },
  { name: 'RSA-2048 PSS', scheme: SignatureScheme.rsa_pss_rsae_sha256, rsa: true, algorithm: { kind: 'rsa-pss', hash: 'sha256', saltLength: 32 } },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function time(f: () => void): number {
  const start = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - start) / 1000;
}

/** One handshake from configs made once per row (the snapshot memos hit, as in a server's steady state). */
function handshakeOf(provider: CryptoProvider, privateKey: PrivateKey, scheme: number): () => void {
  const server = makeIdentity({ subject: { CN: 'bench' }, privateKey }, random, provider);
  const common = { now: () => TEST_NOW, provider, signatureSchemes: [scheme], groups: [NamedGroup.x25519] };
  const client = { ...common, trust: { kind: 'pinned-certificate' as const, certificates: [server.der] }, random: seededRandom('bench client') };
  const serverConfig = { ...common, certificate: server, random: seededRandom('bench server') };
  return () => {
    const pair = new InMemoryPair(client, serverConfig).run();
    if (!pair.client.isConnected) throw new Error('the handshake failed');
  };
}

console.log(`load ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}; ${rounds} rounds; µs medians`);
console.log('provider  scheme          sign    verify     own  handshake  verify/sign  own/sign  verify/handshake  own/handshake');
for (const [providerName, provider] of [['noble', nobleProvider], ['node', nodeCryptoProvider]] as const) {
  for (const row of ROWS) {
    const privateKey = row.rsa ? rsaTestKey(2048) : generateKeyPair(row.keyType!, random, provider).privateKey;
    const publicKey = provider.publicKeyOf(privateKey);
    const message = random(130);
    const signs: number[] = [];
    const verifies: number[] = [];
    const owns: number[] = [];
    const handshakes: number[] = [];
    let signature = provider.sign(row.algorithm, privateKey, message, random);
    const handshake = handshakeOf(provider, privateKey, row.scheme);
    handshake();
    for (let i = 0; i < rounds; i++) {
      signs.push(time(() => (signature = provider.sign(row.algorithm, privateKey, message, random))));
      verifies.push(time(() => {
        if (!provider.verify(row.algorithm, publicKey, message, signature)) throw new Error('does not verify');
      }));
      owns.push(time(() => {
        if (!provider.verify(row.algorithm, publicKey, message, signature, { ownKey: true })) throw new Error('does not verify');
      }));
      handshakes.push(time(handshake));
    }
    const [s, v, o, h] = [median(signs), median(verifies), median(owns), median(handshakes)];
    console.log(
      `${providerName.padEnd(9)} ${row.name.padEnd(14)} ${s.toFixed(0).padStart(6)} ${v.toFixed(0).padStart(8)} ${o.toFixed(0).padStart(7)} ${h.toFixed(0).padStart(10)} ${(v / s).toFixed(2).padStart(12)} ${(o / s).toFixed(2).padStart(9)} ${((100 * v) / h).toFixed(1).padStart(16)}% ${((100 * o) / h).toFixed(1).padStart(13)}%`,
    );
  }
}
