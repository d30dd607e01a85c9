// The heap walk of the wipe tests (wipe-at-close.test.ts, abandoned-connection.test.ts): which secrets a connection
// still holds in memory reachable from it, and a provider that keeps what it derives to check against.
import type { AeadKey, AeadName, CryptoProvider } from '../../src/crypto/provider.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { Connection } from '../../src/handshake/connection.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { nextTrafficSecret, trafficKeys } from '../../src/handshake/keyschedule.js';
import { suiteNamed } from '../../src/testing/tamper.js';
import { hex } from '../../src/wire/bytes.js';

export type Secret = { name: string; bytes: Uint8Array };

/**
 * A provider that keeps every AEAD key it makes, to check each one was wiped (their key is a #private field), and a
 * copy of every HKDF-Extract output: the Early Secret of a PSK, the Handshake Secret and the Master Secret (RFC 8446
 * §7.1), which no event reports. The Early Secret without a PSK, HKDF-Extract(0, 0), is public and left out.
 */
export function keyKeeping(provider: CryptoProvider): { provider: CryptoProvider; made: Array<{ aead: AeadName; key: AeadKey }>; extracted: Secret[] } {
  const made: Array<{ aead: AeadName; key: AeadKey }> = [];
  const extracted: Secret[] = [];
  const allZero = (bytes: Uint8Array) => bytes.every((b) => b === 0);
  return {
    made,
    extracted,
    provider: {
      ...provider,
      createAead: (aead, key) => {
        const aeadKey = provider.createAead(aead, key);
        made.push({ aead, key: aeadKey });
        return aeadKey;
      },
      hkdfExtract: (hash, salt, ikm) => {
        const prk = provider.hkdfExtract(hash, salt, ikm);
        if (!(allZero(salt) && allZero(ikm))) extracted.push({ name: `HKDF-Extract #${extracted.length}`, bytes: prk.slice() });
        return prk;
      },
    },
  };
}

/** Every ArrayBuffer reachable from `root` through data properties (getters are not run), arrays, Maps and Sets. */
function reachableBuffers(root: unknown): Set<ArrayBufferLike> {
  const buffers = new Set<ArrayBufferLike>();
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value !== 'object' || value === null || seen.has(value)) continue;
    seen.add(value);
    if (ArrayBuffer.isView(value)) {
      buffers.add(value.buffer);
      continue;
    }
    if (value instanceof ArrayBuffer) {
      buffers.add(value);
      continue;
    }
    if (value instanceof Map) for (const [k, v] of value) stack.push(k, v);
    if (value instanceof Set) for (const v of value) stack.push(v);
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (descriptor && 'value' in descriptor) stack.push(descriptor.value);
    }
  }
  return buffers;
}

function contains(buffer: ArrayBufferLike, needle: Uint8Array): boolean {
  const hay = new Uint8Array(buffer);
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * What a connection reported in its key log (`events`, the `secret` events of a connection of cipher suite `suite`),
 * and the record keys and IVs of its traffic secrets, with `updates` KeyUpdates of the application secrets followed
 * (the next secrets are reported by no event).
 */
export function loggedSecrets(events: readonly TlsEvent[], suite: string | undefined, updates = 0): Secret[] {
  const info = suiteNamed(suite);
  const out: Secret[] = [];
  for (const e of events) {
    if (e.type !== 'secret') continue;
    out.push({ name: e.name, bytes: e.secret });
    if (!e.name.includes('traffic')) continue;
    let secret = e.secret;
    for (let n = 0; n <= (e.name.includes('application') ? updates : 0); n++) {
      if (n > 0) {
        secret = nextTrafficSecret(nobleProvider, info, secret);
        out.push({ name: `${e.name} +${n}`, bytes: secret });
      }
      const { key, iv } = trafficKeys(nobleProvider, info, secret);
      out.push({ name: `${e.name} +${n} key`, bytes: key }, { name: `${e.name} +${n} iv`, bytes: iv });
    }
  }
  return out;
}

/** The names of the `secrets` found in memory reachable from `connection`. */
export function held(connection: Connection, secrets: Secret[]): string[] {
  connection.takeEvents(); // the caller's events are the caller's: only what the engine keeps is searched
  const buffers = [...reachableBuffers(connection)];
  return secrets.filter((s) => buffers.some((b) => contains(b, s.bytes))).map((s) => s.name);
}

const AEAD_PROBE = { nonce: new Uint8Array(12), aad: new Uint8Array(5), plaintext: Uint8Array.of(1, 2, 3) };

/** Whether `key` now seals as the all-zero key of its AEAD does: its copy of the key was zeroed. */
export function sealsAsZeroKey(provider: CryptoProvider, aead: AeadName, key: AeadKey): boolean {
  const { nonce, aad, plaintext } = AEAD_PROBE;
  const zero = provider.createAead(aead, new Uint8Array(provider.aeadKeyLength(aead)));
  return hex(key.seal(nonce, aad, plaintext)) === hex(zero.seal(nonce, aad, plaintext));
}
