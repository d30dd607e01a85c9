// node dist/scripts/bench/provider-replay.js [--case 'NAME,NAME'] [--seconds N] [--rounds N]
// How much of a handshake is its provider's calls, measured without the engine around them: the calls one real
// handshake makes (recorded, arguments copied) replayed alone, in interleaved slices beside the whole handshake
// (timing.ts), on the CPU clock. Beside the primitive floor (floor.ts) it tells the provider's share of
// "ours / floor" from the engine's: a replay near the floor leaves the rest to the engine, its garbage and its
// caches, not to how the provider calls node:crypto.
//
// The replay makes every call the handshake made, in order, with the same arguments: key-exchange private keys
// as fresh arrays of the same bytes (so a per-array memo misses, as in the real handshake, and hits where the
// real handshake hits: decapsulation with the array its generation returned), hash states and AEAD keys made
// anew and used as the handshake used them, and the handshake's random draws from the system random source
// (the key exchanges' own draws are served from copies of the recorded bytes and so cost no more than a copy).
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { systemRandom } from '../../src/crypto/random.js';
import type { AeadKey, CryptoProvider, HashState, KeyExchange, RandomSource } from '../../src/crypto/provider.js';
import { makeCases, type HandshakeCase } from './cases.js';
import { runMain } from './deadline.js';
import { engineHandshake } from './engine.js';
import { measureFloor } from './floor.js';
import { PROVIDERS } from './run.js';
import { measure, medianCpuPerRound, spread, type Spread } from './timing.js';

/** One recorded call; `slots` holds what earlier replayed calls made (hash states, AEAD keys, private keys). */
type Step = (slots: unknown[]) => void;

export interface Recording {
  /** Provider calls recorded (random draws not counted). */
  calls: number;
  /** Random draws of the handshake, by length. */
  draws: number[];
  /** Every recorded call again, in order, on the base provider; then the draws, from `random`. */
  replay(random: RandomSource): void;
}

const copy = (bytes: Uint8Array) => bytes.slice();

/** A RandomSource handing out copies of `drawn`, in order. */
function replayedDraws(drawn: Uint8Array[]): RandomSource {
  let next = 0;
  return () => copy(drawn[next++ % drawn.length]!);
}

/**
 * Makes a handshake with `makeHandshake` on a provider that forwards every call to `base` and records it (and
 * the random draws from `random`), skips `skip` handshakes, and records the next one: the calls of a typical
 * handshake, not of the first (whose configs, caches and memos are new: a CA policy verifies a leaf's signature
 * at the first meeting only). What the making and the skipped handshakes made and the recorded one uses (a
 * resumption ticket's key) is made once, before the first replay, as the real handshakes made it once.
 */
