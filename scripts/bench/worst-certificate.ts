// The worst Certificate message a client can send a mutual-TLS server within our limits, and the CPU the
// server spends to reject it with the default (noble) provider. Within the limits means: a message of at
// most DEFAULT_MAX_HANDSHAKE_MESSAGE_LENGTH bytes holding as many certificates as fit (the RFC sets no count),
// RSA keys of at most RSA_MAX_MODULUS_BITS with the costliest exponent node:crypto can make (2^32 - 1;
// our bound, 2^33 - 1, costs one more squaring and multiplication in 32, about 3%).
//
// The attacker holds one such key K and sends a leaf and intermediates that are all named "Evil CA", issued
// by "Evil CA" and signed with K, as many as the message holds. Every intermediate is then a candidate
// issuer of every other, and every signature verifies, so the path builder walks the permutations until
// its signature budget runs out; no anchor ever matches, and the server answers with an alert.
import { generateKeyPairSync } from 'node:crypto';
import { buildCertificate } from '../../src/auth/builder.js';
import { loadPrivateKey } from '../../src/auth/keys.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider, PrivateKey } from '../../src/crypto/provider.js';
import { RSA_MAX_MODULUS_BITS } from '../../src/crypto/rsa.js';
import { systemRandom } from '../../src/crypto/random.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { DEFAULT_MAX_HANDSHAKE_MESSAGE_LENGTH } from '../../src/record/handshake-buffer.js';
import { DAY, makeIdentity, TEST_NOW } from '../../src/testing/certs.js';

/** The goal: CPU to reject the worst certificate message, default provider. */
export const WORST_CERTIFICATE_GOAL_MS = 200;

export interface WorstCertificateReport {
  entries: number;
  certificateMessageBytes: number;
  modulusBits: number;
  publicExponent: string;
  /** What the server answered. */
  alert: string;
  /** Signature verifications the server ran to reach its verdict. */
  signatureChecks: number;
  /** Median CPU time of the server's processing of the attacker's flight, over `runs`. */
  cpuMs: number;
  runs: number;
  cpuMsPerSignatureCheck: number;
  /** The most such signature checks that fit in the goal. */
  signatureBudgetForGoal: number;
  goalMs: number;
  met: boolean;
}

/** Certificate message overhead: 4-byte header, 1-byte context, 3-byte list length, per entry 3 + 2 bytes. */
const messageBytes = (chain: Uint8Array[]) => 4 + 1 + 3 + chain.reduce((sum, c) => sum + c.length + 5, 0);

/** The attacker's chain: one leaf and as many intermediates as fit in the message limit, all under one RSA key. */
export function worstChain(rsa: PrivateKey, leafKey: PrivateKey): Uint8Array[] {
  const publicKey = nodeCryptoProvider.publicKeyOf(rsa);
  const name = { CN: 'Evil CA' };
  const issuer = { name, publicKey };
  const make = (serial: number, isCA: boolean) =>
    buildCertificate(
      {
        subject: name,
        issuer,
        publicKey: isCA ? publicKey : nodeCryptoProvider.publicKeyOf(leafKey),
        signingKey: rsa,
        serial: BigInt(serial),
        notBefore: TEST_NOW - DAY,
        notAfter: TEST_NOW + 30 * DAY,
        isCA,
        signatureAlgorithm: { kind: 'rsa-pss', hash: 'sha256', saltLength: 32 },
      },
      nodeCryptoProvider,
      systemRandom,
    );
  const chain = [make(1, false)];
  for (;;) {
    const next = make(chain.length + 1, true);
    if (messageBytes([...chain, next]) - 4 > DEFAULT_MAX_HANDSHAKE_MESSAGE_LENGTH) return chain;
    chain.push(next);
  }
}

/** A provider that counts signature verifications. */
function counting(provider: CryptoProvider): { provider: CryptoProvider; count: () => number } {
  let verifies = 0;
  return {
    provider: {
      ...provider,
      verify: (...args) => {
        verifies++;
        return provider.verify(...args);
      },
    },
    count: () => verifies,
  };
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * `keyPem`: the attacker's RSA key, e.g. from `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:8192
 * -pkeyopt rsa_keygen_pubexp:8589934591` (e = 2^33 - 1, our bound); default: a fresh node:crypto key.
 */
export function measureWorstCertificate(options: { runs?: number; keyPem?: string; progress?: (line: string) => void } = {}): WorstCertificateReport {
  const { runs = 5, progress = () => {} } = options;
  let pem = options.keyPem;
  if (pem === undefined) {
    progress(`worst certificate: generating a ${RSA_MAX_MODULUS_BITS}-bit RSA key (e = 2^32 - 1) ...`);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: RSA_MAX_MODULUS_BITS, publicExponent: 2 ** 32 - 1 });
    pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  }
  const rsa = loadPrivateKey(pem);
  if (rsa.kind !== 'rsa') throw new TypeError('the worst-certificate key must be an RSA key');
  const attacker = makeIdentity({ subject: { CN: 'mallory' } }, systemRandom);
  const chain = worstChain(rsa, attacker.privateKey);
  const server = makeIdentity({ subject: { CN: 'server' } }, systemRandom);
  const root = makeIdentity({ subject: { CN: 'Victim Root CA' }, isCA: true }, systemRandom);
  const samples: number[] = [];
  let checks = 0;
  let alert = '';
  for (let i = 0; i < runs; i++) {
    const meter = counting(nobleProvider);
    const pair = new InMemoryPair(
      { trust: { kind: 'pinned-certificate', certificates: [server.der] }, certificate: { chain, privateKey: attacker.privateKey }, now: () => TEST_NOW },
      { certificate: server, clientAuth: 'require', trust: { kind: 'ca', anchors: [root.der] }, provider: meter.provider, now: () => TEST_NOW },
    );
    pair.step('client');
    pair.step('server');
    const before = meter.count();
    const start = cpuMs();
    pair.step('client'); // the attacker's Certificate, CertificateVerify and Finished
    samples.push(cpuMs() - start);
    checks = meter.count() - before;
    const sent = pair.events('server').find((e) => e.type === 'alert' && e.direction === 'out');
    alert = sent?.type === 'alert' ? sent.description : 'none';
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)]!;
  const perCheck = median / Math.max(checks, 1);
  const report: WorstCertificateReport = {
    entries: chain.length,
    certificateMessageBytes: messageBytes(chain),
    modulusBits: rsa.n.toString(2).length,
    publicExponent: rsa.e === (1n << 33n) - 1n ? '2^33 - 1' : rsa.e === (1n << 32n) - 1n ? '2^32 - 1' : rsa.e.toString(),
    alert,
    signatureChecks: checks,
    cpuMs: median,
    runs,
    cpuMsPerSignatureCheck: perCheck,
    signatureBudgetForGoal: Math.floor(WORST_CERTIFICATE_GOAL_MS / perCheck),
    goalMs: WORST_CERTIFICATE_GOAL_MS,
    met: median <= WORST_CERTIFICATE_GOAL_MS,
  };
  progress(`worst certificate: ${report.signatureChecks} signature checks, ${median.toFixed(0)} ms CPU to reject (${alert})`);
  return report;
}
