// What ML-DSA authentication costs (docs/ml-dsa.md): sign and verify of each parameter set beside Ed25519
// (noble, which both providers use for ML-DSA), and a whole in-memory handshake with an Ed25519 certificate
// against one with an ML-DSA certificate (server authentication under a CA of the same kind; the client's
// CPU and the server's together), with the bytes of the server's Certificate and CertificateVerify.
// Interleaved slices (timing.ts): medians of per-iteration CPU time, and the ratio to Ed25519 per round.
// Run: npm run build && node dist/scripts/bench/ml-dsa.js [seconds per row, default 4]
import { loadavg } from 'node:os';
import { generateKeyPair, type GeneratedKeyType } from '../../src/auth/builder.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { SignatureAlgorithm } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { DEFAULT_SIGNATURE_SCHEMES } from '../../src/handshake/config.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { SignatureScheme } from '../../src/wire/enums.js';
import { measure, median, spread, typicalRoundRatios, type Measurement } from './timing.js';

const seconds = Number(process.argv[2] ?? 4);
const random = seededRandom('ml-dsa bench');
const message = new Uint8Array(130).fill(0x20); // a CertificateVerify content with a SHA-256 transcript hash
const SCHEMES = [SignatureScheme.mldsa44, SignatureScheme.mldsa65, SignatureScheme.mldsa87, ...DEFAULT_SIGNATURE_SCHEMES];

const KINDS: Array<{ name: string; type: GeneratedKeyType; alg: SignatureAlgorithm }> = [
  { name: 'Ed25519', type: 'ed25519', alg: { kind: 'ed25519' } },
  { name: 'ML-DSA-44', type: 'ml-dsa-44', alg: { kind: 'ml-dsa', parameterSet: 'ML-DSA-44' } },
  { name: 'ML-DSA-65', type: 'ml-dsa-65', alg: { kind: 'ml-dsa', parameterSet: 'ML-DSA-65' } },
  { name: 'ML-DSA-87', type: 'ml-dsa-87', alg: { kind: 'ml-dsa', parameterSet: 'ML-DSA-87' } },
];

const µs = (m: Measurement) => (median(m.cpuSamplesMs) * 1000).toFixed(0);
const cpuRange = (m: Measurement) => {
  const s = spread(m.slices.map((slice) => (slice.cpuMs / slice.iterations) * 1000));
  return `${s.min.toFixed(0)}-${s.max.toFixed(0)}`;
};

async function primitives(): Promise<void> {
  const keys = KINDS.map(({ type }) => generateKeyPair(type, random, nobleProvider));
  const signatures = KINDS.map(({ alg }, i) => nobleProvider.sign(alg, keys[i]!.privateKey, message, random));
  const sign = await measure(seconds, KINDS.map(({ alg }, i) => () => void nobleProvider.sign(alg, keys[i]!.privateKey, message, random)), undefined, { row: 'sign' });
  const verify = await measure(seconds, KINDS.map(({ alg }, i) => () => void nobleProvider.verify(alg, keys[i]!.publicKey, message, signatures[i]!)), undefined, { row: 'verify' });
  console.log('| key | signature bytes | sign µs (median; slice means) | verify µs (median; slice means) |');
  console.log('|---|---|---|---|');
  KINDS.forEach(({ name }, i) => console.log(`| ${name} | ${signatures[i]!.length} | ${µs(sign[i]!)} (${cpuRange(sign[i]!)}) | ${µs(verify[i]!)} (${cpuRange(verify[i]!)}) |`));
}

async function handshakes(): Promise<void> {
  const rows = KINDS.map(({ name, type }) => {
    const ca = makeIdentity({ subject: { CN: `${name} CA` }, isCA: true, keyType: type }, random);
    const server = makeIdentity({ subject: { CN: 'server.example' }, sans: { dns: ['server.example'] }, extKeyUsage: ['serverAuth'], keyType: type, issuer: ca, serial: 2n }, random);
    const run = () =>
      new InMemoryPair(
        { now: () => TEST_NOW, random, serverName: 'server.example', trust: { kind: 'ca', anchors: [ca.der] }, signatureSchemes: SCHEMES },
        { now: () => TEST_NOW, random, certificate: server, signatureSchemes: SCHEMES },
      ).run();
    const pair = run();
    if (!pair.client.isConnected) throw new Error(`${name}: the handshake failed`);
    const bytes = pair
      .events('client')
      .flatMap((e) => (e.type === 'handshake-message' && e.direction === 'in' && (e.message.kind === 'certificate' || e.message.kind === 'certificate_verify') ? [e.raw.length] : []))
      .reduce((a, b) => a + b, 0);
    return { name, run, bytes, scheme: pair.client.info.signatureScheme };
  });
  const results = await measure(seconds, rows.map(({ run }) => () => void run()), undefined, { row: 'handshake' });
  console.log('| server certificate (CA of the same kind) | scheme | Certificate + CertificateVerify bytes | handshake CPU ms (median; slice means) | cost / Ed25519 (median, range of rounds) |');
  console.log('|---|---|---|---|---|');
  rows.forEach(({ name, bytes, scheme }, i) => {
    const ratio = typicalRoundRatios(results[0]!, results[i]!);
    const ms = results[i]!.slices.map((s) => s.cpuMs / s.iterations);
    console.log(`| ${name} | ${scheme} | ${bytes} | ${median(results[i]!.cpuSamplesMs).toFixed(2)} (${Math.min(...ms).toFixed(2)}-${Math.max(...ms).toFixed(2)}) | ${ratio.median.toFixed(2)}x (${ratio.min.toFixed(2)}-${ratio.max.toFixed(2)}) |`);
  });
}

console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}; Node ${process.version}; ${seconds} s a table row set`);
await primitives();
console.log();
await handshakes();
console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
