// The primitive floor of a handshake: the node:crypto calls that one 1-RTT handshake (client and server,
// TLS_AES_128_GCM_SHA256, x25519) cannot do without, each made the cheapest way node:crypto offers
// (KeyObjects imported once, raw key buffers, one HMAC per HKDF step, each HMAC two one-shot hashes as the node
// provider makes it: src/node/hmac.ts, ~3x cheaper than a createHmac on Node 20), timed, and summed per case. Next to
// the time our handshakes spend inside the node provider's primitives, it says how much of that time a
// better provider could still win; next to the handshake's own time, how much the engine adds.
//
// What a handshake needs, per RFC 8446 (both sides together):
// - x25519 (§7.4.2): each side makes a key pair and sends its public value, imports the peer's value and
//   derives the secret: 2 key pairs, 2 agreements;
// - the key schedule (§7.1): per side 3 HKDF-Extract (early, handshake, master secret) and 18 HKDF-Expand
//   (8 Derive-Secret: 2 "derived", 2 handshake and 2 application traffic secrets, exporter and resumption
//   master secret; 8 traffic keys and IVs; 2 finished keys), 2 HMAC for Finished (§4.4.4: its own, and the
//   peer's to compare);
// - the transcript (§4.4.1): one running SHA-256 per side over every handshake message, read out 5 times
//   (7 for the side that sends or checks a client CertificateVerify);
// - CertificateVerify (§4.4.3): one signature per authenticating side, one verification on the other side
//   (with the pinned or cached peer key already imported); a CA-issued leaf costs one verification more;
// - the encrypted flights: the server's EncryptedExtensions..Finished and the client's (Certificate,
//   CertificateVerify,) Finished, each sealed as one record and opened once;
// - 32 random bytes for each Hello's random and the client's legacy_session_id (x25519 keys draw their own).
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  randomBytes,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { loadavg } from 'node:os';
import { encodePkcs8 } from '../../src/auth/keys.js';
import type { PrivateKey } from '../../src/crypto/provider.js';
import { OneShotHmac } from '../../src/node/hmac.js';
import type { Identity } from '../../src/testing/certs.js';
import { makeCases, type HandshakeCase } from './cases.js';
import { table } from './report.js';
import type { ClockName, HandshakeRow } from './run.js';
import { measure, median, type Operation } from './timing.js';

/** One kind of primitive call, as often as one handshake makes it, at its cheapest. */
interface FloorStep {
  name: string;
  calls: number;
  run: Operation;
  /** The peer's verification of each CertificateVerify: the same calls as our own check of what we sign. */
  mirrorsOwnSignatureCheck?: true;
}

export interface FloorPart {
  name: string;
  calls: number;
  /**
   * Milliseconds for all `calls` of one handshake on the report's clock: the median iteration, as the floor
   * is each call at its best (a median shrugs off the iterations another process or a collection interrupted).
   */
  ms: number;
}

export interface FloorRow {
  name: string;
  ms: number;
  parts: FloorPart[];
  /**
   * What the floor leaves out and our engine makes by design: one verification of each CertificateVerify we sign,
   * before it leaves (docs/security.md "Our own signature is verified before it is sent"): as many verifications as
   * the floor's own `verify` step, so its time. Shown beside the floor, never inside it.
   */
  ownSignatureChecksMs: number;
  /** The 1-minute load average when the row was measured. */
  loadAverage: number;
}

/** The cases the floor knows how to describe: certificate handshakes over x25519, no resumption. */
function describable(c: HandshakeCase): boolean {
  return c.variant === undefined && c.group === undefined;
}

/** About the lengths of the handshake messages as they go into the transcript and the flights (with their 4-byte headers). */
const MESSAGE_BYTES = { clientHello: 240, serverHello: 90, encryptedExtensions: 10, certificateRequest: 40, finished: 36 };

/** Certificate (§4.4.2): header, empty context, list length, one entry (length, DER, no extensions). */
const certificateBytes = (identity: Identity) => 4 + 1 + 3 + 3 + identity.der.length + 2;

/** CertificateVerify (§4.4.3): header, scheme, length, the signature (a DER ECDSA P-256 signature is at most 72 bytes). */
function certificateVerifyBytes(identity: Identity): number {
  const key = identity.privateKey;
  const signature = key.kind === 'ed25519' ? 64 : key.kind === 'ecdsa' ? 72 : key.kind === 'rsa' || key.kind === 'rsa-pss' ? (key.n.toString(2).length + 7) >> 3 : 114;
  return 4 + 2 + 2 + signature;
}

