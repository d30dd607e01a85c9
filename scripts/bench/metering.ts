// A metering CryptoProvider: every call goes to the real provider, and its count and elapsed time (on a
// clock of the caller's choice: CPU time or performance.now()) go to a tally, per primitive. Hash states and AEAD keys it hands out are metered too,
// so a handshake run with it tells how much of its time is spent inside primitives.
import type {
  AeadKey,
  CryptoProvider,
  GroupName,
  HashState,
  KeyExchange,
  RandomSource,
  SignatureAlgorithm,
} from '../../src/crypto/provider.js';

export interface PrimitiveCost {
  calls: number;
  /** Calls that were timed: all but those nested in another primitive. */
  timedCalls: number;
  ms: number;
}

/** Counts and times per primitive name. Only outermost calls are timed (see `measure`). */
export class Tally {
  readonly primitives = new Map<string, PrimitiveCost>();
  /** Time inside primitives; nested calls are not counted twice. */
  totalMs = 0;
  timedCalls = 0;
  private depth = 0;

  /** `clock` reads milliseconds. */
  constructor(private readonly clock: () => number) {}

  /**
   * Runs `fn` as primitive `name`. A primitive that calls another metered one (key generation and RSA-PSS
   * signing draw from the metered RandomSource) counts the inner call but keeps its time in the outer one.
   */
  measure<T>(name: string, fn: () => T): T {
    let cost = this.primitives.get(name);
    if (!cost) this.primitives.set(name, (cost = { calls: 0, timedCalls: 0, ms: 0 }));
    cost.calls++;
    if (this.depth > 0) return fn();
    cost.timedCalls++;
    this.timedCalls++;
    this.depth++;
    const start = this.clock();
    try {
      return fn();
    } finally {
      const elapsed = this.clock() - start;
      this.depth--;
      cost.ms += elapsed;
      this.totalMs += elapsed;
    }
  }

  reset(): void {
    this.primitives.clear();
    this.totalMs = 0;
    this.timedCalls = 0;
  }
}

/**
 * What metering adds to each measured call on this clock: the part of reading the clock that falls between
 * the two reads. It is what an empty primitive measures as; the bench subtracts it per call.
 */
export function meteringBiasMs(clock: () => number, calls = 20_000): number {
  const tally = new Tally(clock);
  for (let i = 0; i < calls; i++) tally.measure('empty', () => undefined);
  return tally.totalMs / calls;
}

function signatureName(alg: SignatureAlgorithm): string {
  return 'hash' in alg ? `${alg.kind} ${alg.hash}` : alg.kind;
}

class MeteredHashState implements HashState {
  constructor(
    private readonly inner: HashState,
    private readonly tally: Tally,
  ) {}
  update(data: Uint8Array): this {
    this.tally.measure('hash update', () => this.inner.update(data));
    return this;
  }
  digest(output?: Uint8Array): Uint8Array {
    return this.tally.measure('hash digest', () => this.inner.digest(output));
  }
  clone(): HashState {
    return new MeteredHashState(
      this.tally.measure('hash clone', () => this.inner.clone()),
      this.tally,
    );
  }
}

function meteredAead(inner: AeadKey, tally: Tally): AeadKey {
  return {
    seal: (nonce, aad, plaintext) => tally.measure('aead seal', () => inner.seal(nonce, aad, plaintext)),
    ...(inner.sealInto && { sealInto: (nonce, aad, plaintext, output) => tally.measure('aead seal', () => inner.sealInto!(nonce, aad, plaintext, output)) }),
    open: (nonce, aad, ciphertext) => tally.measure('aead open', () => inner.open(nonce, aad, ciphertext)),
  };
}

function meteredKeyExchange(inner: KeyExchange, tally: Tally): KeyExchange {
  const group = inner.group;
  return {
    group,
    shareLengths: inner.shareLengths,
    generate: (random) => tally.measure(`${group} generate`, () => inner.generate(random)),
    encapsulate: (clientShare, random) => tally.measure(`${group} encapsulate`, () => inner.encapsulate(clientShare, random)),
    decapsulate: (privateKey, serverShare) => tally.measure(`${group} decapsulate`, () => inner.decapsulate(privateKey, serverShare)),
  };
}

/** `base` with every primitive call counted and timed in `tally`. Length lookups pass through unmetered. */
export function meteredProvider(base: CryptoProvider, tally: Tally): CryptoProvider {
  const exchanges = new Map<GroupName, KeyExchange>();
  return {
    name: `metered ${base.name}`,
    hashLength: (hash) => base.hashLength(hash),
    aeadKeyLength: (aead) => base.aeadKeyLength(aead),
    hash: (hash, data) => tally.measure('hash one-shot', () => base.hash(hash, data)),
    createHash: (hash) => new MeteredHashState(tally.measure('hash create', () => base.createHash(hash)), tally),
    hmac: (hash, key, data, output) => tally.measure('hmac', () => base.hmac(hash, key, data, output)),
    hkdfExtract: (hash, salt, ikm) => tally.measure('hkdf extract', () => base.hkdfExtract(hash, salt, ikm)),
    hkdfExpand: (hash, prk, info, length, output) => tally.measure('hkdf expand', () => base.hkdfExpand(hash, prk, info, length, output)),
    createAead: (aead, key) => meteredAead(tally.measure('aead key setup', () => base.createAead(aead, key)), tally),
    keyExchange(group) {
      let exchange = exchanges.get(group);
      if (!exchange) exchanges.set(group, (exchange = meteredKeyExchange(base.keyExchange(group), tally)));
      return exchange;
    },
    sign: (alg, key, message, random) => tally.measure(`sign ${signatureName(alg)}`, () => base.sign(alg, key, message, random)),
    // the options too: `ownKey` lets noble use its table for our own key (crypto/own-key-tables.ts)
    verify: (alg, key, message, signature, options) =>
      tally.measure(`verify ${signatureName(alg)}`, () => base.verify(alg, key, message, signature, options)),
    publicKeyOf: (key) => tally.measure('public key of', () => base.publicKeyOf(key)),
  };
}

/** The randomness every handshake draws (hello randoms, key shares, PSS salts), metered like a primitive. */
export function meteredRandom(base: RandomSource, tally: Tally): RandomSource {
  return (length) => tally.measure('random', () => base(length));
}
