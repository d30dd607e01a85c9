// node dist/scripts/bench/bulk-floor.js [--seconds N] [--rounds N] [--suites a,b]
// Can a JavaScript caller of node:crypto move 16 KiB records as fast as node:tls at all? Per suite, in
// interleaved slices on the CPU clock (timing.ts), 64 records each:
//   floor     the least node:crypto work one record needs from JavaScript, written out with nothing else:
//             createCipheriv (raw key Buffer, a 12-byte IV outside the V8 heap, made once) + setAAD + update
//             + final + getAuthTag, then createDecipheriv + setAuthTag + setAAD + update + final, every
//             argument made once up front, every result a fresh Buffer (node:crypto has no call that writes
//             into the caller's memory, and a Cipheriv takes no new IV after final(): one per record);
//   floor, KeyObject   the same with a secret KeyObject made once instead of the raw key;
//   provider  the node provider's bare AEAD as the bench measures it (`rawAeadRoundTrip`: sealInto one
//             reused array, open);
//   node:tls  16 KiB writes from a TLSSocket to its peer over a duplexPair, as the bench's bulk reference.
// Printed: CPU µs per record (typical: the median iteration of each slice) and the per-round ratios of each
// contender's rate to node:tls's, median (quartiles; range). A floor below node:tls means no record layer over
// node:crypto can reach node:tls's bulk rate on this Node. WebCrypto (`crypto.subtle`) is not a contender: its
// calls return promises, and the engine's core is synchronous.
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type CipherGCMTypes, type KeyObject } from 'node:crypto';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { AEAD_TAG_LENGTHS, type AeadName } from '../../src/crypto/provider.js';
import { systemRandom } from '../../src/crypto/random.js';
import { SUITES } from '../../src/handshake/suites.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { makeCases } from './cases.js';
import { runMain } from './deadline.js';
import { RECORD_PAYLOAD, rawAeadRoundTrip } from './engine.js';
import { nodeTlsTransfer } from './node-tls.js';
import { measure, perCpuSecond, showQuartiles as show, sliceRatios, spread, typicalSlices, type Slice } from './timing.js';

const RECORDS = 64;
/** RFC 8446 §5.2: a full record's AEAD input is the payload and its content type byte; the header is the AAD. */
const INNER_PLAINTEXT = RECORD_PAYLOAD + 1;

const CIPHERS: Readonly<Record<AeadName, { cipher: string; keyLength: number }>> = {
  'AES-128-GCM': { cipher: 'aes-128-gcm', keyLength: 16 },
  'AES-256-GCM': { cipher: 'aes-256-gcm', keyLength: 32 },
  'ChaCha20-Poly1305': { cipher: 'chacha20-poly1305', keyLength: 32 },
  'AES-128-CCM': { cipher: 'aes-128-ccm', keyLength: 16 },
  'AES-128-CCM-8': { cipher: 'aes-128-ccm', keyLength: 16 },
};

/** `records` seals and opens of one full record with node:crypto's calls and nothing else. */
function nodeCryptoFloor(aead: AeadName, keyKind: 'raw' | 'KeyObject', records: number): () => void {
  const { cipher, keyLength } = CIPHERS[aead];
  const name = cipher as CipherGCMTypes; // picks the overload with optional options; CCM gets its options below
  const tagLength = AEAD_TAG_LENGTHS[aead];
  const rawKey = randomBytes(keyLength);
  const key: Buffer | KeyObject = keyKind === 'raw' ? rawKey : createSecretKey(rawKey);
  const iv = new Uint8Array(new ArrayBuffer(12));
  iv.set(randomBytes(12));
  const aad = randomBytes(5);
  const plaintext = randomBytes(INNER_PLAINTEXT);
  const ccm = cipher === 'aes-128-ccm';
  const options = { authTagLength: tagLength };
  const cipherOptions = ccm ? options : undefined;
  const lengthOption = ccm ? { plaintextLength: INNER_PLAINTEXT } : undefined;
  return () => {
    for (let i = 0; i < records; i++) {
      const sealer = createCipheriv(name, key, iv, cipherOptions).setAAD(aad, lengthOption);
      const body = sealer.update(plaintext);
      sealer.final();
      const tag = sealer.getAuthTag();
      const opener = createDecipheriv(name, key, iv, options).setAuthTag(tag).setAAD(aad, lengthOption);
      const opened = opener.update(body);
      opener.final();
      if (opened.length !== INNER_PLAINTEXT) throw new Error(`${aead}: opened ${opened.length} bytes`);
    }
  };
}


async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { seconds: { type: 'string', default: '4' }, rounds: { type: 'string', default: '20' }, suites: { type: 'string', default: '' } },
  });
  if (!(Number(values.seconds) > 0) || !(Number.isInteger(Number(values.rounds)) && Number(values.rounds) >= 1)) {
    console.error('usage: node dist/scripts/bench/bulk-floor.js [--seconds N] [--rounds N] [--suites a,b]');
    process.exitCode = 2;
    return;
  }
  console.log(`node ${process.version}, OpenSSL ${process.versions.openssl}`);
  const c = makeCases()[0]!;
  const wanted = values.suites === '' ? undefined : values.suites.split(',');
  const names = ['floor', 'floor, KeyObject', 'provider', 'node:tls'];
  for (const suite of SUITES.values()) {
    if (wanted && !wanted.includes(suite.name)) continue;
    const nodeTls = await nodeTlsTransfer(c, suite.name, RECORD_PAYLOAD, RECORDS).catch((e: unknown) => {
      // Node 26's OpenSSL 3.5 offers no TLS_AES_128_CCM_8_SHA256 by default.
      if ((e as { code?: unknown }).code === 'ERR_SSL_NO_CIPHERS_AVAILABLE') return undefined;
      throw e;
    });
    if (nodeTls === undefined) {
      console.log(`${suite.name}: node:tls on node ${process.version} does not offer it`);
      continue;
    }
    const operations = [
      nodeCryptoFloor(suite.aead, 'raw', RECORDS),
      nodeCryptoFloor(suite.aead, 'KeyObject', RECORDS),
      rawAeadRoundTrip(suite.aead, nodeCryptoProvider, systemRandom, RECORDS),
      nodeTls,
    ];
    const loadBefore = loadavg()[0]!;
    const measured = await measure(Number(values.seconds), operations, undefined, { row: `bulk floor, ${suite.name}`, rounds: Number(values.rounds) });
    const typical = measured.map(typicalSlices);
    const nodeTlsTypical = typical[names.indexOf('node:tls')]!;
    const microseconds = (slices: Slice[]) => spread(slices.map((s) => 1e6 / (perCpuSecond(s) * RECORDS))).median.toFixed(1);
    console.log(
      `${suite.name}: CPU µs per record (typical) ${names.map((name, i) => `${name} ${microseconds(typical[i]!)}`).join(', ')} | ` +
        `rounds ${typical[0]!.length} | load ${loadBefore.toFixed(2)}-${loadavg()[0]!.toFixed(2)}`,
    );
    console.log(
      `  ÷ node:tls (rate, typical): ${names.slice(0, -1).map((name, i) => `${name} ${show(sliceRatios(typical[i]!, nodeTlsTypical, perCpuSecond))}`).join(' | ')}`,
    );
    const wholeTls = measured[names.indexOf('node:tls')]!.slices;
    console.log(
      `  ÷ node:tls (rate, whole slices): ${names.slice(0, -1).map((name, i) => `${name} ${show(sliceRatios(measured[i]!.slices, wholeTls, perCpuSecond))}`).join(' | ')}`,
    );
  }
  process.exit(0);
}

await runMain(main);
