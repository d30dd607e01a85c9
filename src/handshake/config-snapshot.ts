// A connection's config is read once. The check (config-validation.ts) and the handshake both use one
// snapshot of it, taken when the connection is made: every field read once (a getter or a Proxy answers once),
// containers and bytes copied, so nothing the caller does afterwards (writing an array or a Uint8Array it
// kept, replacing a callback, a getter that answers the check with one value and the handshake with another)
// changes what a handshake already under way signs with, trusts or seals with (test/security/config-snapshot).
//
// The copies are made once per source while it holds the same content: a server that makes every connection
// from one config gets the same snapshot objects each time, so what is memoised by identity (parsed trust
// anchors and CRLs, imported private keys) is still found. Code is not copied: functions, and the objects
// whose methods the engine calls (the provider, the anti-replay register, certificate compressors).
import { equalBytes } from '../wire/bytes.js';

type Snapshot = unknown;

/** The snapshot last made of each source object, kept while the source lives. */
const snapshots = new WeakMap<object, Snapshot>();

/**
 * Fields holding code (objects whose methods the engine calls), used as given. `resumption.ticket` is the
 * client's own ticket, copied where it is used (client/psk.ts).
 */
const USED_AS_GIVEN = new Set(['provider', 'tickets.antiReplay', 'resumption.ticket']);
const USED_AS_GIVEN_ITEMS = new Set(['certificateCompression']);

/**
 * The config as the connection will use it. Throws a one-line TypeError naming the field when a field cannot
 * be read (a getter or a Proxy that throws) or a container holds itself.
 */
export function snapshotConfig<T extends object>(config: T): T {
  if (typeof config !== 'object' || config === null) return config;
  return snapshot(config, '', new Set()) as T;
}

function snapshot(value: unknown, path: string, open: Set<object>): Snapshot {
  if (typeof value !== 'object' || value === null || USED_AS_GIVEN.has(path)) return value;
  // Other typed arrays are left for the check to refuse by name.
  if (ArrayBuffer.isView(value) && !(value instanceof Uint8Array)) return value;
  if (open.has(value)) throw new TypeError(`${path} contains itself`);
  open.add(value);
  try {
    return value instanceof Uint8Array ? bytesSnapshot(value, path) : containerSnapshot(value, path, open);
  } finally {
    open.delete(value);
  }
}

/**
 * A private copy, the same one while `source` holds the same bytes. A plain Uint8Array (not a Buffer, whose
 * slice shares memory), of the length the source had when read (a view of a resizable buffer can shrink).
 */
function bytesSnapshot(source: Uint8Array, path: string): Uint8Array {
  const copy = read(path, () => new Uint8Array(source));
  const held = snapshots.get(source) as Uint8Array | undefined;
  if (held && equalBytes(held, copy)) return held;
  snapshots.set(source, copy);
  return copy;
}

/** Arrays and objects: each own enumerable field read once and snapshotted; frozen; the earlier one if all fields are the same. */
function containerSnapshot(source: object, path: string, open: Set<object>): Snapshot {
  const isArray = read(path, () => Array.isArray(source));
  // An array keeps its length and its holes (the check skips holes, as forEach does).
  const copy: Record<string, Snapshot> = isArray ? (new Array(read(path, () => (source as unknown[]).length)) as never) : {};
  const keys = read(path, () => Object.keys(source));
  for (const key of keys) {
    const at = isArray ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
    const field = read(at, () => (source as Record<string, unknown>)[key]);
    copy[key] = USED_AS_GIVEN_ITEMS.has(path) ? field : snapshot(field, at, open);
  }
  const held = snapshots.get(source) as Record<string, Snapshot> | undefined;
  if (held && Array.isArray(held) === isArray && sameFields(held, copy, keys)) return held;
  Object.freeze(copy);
  snapshots.set(source, copy);
  return copy;
}

function sameFields(held: Record<string, Snapshot>, copy: Record<string, Snapshot>, keys: string[]): boolean {
  const heldKeys = Object.keys(held);
  const sameLength = !Array.isArray(held) || held.length === (copy as unknown as unknown[]).length;
  return sameLength && heldKeys.length === keys.length && keys.every((key, i) => heldKeys[i] === key && held[key] === copy[key]);
}

/** What `get` returns; a throw (a getter's, a Proxy trap's) is a TypeError naming the field. */
function read<T>(path: string, get: () => T): T {
  try {
    return get();
  } catch (e) {
    const reason = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw new TypeError(`${path === '' ? 'the config' : path}: reading it threw ${reason.split('\n')[0]}`);
  }
}
