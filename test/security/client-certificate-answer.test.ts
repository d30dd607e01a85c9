// Attacker's test (the application as attacker, docs/security.md): a client certificate given as the answer to
// a `client-certificate` decision (certificate: 'ask') was snapshotted but never checked. The same value in the
// config's `certificate` is a TypeError before anything is sent: its shape, its key of the leaf's kind, its key
// the leaf's own (key-pairs.ts), an RSA d that is e's inverse. Answered at resolve(), a key of another pair was
// taken: the client sent the certificate, named itself with it, and signed a CertificateVerify the server
// refused (decrypt_error); a chain with a hole or a non-byte item failed deep in the handshake. The answer is
// now checked as the config is, and a refused answer leaves the decision pending, nothing sent.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { HashName } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { CertifiedKey } from '../../src/handshake/config.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity } from '../../src/testing/certs.js';
import { rsaTestKey } from '../../src/testing/rsa-keys.js';
import { alice, clientConfig, mallory, pinned, serverConfig } from '../handshake/abort-harness.js';

const rsaGood = rsaTestKey(2048);
const rsaAlice = makeIdentity({ subject: { CN: 'rsa alice' }, privateKey: rsaGood }, seededRandom('client-certificate answer: rsa'));
const p256Alice = makeIdentity({ subject: { CN: 'p256 alice' }, keyType: 'p256' }, seededRandom('client-certificate answer: p256'));

/** A client that asks for its certificate, paused at the decision, against a server that requires `who`. */
function askingPair(...who: Array<{ der: Uint8Array }>): InMemoryPair {
  const pair = new InMemoryPair({ ...clientConfig(), certificate: 'ask' }, serverConfig({ clientAuth: 'require', trust: pinned(...(who as never[])) })).run();
  expect(pair.client.pendingDecision?.kind).toBe('client-certificate');
  return pair;
}

/** resolve() with `certificate`: the TypeError it threw, or undefined when it took the answer. */
function answer(pair: InMemoryPair, certificate: unknown): unknown {
  try {
    pair.client.resolve({ kind: 'client-certificate', certificate: certificate as CertifiedKey });
  } catch (e) {
    return e;
  }
  return undefined;
}

/** The refusal is a one-line TypeError, the decision still pending, nothing sent; the right answer then connects. */
function expectRefused(pair: InMemoryPair, thrown: unknown, message: RegExp, right: CertifiedKey): void {
  expect(thrown).toBeInstanceOf(TypeError);
  expect((thrown as Error).message).toMatch(message);
  expect((thrown as Error).message).not.toContain('\n');
  expect(pair.client.pendingDecision?.kind).toBe('client-certificate');
  expect(pair.client.takeOutput()).toHaveLength(0);
  expect(answer(pair, right)).toBeUndefined();
  pair.run();
  expect(pair.server.isConnected).toBe(true);
}

describe('a client certificate answered at resolve() is checked as the config checks it', () => {
  it('the control: the right pair connects and the server sees it', () => {
    const pair = askingPair(alice);
    expect(answer(pair, { chain: [alice.der], privateKey: alice.privateKey })).toBeUndefined();
    pair.run();
    expect(pair.server.info.peer?.chain?.[0]).toEqual(alice.der);
  });

  it("a key of another pair of the same kind (mallory's key, alice's certificate) is refused", () => {
    const pair = askingPair(alice);
    expectRefused(pair, answer(pair, { chain: [alice.der], privateKey: mallory.privateKey }), /privateKey is not the key of the certificate/, alice);
  });

  it("a key of another kind (P-256 key, Ed25519 certificate) is refused", () => {
    const pair = askingPair(alice);
    expectRefused(pair, answer(pair, { chain: [alice.der], privateKey: p256Alice.privateKey }), /does not fit the certificate's key/, alice);
  });

  it('an RSA key whose d is not the inverse of e (n and e the certificate\'s) is refused', () => {
    const pair = askingPair(rsaAlice);
    const faulty = { ...rsaGood, d: rsaGood.d + ((rsaGood as { p: bigint }).p - 1n) };
    expectRefused(pair, answer(pair, { chain: [rsaAlice.der], privateKey: faulty }), /privateKey is not the key/, rsaAlice);
  });

  it('a chain with a hole, an empty chain, or an item that is not bytes is refused by name', () => {
    const pair = askingPair(alice);
    // eslint-disable-next-line no-sparse-arrays
    expectRefused(pair, answer(pair, { chain: [, alice.der], privateKey: alice.privateKey }), /^certificate\.chain\[0\] is a hole/, alice);
    const again = askingPair(alice);
    expectRefused(again, answer(again, { chain: [], privateKey: alice.privateKey }), /^certificate\.chain must be a non-empty array/, alice);
    const third = askingPair(alice);
    expectRefused(third, answer(third, { chain: [Array.from(alice.der)], privateKey: alice.privateKey }), /^certificate\.chain\[0\] must be a Uint8Array/, alice);
  });

  it('a key of another pair given through getters and a prototype is refused too', () => {
    const pair = askingPair(alice);
    const viaPrototype = Object.create({ privateKey: mallory.privateKey }) as CertifiedKey;
    Object.defineProperty(viaPrototype, 'chain', { get: () => [alice.der] });
    expectRefused(pair, answer(pair, viaPrototype), /privateKey is not the key of the certificate/, alice);
  });
});

describe('what the caller does with its answer afterwards changes nothing', () => {
  it('bytes written over between the check and their use (by a provider call the check makes): the certificate sent is the one checked', () => {
    const der = new Uint8Array(alice.der);
    let armed = false;
    // The key-pair check hashes the key's secret with the config's provider: code of the caller's, run inside resolve().
    const provider = { ...nobleProvider, hash: (name: HashName, data: Uint8Array) => (armed && der.fill(0), nobleProvider.hash(name, data)) };
    const pair = new InMemoryPair({ ...clientConfig(), provider, certificate: 'ask' }, serverConfig({ clientAuth: 'require', trust: pinned(alice) })).run();
    armed = true;
    expect(answer(pair, { chain: [der], privateKey: alice.privateKey })).toBeUndefined();
    pair.run();
    expect(der.every((b) => b === 0)).toBe(true);
    expect(pair.server.isConnected).toBe(true);
    expect(pair.server.info.peer?.chain).toEqual([alice.der]);
  });
});
