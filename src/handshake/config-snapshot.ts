// A connection's config is read once. The check (config-validation.ts) and the handshake both use one
// snapshot of it, taken when the connection is made: every field read once (a getter or a Proxy answers once;
// own or inherited, enumerable or not: fieldNames), containers and bytes copied, so nothing the caller does
// afterwards (writing an array or a Uint8Array it kept, replacing a callback, a getter that answers the check
// with one value and the handshake with another) changes what a handshake already under way signs with,
// trusts or seals with (test/security/config-snapshot).
//
// The copies are made once per source while it holds the same content: a server that makes every connection
// from one config gets the same snapshot objects each time, so what is memoised by identity (parsed trust
// anchors and CRLs, imported private keys) is still found. Code is not copied: functions, and the objects
// whose methods the engine calls (the provider, the anti-replay register, certificate compressors).
import { equalBytes } from '../wire/bytes.js';
import type { ClientConfig, ServerConfig } from './config.js';
import { validateClientConfig, validateServerConfig } from './config-validation.js';
import { markInheritedFields } from './inherited-fields.js';

type Snapshot = unknown;

/** Snapshots that passed their role's check. The caller is never given a snapshot object itself. */
const checkedClientSnapshots = new WeakSet<object>();
const checkedServerSnapshots = new WeakSet<object>();

/**
 * What a client connection uses: the snapshot of `given`, checked whole (a TypeError names the field). A
 * snapshot already checked (the same content as before) is not checked again.
 */
export function checkedClientSnapshot(given: ClientConfig): ClientConfig {
  return checkedSnapshot(given, checkedClientSnapshots, validateClientConfig);
}

/**
 * As checkedClientSnapshot, for a server. A server (node/server.ts) takes one when it is made and gives it to
 * every connection it accepts: given a snapshot this returned, it returns it as it is, with no walk and no check.
 */
export function checkedServerSnapshot(given: ServerConfig): ServerConfig {
  return checkedSnapshot(given, checkedServerSnapshots, validateServerConfig);
}

function checkedSnapshot<T extends object>(given: T, checked: WeakSet<object>, check: (config: T) => void): T {
  if (checked.has(given)) return given;
  const config = snapshotConfig(given);
  if (!checked.has(config)) {
    check(config);
    checked.add(config);
  }
  return config;
}

/** The snapshot last made of each source object, kept while the source lives. */
const snapshots = new WeakMap<object, Snapshot>();

/**
 * Fields holding code (objects whose methods the engine calls), used as given, as a tree of field names
 * (`*`: every item of an array). `resumption.ticket` is the client's own ticket, copied where it is used
 * (client/psk.ts).
 */
const GIVEN = 'used as given';
type Rules = { readonly [key: string]: Rules | typeof GIVEN };
const RULES: Rules = { provider: GIVEN, tickets: { antiReplay: GIVEN }, resumption: { ticket: GIVEN }, certificateCompression: { '*': GIVEN } };
const NO_RULES: Rules = {};

/**
 * Where the walk is: the containers being copied (outermost first: a config is a few levels deep) and the keys
 * from the config down to the value being read, spelt as a path only for an error.
 */
class Walk {
  readonly open: object[] = [];
  readonly #keys: string[] = [];
  readonly #indexes: boolean[] = [];

  enter(key: string, index: boolean): void {
    this.#keys.push(key);
    this.#indexes.push(index);
  }

  leave(): void {
    this.#keys.pop();
    this.#indexes.pop();
  }

