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
import { constantTimeEqual } from '../wire/bytes.js';
import type { ClientConfig, ServerConfig } from './config.js';
import { validateClientConfig, validateGivenObjects, validateServerConfig } from './config-validation.js';
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
 * every connection it accepts: given a snapshot this returned, it returns it as it is, with no walk, and checks
 * only the objects it holds as given (validateGivenObjects), as for any snapshot checked before.
 */
export function checkedServerSnapshot(given: ServerConfig): ServerConfig {
  return checkedSnapshot(given, checkedServerSnapshots, validateServerConfig);
}

function checkedSnapshot<T extends object>(given: T, checked: WeakSet<object>, check: (config: T) => void): T {
  const config = checked.has(given) ? given : snapshotConfig(given);
  if (checked.has(config)) {
    // The same snapshot holds them by identity, changed in place or not: the provider, the codecs, the register.
    validateGivenObjects(config);
    return config;
  }
  check(config);
  checked.add(config);
  return config;
}

/** The snapshot last made of each source byte array, kept while the source lives. */
const snapshots = new WeakMap<Uint8Array, Uint8Array>();
/**
 * The containers this module made. One found in a config is used as it is (it is frozen and holds copies): a
 * copy of it would hold as own fields what its source inherited, and the exact-shape check would refuse them
 * (node/tls-options.ts checks a snapshot, then hands its fields to the engine).
 */
const made = new WeakSet<object>();

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
 * A field that cannot be snapshotted: what is wrong with it, and the keys from it up to the config, added as the
 * walk unwinds (so that a walk that succeeds keeps no path at all), spelt as a TypeError's path at the top.
 */
class FieldFault {
  readonly #keys: string[] = [];
  readonly #indexes: boolean[] = [];

  constructor(readonly what: string) {}

  /** The fault is in the field `key` of the container one level up. */
  in(key: string, index: boolean): FieldFault {
    this.#keys.push(key);
    this.#indexes.push(index);
    return this;
  }

  error(): TypeError {
    let path = '';
    for (let i = this.#keys.length - 1; i >= 0; i--) path += this.#indexes[i] ? `[${this.#keys[i]}]` : path ? `.${this.#keys[i]}` : this.#keys[i];
    return new TypeError(`${path || 'the config'}${this.what}`);
  }
}

/**
 * The config as the connection will use it. Throws a one-line TypeError naming the field when a field cannot
 * be read (a getter or a Proxy that throws) or a container holds itself.
 */
export function snapshotConfig<T extends object>(config: T): T {
  if (typeof config !== 'object' || config === null) return config;
  try {
    return snapshot(config, [], RULES) as T;
  } catch (e) {
    throw e instanceof FieldFault ? e.error() : e;
  }
}

/** `open`: the containers being copied, outermost first (a config is a few levels deep). */
function snapshot(value: unknown, open: object[], rules: Rules): Snapshot {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Uint8Array) return bytesSnapshot(value);
  // Other typed arrays are left for the check to refuse by name.
  if (ArrayBuffer.isView(value)) return value;
  if (made.has(value)) return value;
  if (open.includes(value)) throw new FieldFault(' contains itself');
  open.push(value);
  try {
    return containerSnapshot(value, open, rules);
  } finally {
    open.pop();
  }
}

/**
 * A private copy, the same one while `source` holds the same bytes. A plain Uint8Array (not a Buffer, whose
 * slice shares memory), of the length the source had when read (a view of a resizable buffer can shrink).
 */
function bytesSnapshot(source: Uint8Array): Uint8Array {
  try {
    const held = snapshots.get(source);
    // Constant-time: the bytes include private keys, PSKs and ticket keys (docs/security.md, session 17).
    if (held && constantTimeEqual(held, source)) return held;
    const copy = new Uint8Array(source);
    snapshots.set(source, copy);
    return copy;
  } catch (e) {
    throw unreadable(e);
  }
}

/**
 * A container snapshot as it was made: the field names read, in order, the value each holds (the frozen copy's
 * fields, by index), and those the source did not hold as own enumerable fields (as marked on the copy).
 */
interface HeldContainer {
  readonly copy: Snapshot;
  readonly keys: readonly string[];
  readonly values: readonly Snapshot[];
  readonly hidden: ReadonlySet<string> | undefined;
}

/** The container snapshot last made of each source object, kept while the source lives. */
const containers = new WeakMap<object, HeldContainer>();