export function recordProviderCalls(
  base: CryptoProvider,
  random: RandomSource,
  makeHandshake: (provider: CryptoProvider, random: RandomSource) => () => void,
  { skip = 0 }: { skip?: number } = {},
): Recording {
  const steps: Step[] = [];
  const draws: number[] = [];
  let slotCount = 0;
  const newSlot = () => slotCount++;

  const recordedHash = (state: HashState, slot: number): HashState => ({
    update(data) {
      const bytes = copy(data);
      steps.push((slots) => (slots[slot] as HashState).update(bytes));
      state.update(data);
      return this;
    },
    digest(output) {
      steps.push((slots) => (slots[slot] as HashState).digest());
      return state.digest(output);
    },
    clone() {
      const cloneSlot = newSlot();
      steps.push((slots) => (slots[cloneSlot] = (slots[slot] as HashState).clone()));
      return recordedHash(state.clone(), cloneSlot);
    },
  });

  const recordedAead = (key: AeadKey, slot: number): AeadKey => ({
    seal(nonce, aad, plaintext) {
      const args = [copy(nonce), copy(aad), copy(plaintext)] as const;
      steps.push((slots) => (slots[slot] as AeadKey).seal(...args));
      return key.seal(nonce, aad, plaintext);
    },
    ...(key.sealInto && {
      sealInto(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, output: Uint8Array) {
        const args = [copy(nonce), copy(aad), copy(plaintext)] as const;
        const length = output.length;
        steps.push((slots) => (slots[slot] as AeadKey).sealInto!(...args, new Uint8Array(length)));
        key.sealInto!(nonce, aad, plaintext, output);
      },
    }),
    open(nonce, aad, ciphertext) {
      const args = [copy(nonce), copy(aad), copy(ciphertext)] as const;
      steps.push((slots) => (slots[slot] as AeadKey).open(...args));
      return key.open(nonce, aad, ciphertext);
    },
  });

  /** Private keys of this handshake's key shares, by the object generate() returned, and their replay slot. */
  const privateSlots = new Map<unknown, number>();
  const recordedExchange = (exchange: KeyExchange): KeyExchange => ({
    group: exchange.group,
    shareLengths: exchange.shareLengths,
    generate(random) {
      const drawn: Uint8Array[] = [];
      const pair = exchange.generate((length) => {
        const bytes = random(length);
        drawn.push(copy(bytes));
        return bytes;
      });
      const slot = newSlot();
      privateSlots.set(pair.privateKey, slot);
      steps.push((slots) => (slots[slot] = exchange.generate(replayedDraws(drawn)).privateKey));
      return pair;
    },
    encapsulate(clientShare, random) {
      const drawn: Uint8Array[] = [];
      const share = copy(clientShare);
      const result = exchange.encapsulate(clientShare, (length) => {
        const bytes = random(length);
        drawn.push(copy(bytes));
        return bytes;
      });
      steps.push(() => exchange.encapsulate(share, replayedDraws(drawn)));
      return result;
    },
    decapsulate(privateKey, serverShare) {
      const slot = privateSlots.get(privateKey);
      if (slot === undefined) throw new Error('replay: decapsulation with a private key this handshake did not generate');
      const share = copy(serverShare);
      steps.push((slots) => exchange.decapsulate(slots[slot], share));
      return exchange.decapsulate(privateKey, serverShare);
    },
  });

  const exchanges = new Map<string, KeyExchange>();
  const recorder: CryptoProvider = {
    name: `recorded ${base.name}`,
    hashLength: (hash) => base.hashLength(hash),
    aeadKeyLength: (aead) => base.aeadKeyLength(aead),
    hash(hash, data) {
      const bytes = copy(data);
      steps.push(() => base.hash(hash, bytes));
      return base.hash(hash, data);
    },
    createHash(hash) {
      const slot = newSlot();
      steps.push((slots) => (slots[slot] = base.createHash(hash)));
      return recordedHash(base.createHash(hash), slot);
    },
    hmac(hash, key, data, output) {
      const [k, d, length] = [copy(key), copy(data), output?.length];
      steps.push(() => base.hmac(hash, k, d, length === undefined ? undefined : new Uint8Array(length)));
      return base.hmac(hash, key, data, output);
    },
    hkdfExtract(hash, salt, ikm) {
      const [s, i] = [copy(salt), copy(ikm)];
      steps.push(() => base.hkdfExtract(hash, s, i));
      return base.hkdfExtract(hash, salt, ikm);
    },
    hkdfExpand(hash, prk, info, length, output) {
      const [p, i, outputLength] = [copy(prk), copy(info), output?.length];
      steps.push(() => base.hkdfExpand(hash, p, i, length, outputLength === undefined ? undefined : new Uint8Array(outputLength)));
      return base.hkdfExpand(hash, prk, info, length, output);
    },
    createAead(aead, key) {
      const [slot, k] = [newSlot(), copy(key)];
      steps.push((slots) => (slots[slot] = base.createAead(aead, k)));
      return recordedAead(base.createAead(aead, key), slot);
    },
    keyExchange(group) {
      let exchange = exchanges.get(group);
      if (!exchange) exchanges.set(group, (exchange = recordedExchange(base.keyExchange(group))));
      return exchange;
    },
    sign(alg, key, message, random) {
      // An RSA-PSS salt drawn again from copies of what was drawn, as a key exchange's shares are.
      const [m, drawn] = [copy(message), [] as Uint8Array[]];
      const signature = base.sign(alg, key, message, (length) => {
        const bytes = random(length);
        drawn.push(copy(bytes));
        return bytes;
      });
      steps.push(() => base.sign(alg, key, m, replayedDraws(drawn)));
      return signature;
    },
    // With the call's options: `ownKey` lets noble check our own CertificateVerify with the key's table
    // (crypto/own-key-tables.ts), 3-4 times faster than a peer's key; replayed without it, the replay read up to a
    // millisecond more than the handshake spent, and that millisecond came off the engine's overhead.
    verify(alg, key, message, signature, options) {
      const [m, s] = [copy(message), copy(signature)];
      steps.push(() => base.verify(alg, key, m, s, options));
      return base.verify(alg, key, message, signature, options);
    },
    publicKeyOf(key) {
      steps.push(() => base.publicKeyOf(key));
      return base.publicKeyOf(key);
    },
  };
  const handshake = makeHandshake(recorder, (length) => {
    draws.push(length);
    return random(length);
  });
  for (let i = 0; i < skip; i++) handshake();
  const [before, drawsBefore] = [steps.length, draws.length];
  handshake();
  // What existed before the recorded handshake, made again once: its calls are not the handshake's.
  const made: unknown[] = new Array(slotCount);
  for (const step of steps.slice(0, before)) step(made);
  const recorded = steps.slice(before);
  const recordedDraws = draws.slice(drawsBefore);
  return {
    calls: recorded.length,
    draws: recordedDraws,
    replay(replayRandom) {
      const slots = made.slice();
      for (const step of recorded) step(slots);
      for (const length of recordedDraws) replayRandom(length);
    },
  };
}