/** The node:crypto form of a signing key's CertificateVerify algorithm (RFC 8446 §4.2.3), and a verifying KeyObject. */
function signer(key: PrivateKey): { hash: 'sha256' | null; options: object; privateKey: KeyObject; publicKey: KeyObject } {
  const privateKey = createPrivateKey({ key: Buffer.from(encodePkcs8(key)), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey);
  switch (key.kind) {
    case 'ed25519':
      return { hash: null, options: {}, privateKey, publicKey };
    case 'ecdsa':
      return { hash: 'sha256', options: { dsaEncoding: 'der' }, privateKey, publicKey };
    case 'rsa':
    case 'rsa-pss':
      return { hash: 'sha256', options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, privateKey, publicKey };
    default:
      throw new Error(`no floor for ${key.kind} keys`);
  }
}

/** The signed content of a CertificateVerify (§4.4.3): 64 spaces, a context string, a zero byte, a SHA-256 hash. */
const SIGNED_CONTENT = Buffer.concat([Buffer.alloc(64, 0x20), Buffer.from('TLS 1.3, server CertificateVerify\0'), randomBytes(32)]);

function repeat(calls: number, once: () => unknown): Operation {
  return () => {
    for (let i = 0; i < calls; i++) once();
  };
}

function certificateVerifySteps(authenticating: Identity[], extraVerifies: number): FloorStep[] {
  const keys = authenticating.map((identity) => signer(identity.privateKey));
  const signatures = keys.map((k) => sign(k.hash, SIGNED_CONTENT, { key: k.privateKey, ...k.options }));
  const algorithms = [...new Set(authenticating.map((identity) => identity.privateKey.kind))].join('+');
  return [
    { name: `sign ${algorithms}`, calls: keys.length, run: () => keys.forEach((k) => sign(k.hash, SIGNED_CONTENT, { key: k.privateKey, ...k.options })) },
    {
      name: `verify ${algorithms}`,
      calls: keys.length,
      mirrorsOwnSignatureCheck: true,
      run: () => keys.forEach((k, i) => verify(k.hash, SIGNED_CONTENT, { key: k.publicKey, ...k.options }, signatures[i]!)),
    },
    ...(extraVerifies > 0 ? [chainVerifyStep(extraVerifies)] : []),
  ];
}

/** The CA's signature on the leaf (an Ed25519 CA in the bench's CA case), over a certificate-sized message. */
function chainVerifyStep(calls: number): FloorStep {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const tbs = randomBytes(300);
  const signature = sign(null, tbs, privateKey);
  return { name: 'verify ed25519 (chain)', calls, run: repeat(calls, () => verify(null, tbs, publicKey, signature)) };
}

/** Every primitive one handshake of `c` needs, at its cheapest. */
function floorSteps(c: HandshakeCase): FloorStep[] {
  const client = c.clientIdentity;
  const mutual = client !== undefined;
  const serverFlight =
    MESSAGE_BYTES.encryptedExtensions + (mutual ? MESSAGE_BYTES.certificateRequest : 0) + certificateBytes(c.serverIdentity) + certificateVerifyBytes(c.serverIdentity) + MESSAGE_BYTES.finished;
  const clientFlight = MESSAGE_BYTES.finished + (client ? certificateBytes(client) + certificateVerifyBytes(client) : 0);
  const transcript = [MESSAGE_BYTES.clientHello, MESSAGE_BYTES.serverHello, serverFlight, clientFlight].map((n) => randomBytes(n));

  const peerPublic = (generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' }) as { x: string }).x;
  const ownKey = generateKeyPairSync('x25519').privateKey;

  const prk = randomBytes(32);
  const hmac = new OneShotHmac();
  const labelInfo = randomBytes(2 + 1 + 6 + 12 + 1 + 32); // HkdfLabel with a 12-byte label and a SHA-256 context
  const key = randomBytes(16);
  const iv = randomBytes(12);
  const aad = randomBytes(5);
  const records = [serverFlight + 1, clientFlight + 1].map((n) => randomBytes(n));
  const sealed = records.map((r) => {
    const cipher = createCipheriv('aes-128-gcm', key, iv);
    cipher.setAAD(aad);
    return Buffer.concat([cipher.update(r), cipher.final(), cipher.getAuthTag()]);
  });
  const digests = mutual ? 12 : 10;

  return [
    {
      name: 'x25519 key pair',
      calls: 2,
      run: repeat(2, () => (generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' }) as { x: string }).x),
    },
    {
      name: 'x25519 agree',
      calls: 2,
      run: repeat(2, () => diffieHellman({ privateKey: ownKey, publicKey: createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: peerPublic }, format: 'jwk' }) })),
    },
    ...certificateVerifySteps(client ? [c.serverIdentity, client] : [c.serverIdentity], c.trust.kind === 'ca' ? 1 : 0),
    // Per side: 8 Derive-Secrets and 2 finished keys, and the key and IV of the 2 record protections a handshake without
    // application data uses (src/record/protection.ts derives a protection's keys at its first record).
    { name: 'hkdf expand', calls: 28, run: repeat(28, () => hmac.compute('sha256', prk, labelInfo, undefined, 1)) },
    { name: 'hkdf extract', calls: 6, run: repeat(6, () => hmac.compute('sha256', prk, prk)) },
    { name: 'hmac (finished)', calls: 4, run: repeat(4, () => hmac.compute('sha256', prk, labelInfo.subarray(0, 32))) },
    {
      name: 'transcript hash',
      calls: digests,
      run: () => {
        for (let side = 0; side < 2; side++) {
          const state = createHash('sha256');
          for (let m = 0; m < transcript.length; m++) {
            state.update(transcript[m]!);
            // Read out after ServerHello, the server's flight (about three times) and the client's flight.
            for (let r = 0; r < (m === 2 ? 3 : m === 0 ? 0 : 1) + (m === 3 && mutual ? 1 : 0); r++) state.copy().digest();
          }
        }
      },
    },
    {
      name: 'aead seal+open (2 flights)',
      calls: 4,
      run: () => {
        records.forEach((record, i) => {
          const cipher = createCipheriv('aes-128-gcm', key, iv);
          cipher.setAAD(aad);
          cipher.update(record);
          cipher.final();
          cipher.getAuthTag();
          const body = sealed[i]!;
          const decipher = createDecipheriv('aes-128-gcm', key, iv);
          decipher.setAuthTag(body.subarray(body.length - 16));
          decipher.setAAD(aad);
          decipher.update(body.subarray(0, body.length - 16));
          decipher.final();
        });
      },
    },
    { name: 'random', calls: 3, run: repeat(3, () => randomBytes(32)) },
  ];
}

/** Each case's floor, its steps measured in interleaved slices of `seconds` in all per step. */
export async function measureFloor(options: { seconds: number; clock: ClockName; filter?: string; progress?: (line: string) => void }): Promise<FloorRow[]> {
  const progress = options.progress ?? (() => {});
  const cases = makeCases((name) => name.includes(options.filter ?? '')).filter(describable);
  const rows: FloorRow[] = [];
  for (const c of cases) {
    const steps = floorSteps(c);
    const measurements = await measure(options.seconds, steps.map((s) => s.run), undefined, { row: `primitive floor, ${c.name}` });
    const parts = steps.map((s, i): FloorPart => {
      const m = measurements[i]!;
      return { name: s.name, calls: s.calls, ms: median(options.clock === 'cpu' ? m.cpuSamplesMs : m.samplesMs) };
    });
    const ms = parts.reduce((sum, p) => sum + p.ms, 0);
    const ownSignatureChecksMs = parts.reduce((sum, p, i) => sum + (steps[i]!.mirrorsOwnSignatureCheck ? p.ms : 0), 0);
    progress(`floor ${c.name}: ${ms.toFixed(3)} ms (our own signature checks ${ownSignatureChecksMs.toFixed(3)} ms more)`);
    rows.push({ name: c.name, ms, parts, ownSignatureChecksMs, loadAverage: loadavg()[0]! });
  }
  return rows;
}

/**
 * The floor per case beside our node-provider handshake's primitives and its whole handshake, on one clock.
 * The floor sums each step's median iteration in a warm loop; ours are given on the same footing: the median
 * replay of one handshake's provider calls (the overhead's pairs, on the same clock), and the median handshake of
 * our engine alone in its process (the handshake rows' method), with the handshake's mean beside it.
 */
export function renderFloor(rows: FloorRow[], handshakes: HandshakeRow[], clock: ClockName): string {
  const ours = (name: string) => handshakes.find((h) => h.name === name)?.runs.find((r) => r.provider === 'node');
  const lines = [
    `Primitive floor per handshake (client + server): the node:crypto calls one handshake needs, each at its cheapest, ` +
      `median ms on the ${clock} clock; beside it the node provider's calls of one of our handshakes replayed alone (median) and our whole handshake, ` +
      `median and mean (${clock} clock); ours / floor compares medians. Our engine also verifies each CertificateVerify it signs before ` +
      `sending it (docs/security.md), calls the floor leaves out: "own checks ms" is their cost, and the last ratio adds it to the floor:`,
    '',
    table(
      ['case', 'floor ms', 'node primitives ms', 'primitives / floor', 'ours median ms', 'ours mean ms', 'ours / floor', 'own checks ms', 'ours / (floor + checks)', 'load'],
      rows.map((row) => {
        const run = ours(row.name);
        const primitives = run?.paired.medianPrimitivesMs;
        const typical = run ? (clock === 'cpu' ? run.engine.medianCpuMs : run.engine.medianMs) : undefined;
        const whole = run ? (clock === 'cpu' ? run.engine.cpuMsEach : run.engine.msEach) : undefined;
        return [
          row.name,
          row.ms,
          primitives ?? '-',
          primitives === undefined ? '-' : primitives / row.ms,
          typical ?? '-',
          whole ?? '-',
          typical === undefined ? '-' : typical / row.ms,
          row.ownSignatureChecksMs,
          typical === undefined ? '-' : typical / (row.ms + row.ownSignatureChecksMs),
          row.loadAverage,
        ];
      }),
      3,
    ),
    '',
    ...rows.map((row) => `${row.name}: ${row.parts.map((p) => `${p.name} ${p.calls} (${p.ms.toFixed(3)})`).join('; ')}`),
    '',
  ];
  return lines.join('\n');
}