  path(): string {
    if (this.#keys.length === 0) return 'the config';
    let path = '';
    for (let i = 0; i < this.#keys.length; i++) path += this.#indexes[i] ? `[${this.#keys[i]}]` : i > 0 ? `.${this.#keys[i]}` : this.#keys[i];
    return path;
  }
}

/**
 * The config as the connection will use it. Throws a one-line TypeError naming the field when a field cannot
 * be read (a getter or a Proxy that throws) or a container holds itself.
 */
export function snapshotConfig<T extends object>(config: T): T {
  if (typeof config !== 'object' || config === null) return config;
  return snapshot(config, new Walk(), RULES) as T;
}

function snapshot(value: unknown, walk: Walk, rules: Rules): Snapshot {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Uint8Array) return bytesSnapshot(value, walk);
  // Other typed arrays are left for the check to refuse by name.
  if (ArrayBuffer.isView(value)) return value;
  if (walk.open.includes(value)) throw new TypeError(`${walk.path()} contains itself`);
  walk.open.push(value);
  try {
    return containerSnapshot(value, walk, rules);
  } finally {
    walk.open.pop();
  }
}

/**
 * A private copy, the same one while `source` holds the same bytes. A plain Uint8Array (not a Buffer, whose
 * slice shares memory), of the length the source had when read (a view of a resizable buffer can shrink).
 */
function bytesSnapshot(source: Uint8Array, walk: Walk): Uint8Array {
  try {
    const held = snapshots.get(source) as Uint8Array | undefined;
    if (held && equalBytes(held, source)) return held;
    const copy = new Uint8Array(source);
    snapshots.set(source, copy);
    return copy;
  } catch (e) {
    throw unreadable(walk, e);
  }
}

/** The field names each container snapshot was made from, in the order they were read. */
const snapshotKeys = new WeakMap<object, readonly string[]>();

/**
 * Arrays and objects: each field (an array's items, an object's fieldNames) read once and snapshotted; frozen;
 * the earlier one if all fields are the same. While the fields match the earlier snapshot's, nothing new is
 * made: a source that has not changed (a server's config, one connection after another) costs its field list.
 */
function containerSnapshot(source: object, walk: Walk, rules: Rules): Snapshot {
  let isArray: boolean;
  let length: number;
  let keys: string[];
  try {
    isArray = Array.isArray(source);
    length = isArray ? (source as unknown[]).length : 0;
    keys = isArray ? Object.keys(source) : fieldNames(source);
  } catch (e) {
    throw unreadable(walk, e);
  }
  const held = snapshots.get(source) as Record<string, Snapshot> | undefined;
  const heldKeys = held && snapshotKeys.get(held);
  const same = heldKeys !== undefined && Array.isArray(held) === isArray && (!isArray || (held as unknown as unknown[]).length === length) && sameKeys(heldKeys, keys);
  let copy = same ? undefined : emptyContainer(isArray, length);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    walk.enter(key, isArray);
    let field: unknown;
    try {
      field = (source as Record<string, unknown>)[key];
    } catch (e) {
      throw unreadable(walk, e);
    }
    const rule = rules[isArray ? '*' : key] ?? NO_RULES;
    const value = rule === GIVEN ? field : snapshot(field, walk, rule);
    walk.leave();
    if (copy === undefined && value !== held![key]) {
      copy = emptyContainer(isArray, length);
      for (let j = 0; j < i; j++) copy[keys[j]!] = held![keys[j]!];
    }
    if (copy !== undefined) copy[key] = value;
  }
  if (copy === undefined) return held;
  if (!isArray) markInheritedFields(copy, notOwnEnumerable(source, keys));
  Object.freeze(copy);
  snapshots.set(source, copy);
  snapshotKeys.set(copy, keys);
  return copy;
}

/** An array keeps its length and its holes (the check refuses a hole by its index). */
function emptyContainer(isArray: boolean, length: number): Record<string, Snapshot> {
  return isArray ? (new Array(length) as never) : {};
}

/**
 * An object's fields as the check and the handshake read them, as properties: its own, enumerable or not, and
 * those it inherits (defaults on a prototype, a class's getters), but not a class's methods nor Object.prototype's.
 * Own enumerable fields alone dropped a `clientAuth: 'require'` inherited from defaults without a word
 * (test/security/config-inherited-fields).
 */
function fieldNames(source: object): string[] {
  const own = Object.getOwnPropertyNames(source);
  let at: object | null = Object.getPrototypeOf(source);
  if (at === Object.prototype || at === null) return own;
  const names = new Set(own);
  for (; at !== null && at !== Object.prototype; at = Object.getPrototypeOf(at)) {
    const ofClass = Object.hasOwn(at, 'constructor') && (at as { constructor: unknown }).constructor instanceof Function && (at as { constructor: Function }).constructor.prototype === at;
    for (const name of Object.getOwnPropertyNames(at)) {
      if (ofClass && (name === 'constructor' || typeof Object.getOwnPropertyDescriptor(at, name)!.value === 'function')) continue;
      names.add(name);
    }
  }
  return [...names];
}

/** The names among `keys` that `source` does not hold as own enumerable fields. */
function notOwnEnumerable(source: object, keys: readonly string[]): Set<string> {
  const own = new Set(Object.keys(source));
  return new Set(keys.filter((key) => !own.has(key)));
}

function sameKeys(held: readonly string[], keys: readonly string[]): boolean {
  if (held.length !== keys.length) return false;
  for (let i = 0; i < keys.length; i++) if (held[i] !== keys[i]) return false;
  return true;
}

/** What a getter or a Proxy trap threw, as a TypeError naming the field. */
function unreadable(walk: Walk, thrown: unknown): TypeError {
  let reason: string;
  try {
    reason = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
  } catch {
    reason = 'a value that cannot be shown';
  }
  return new TypeError(`${walk.path()}: reading it threw ${reason.split('\n')[0]}`);
}