/**
 * Arrays and objects: each field (an array's items, an object's fieldNames) read once and snapshotted; frozen;
 * the earlier one if all fields are the same. While the fields match the earlier snapshot's, nothing new is
 * made: a source that has not changed (a server's config, one connection after another) costs its field list.
 */
function containerSnapshot(source: object, open: object[], rules: Rules): Snapshot {
  let isArray: boolean;
  let length: number;
  let keys: string[];
  try {
    isArray = Array.isArray(source);
    length = isArray ? (source as unknown[]).length : 0;
    keys = isArray ? Object.keys(source) : fieldNames(source);
  } catch (e) {
    throw unreadable(e);
  }
  const earlier = containers.get(source);
  const same = earlier !== undefined && Array.isArray(earlier.copy) === isArray && (!isArray || (earlier.copy as unknown[]).length === length) && sameKeys(earlier.keys, keys);
  const held = same ? earlier : undefined;
  let copy = held ? undefined : emptyContainer(isArray, length);
  let values: Snapshot[] = [];
  let hiddenNames: Set<string> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    let field: unknown;
    let hidden = false;
    try {
      field = (source as Record<string, unknown>)[key];
      hidden = !isArray && !ownEnumerable.call(source, key);
    } catch (e) {
      throw unreadable(e).in(key, isArray);
    }
    if (hidden) (hiddenNames ??= new Set()).add(key);
    const rule = rules === NO_RULES ? NO_RULES : (rules[isArray ? '*' : key] ?? NO_RULES);
    let value: Snapshot = field;
    if (rule !== GIVEN) {
      try {
        value = snapshot(field, open, rule);
      } catch (e) {
        throw e instanceof FieldFault ? e.in(key, isArray) : e;
      }
    }
    // The same value, and as own enumerable or not as before: the check passes over an unknown field that is not.
    if (copy === undefined && (value !== held!.values[i] || hidden !== (held!.hidden?.has(key) ?? false))) {
      copy = copyOf(held!, i, isArray, length);
      values = held!.values.slice(0, i);
    }
    if (copy !== undefined) {
      defineField(copy, key, value);
      values.push(value);
    }
  }
  if (copy === undefined) return held!.copy;
  if (hiddenNames) markInheritedFields(copy, hiddenNames);
  Object.freeze(copy);
  containers.set(source, { copy, keys, values, hidden: hiddenNames });
  made.add(copy);
  return copy;
}

/** An array keeps its length and its holes (the check refuses a hole by its index). */
function emptyContainer(isArray: boolean, length: number): Record<string, Snapshot> {
  return isArray ? (new Array(length) as never) : {};
}

/** A new container holding the earlier snapshot's first `count` fields: those read so far were the same. */
function copyOf(held: HeldContainer, count: number, isArray: boolean, length: number): Record<string, Snapshot> {
  const copy = emptyContainer(isArray, length);
  for (let j = 0; j < count; j++) defineField(copy, held.keys[j]!, held.values[j]);
  return copy;
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

/**
 * The caller's options object as a plain one of its own enumerable fields: each field (fieldNames) read once,
 * the values as given (not copied). For an adapter that takes options apart before the engine takes its
 * snapshot (node/server.ts, node/connect.ts): object rest and Object.keys see own enumerable fields only.
 */
export function readFields(options: object, where: string): Record<string, unknown> {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: the options must be an object: got ${options === null ? 'null' : typeof options}`);
  const read: Record<string, unknown> = {};
  let keys: string[];
  try {
    keys = fieldNames(options);
  } catch (e) {
    throw unreadable(e).error();
  }
  for (const key of keys) {
    try {
      defineField(read, key, (options as Record<string, unknown>)[key]);
    } catch (e) {
      throw unreadable(e).in(key, false).error();
    }
  }
  return read;
}

/** A plain own enumerable field, whatever its name: assigning `__proto__` would set the prototype instead. */
function defineField(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Whether a field is one of the object's own enumerable ones (not inherited, not hidden), read with the field. */
const ownEnumerable = Object.prototype.propertyIsEnumerable;

function sameKeys(held: readonly string[], keys: readonly string[]): boolean {
  if (held.length !== keys.length) return false;
  for (let i = 0; i < keys.length; i++) if (held[i] !== keys[i]) return false;
  return true;
}

/** What a getter or a Proxy trap threw, as a fault of the field being read. */
function unreadable(thrown: unknown): FieldFault {
  let reason: string;
  try {
    reason = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
  } catch {
    reason = 'a value that cannot be shown';
  }
  return new FieldFault(`: reading it threw ${reason.split('\n')[0]}`);
}
