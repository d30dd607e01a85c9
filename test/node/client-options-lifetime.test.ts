// How long connect()'s memo of checked options (src/node/client-options.ts) keeps what it checked. A translation
// holds the private key it loaded from `key` (or the snapshot of `certificate`) and copies of the other secrets
// (`externalPsks`); the memo kept the last 8 strongly, so an application that dropped its options, to let its key
// go, still had it in memory, in the memo, for as long as the process ran. Now a translation lives only while the
// caller keeps every object its options held (a key given as PEM text: the options object itself). Each test
// below looks for the memo's copies after a garbage collection, with WeakRefs to them, and fails against a memo
// that holds translations strongly (the tests of the memo's reuse are client-options-reuse.test.ts).
import { PassThrough } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { PrivateKey } from '../../src/crypto/provider.js';
import type { CertifiedKey } from '../../src/handshake/config.js';
import { connect, type ConnectOptions } from '../../src/node/adapter.js';
import { checkedClientOptions, type CheckedClientOptions } from '../../src/node/client-options.js';
import { ca, certPem, keyPem, trustedClient } from './fixtures.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A trust anchor the application keeps for all its connections (it outlives every options object below). */
const keptCa = Buffer.from(certPem(ca));

/**
 * Whether `ref`'s target is gone after a few collections. Each runs in a later task: a WeakRef made or read in
 * the current one keeps its target until that task ends.
 */
async function collected(ref: WeakRef<object>): Promise<boolean> {
  for (let i = 0; i < 10; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
    if (ref.deref() === undefined) return true;
  }
  return false;
}

/** connect()'s options (checkedClientOptions takes them whole, as connect() gives them). */
const options = (given: ConnectOptions): ConnectOptions => given;

/** The private key the memo loaded for `checked`. */
const loadedKey = (checked: CheckedClientOptions): object => (checked.config.certificate as CertifiedKey).privateKey!;

describe("connect()'s memo keeps a translation while the caller keeps what the options were made of", () => {
  it('a key read from a file (a Buffer), its options spread afresh for every connect: remembered while kept, gone once dropped', async () => {
    const refs = (() => {
      const base = { ca: keptCa, cert: certPem(trustedClient), key: Buffer.from(keyPem(trustedClient)) };
      const checked = checkedClientOptions(options({ ...base, host: 'localhost', port: 1 }));
      expect(checkedClientOptions(options({ ...base, host: 'localhost', port: 1 }))).toBe(checked);
      return { key: new WeakRef(loadedKey(checked)), checked: new WeakRef(checked), base: new WeakRef(base) };
    })();
    expect(await collected(refs.base)).toBe(true);
    expect(await collected(refs.key)).toBe(true);
    expect(await collected(refs.checked)).toBe(true);
  });

  it('still remembered after a collection while the caller keeps its options', async () => {
    const base = { ca: keptCa, cert: certPem(trustedClient), key: Buffer.from(keyPem(trustedClient)) };
    const checked = checkedClientOptions(options({ ...base, host: 'localhost', port: 1 }));
    const unrelated = new WeakRef({});
    expect(await collected(unrelated)).toBe(true);
    expect(checkedClientOptions(options({ ...base, host: 'localhost', port: 1 }))).toBe(checked);
  });

  it('a key given as PEM text: remembered while the options object is kept, gone with it', async () => {
    const options: ConnectOptions = { host: 'localhost', port: 1, ca: keptCa, cert: certPem(trustedClient), key: keyPem(trustedClient) };
    const checked = checkedClientOptions(options);
    expect(await collected(new WeakRef({}))).toBe(true);
    expect(checkedClientOptions(options)).toBe(checked);
    const refs = (() => {
      const dropped: ConnectOptions = { host: 'localhost', port: 2, ca: keptCa, cert: certPem(trustedClient), key: keyPem(trustedClient) };
      return { key: new WeakRef(loadedKey(checkedClientOptions(dropped))) };
    })();
    expect(await collected(refs.key)).toBe(true);
  });

  it("the engine's own forms: a certificate's private key, and external PSKs", async () => {
    const refs = (() => {
      // A key of its own (the fixture's stays alive, and the engine's snapshot of it with it, while the fixture does).
      const privateKey = { ...trustedClient.privateKey, d: new Uint8Array((trustedClient.privateKey as { d: Uint8Array }).d) } as PrivateKey;
      const certificate = { chain: [trustedClient.der], privateKey };
      const externalPsks = { keys: [{ identity: 'client', key: new Uint8Array(32).fill(7) }] };
      const checked = checkedClientOptions(options({ host: 'localhost', port: 1, ca: keptCa, certificate, externalPsks }));
      return { key: new WeakRef(loadedKey(checked)), psk: new WeakRef(checked.config.externalPsks!.keys[0]!.key as object) };
    })();
    expect(await collected(refs.key)).toBe(true);
    expect(await collected(refs.psk)).toBe(true);
  });

  it('through connect(): once the socket and the options are dropped, nothing keeps the key', async () => {
    const refs = (() => {
      const base = { host: 'localhost', ca: keptCa, cert: certPem(trustedClient), key: Buffer.from(keyPem(trustedClient)) };
      const checked = checkedClientOptions(options({ ...base, handshakeTimeout: 0 }));
      const socket = connect({ ...base, socket: new PassThrough(), handshakeTimeout: 0 }); // the same content: this translation
      socket.on('error', () => {});
      socket.destroy();
      return { key: new WeakRef(loadedKey(checked)) };
    })();
    expect(await collected(refs.key)).toBe(true);
  });

  it('one pushed out of the last 8 is dropped, though its options are still kept', async () => {
    const kept = Array.from({ length: 9 }, (_, port) => ({ host: 'localhost', port, ca: keptCa, cert: certPem(trustedClient), key: Buffer.from(keyPem(trustedClient)) }));
    const first = new WeakRef(loadedKey(checkedClientOptions(kept[0]!)));
    for (const later of kept.slice(1)) checkedClientOptions(later);
    expect(await collected(first)).toBe(true);
    expect(kept).toHaveLength(9);
  });
});