export interface ReplayRow {
  case: string;
  calls: number;
  /** Per round, the median iteration's CPU ms: the replayed calls, and the whole handshake. */
  providerMs: Spread;
  handshakeMs: Spread;
  /** Per round, whole handshake ÷ replayed calls. */
  ratio: Spread;
  load: number[];
}

export async function measureReplay(c: HandshakeCase, seconds: number, rounds: number): Promise<ReplayRow> {
  const provider = PROVIDERS.node;
  const recording = recordProviderCalls(provider, systemRandom, (recorder, random) => engineHandshake(c, recorder, random), { skip: 1 });
  const whole = engineHandshake(c, provider, systemRandom);
  const [replayed, handshakes] = await measure(seconds, [() => recording.replay(systemRandom), whole], undefined, { row: `provider replay, ${c.name}`, rounds });
  const [providerMs, handshakeMs] = [medianCpuPerRound(replayed!), medianCpuPerRound(handshakes!)];
  return {
    case: c.name,
    calls: recording.calls,
    providerMs: spread(providerMs),
    handshakeMs: spread(handshakeMs),
    ratio: spread(handshakeMs.map((ms, round) => ms / providerMs[round]!)),
    load: loadavg(),
  };
}

const range = (s: Spread, digits = 3) => `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { case: { type: 'string', default: 'ed25519 pinned,mtls ed25519' }, seconds: { type: 'string', default: '6' }, rounds: { type: 'string', default: '9' } } });
  const wanted = values.case.split(',');
  for (const c of makeCases().filter((c) => wanted.includes(c.name))) {
    const loadBefore = loadavg()[0]!;
    const row = await measureReplay(c, Number(values.seconds), Number(values.rounds));
    // The primitive floor of the same case right after, on the same clock (floor.ts; median iteration per step).
    const floor = (await measureFloor({ seconds: Number(values.seconds), clock: 'cpu', filter: c.name })).find((f) => f.name === c.name);
    console.log(
      `${row.case}: ${row.calls} provider calls; replayed alone ${range(row.providerMs)} ms CPU, whole handshake ${range(row.handshakeMs)} ms, ` +
        `whole ÷ replay ${range(row.ratio, 2)} (medians per round, min–max of rounds); primitive floor ${floor ? floor.ms.toFixed(3) : '-'} ms; ` +
        `load ${loadBefore.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runMain(main);
