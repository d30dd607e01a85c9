// A client's options, translated (tls-options.ts) and checked (the engine's config check) once per content:
// connect() with the same options, or with a fresh object holding the same fields (a spread per connection),
// reuses the checked config of an earlier connect() instead of translating and checking it again.
//
// Kept by content, never by the object alone: a caller may change its options between two connects, in place
// (a list, the pinned bytes) or by a getter. Each connect reads every option once, takes a snapshot of what it
// read as the engine snapshots a config (config-snapshot.ts: one snapshot object per list, object or byte array
// while its content stays the same), and reuses a translation only when every option is the same value or the
// same snapshot as when that translation was made. The translation reads that snapshot, not the caller's object,
// so what was checked is exactly what was read (test/node/client-options-reuse.test.ts).
//
// Kept no longer than the caller keeps what the options were made of: a translation holds the private key it
// loaded and copies of the options' secrets, and a memo that outlived the caller's options would keep them in
// memory after the application dropped them. A translation is reachable only through the objects its options
// held (the caller's lists, objects, bytes and functions, through the snapshots the caller's objects keep
// alive), all of them: one dropped (or changed, which makes a new snapshot) and it can never match again, and
// it goes with the next collection (test/node/client-options-lifetime.test.ts).
import { checkedClientSnapshot, snapshotConfig } from '../handshake/config-snapshot.js';
import type { ClientConfig } from '../handshake/config.js';
import { validateGivenObjects } from '../handshake/config-validation.js';
import { CLIENT_KNOWN, CLIENT_PROPERTY_READS, translateClientOptions, type NodeTlsClientOptions, type NodeVerification } from './tls-options.js';

type ClientOptions = NodeTlsClientOptions & ClientConfig & { host?: string };

export interface CheckedClientOptions {
  /** Checked and frozen: Connection.client takes it without another walk or check. */
  readonly config: ClientConfig;
  readonly verification?: NodeVerification;
}

/** What one connect() read of its options: own enumerable fields, and the property reads found elsewhere (inherited). */
interface ReadOptions {
  readonly own: Readonly<Record<string, unknown>>;
  readonly inherited: Readonly<Record<string, unknown>>;
}

/** Options of each connection that the translation does not read (connect.ts handles them): not read here. */
const PER_CONNECTION: ReadonlySet<string> = new Set(['socket', 'session', 'earlyData']);

/** A translation, and the content of the options it was made from. */
interface Translation {
  readonly read: ReadOptions;
  readonly checked: CheckedClientOptions;
  /** Where it is held (see hold()). */
  holder?: Set<Translation>;
}

/** Translations of the last few option contents, most recent first: a process rarely connects with more. */
const RECENT = 8;
const recent: Array<WeakRef<Translation>> = [];
const NOTHING_INHERITED: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * The engine config and node verification for `options`, checked whole (a TypeError names the option). `given`:
 * the caller's own options object, when `options` is a copy of its fields (connect.ts).
 */
export function checkedClientOptions(options: ClientOptions, given: object = options): CheckedClientOptions {
  const read = readOnce(options);
  if (!read) return translate(options);
  for (let i = 0; i < recent.length; i++) {
    const translation = recent[i]!.deref();
    if (!translation || !sameContent(translation.read, read)) continue;
    recent.unshift(...recent.splice(i, 1));
    validateGivenObjects(translation.checked.config); // code the caller may have changed in place: as each connect did
    return translation.checked;
  }
  const translation: Translation = { read, checked: translate(Object.assign(Object.create(read.inherited) as ClientOptions, read.own)) };
  hold(translation, read, given);
  recent.unshift(new WeakRef(translation));
  while (recent.length > RECENT) release(recent.pop()!.deref());
  return translation.checked;
}

/**
 * Holders of translations: a chain of WeakMaps, one level per object the options held, so that a translation
 * stays only while every one of them does. Options of no object at all are held in `unanchored`.
 */
interface Holder {
  readonly next: WeakMap<object, Holder>;
  translations?: Set<Translation>;
}
const anchored = new WeakMap<object, Holder>();
const unanchored = new Set<Translation>();

/**
 * Holds `translation` while the objects and functions among the read options live (a list, an object or bytes
 * through its snapshot, which the caller's own object keeps). A `key` given as PEM text is held by no object of
 * ours: then also while the caller's options object lives.
 */
function hold(translation: Translation, read: ReadOptions, given: object): void {
  const anchors: object[] = [];
  for (const fields of [read.own, read.inherited]) {
    for (const key of Object.keys(fields)) {
      const value = fields[key];
      if ((typeof value === 'object' && value !== null) || typeof value === 'function') anchors.push(value);
    }
  }
  if (typeof (read.own.key ?? read.inherited.key) === 'string') anchors.push(given);
  let holder: Holder | undefined;
  for (const anchor of anchors) {
    const level = holder?.next ?? anchored;
    holder = level.get(anchor) ?? { next: new WeakMap() };
    level.set(anchor, holder);
  }
  translation.holder = holder ? (holder.translations ??= new Set()) : unanchored;
  translation.holder.add(translation);
}

/** A translation pushed out of `recent` is held no more, though the caller's objects still live. */
function release(translation: Translation | undefined): void {
  translation?.holder?.delete(translation);
}

function translate(options: ClientOptions): CheckedClientOptions {
  const { config, verification } = translateClientOptions(options);
  const checked = checkedClientSnapshot(config);
  // Shared by every connect with the same content: nothing in it may change (test/node/client-options-memo-attacks).
  if (!verification) return Object.freeze({ config: checked });
  Object.freeze(verification.context.certificateSignatureSchemes);
  Object.freeze(verification.context);
  return Object.freeze({ config: checked, verification: Object.freeze(verification) });
}

/**
 * Each option the translation reads, read once, as snapshots; undefined when an option is not one connect()
 * takes (the translation refuses it by name, as before).
 */
function readOnce(options: ClientOptions): ReadOptions | undefined {
  const record = options as Record<string, unknown>;
  const own: Record<string, unknown> = {};
  for (const key of Object.keys(options)) {
    if (PER_CONNECTION.has(key)) continue;
    const value = record[key];
    if (!CLIENT_KNOWN.has(key) && value !== undefined) return undefined;
    own[key] = value;
  }
  let inherited: Record<string, unknown> | undefined;
  for (const name of CLIENT_PROPERTY_READS) {
    if (Object.hasOwn(own, name)) continue;
    const value = record[name];
    if (value !== undefined) (inherited ??= {})[name] = value;
  }
  return { own: snapshotConfig(own), inherited: inherited ? snapshotConfig(inherited) : NOTHING_INHERITED };
}

function sameContent(a: ReadOptions, b: ReadOptions): boolean {
  return sameFields(a.own, b.own) && sameFields(a.inherited, b.inherited);
}

/** The same names in the same order, each the same value or snapshot. */
function sameFields(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): boolean {
  const keys = Object.keys(a);
  const others = Object.keys(b);
  if (keys.length !== others.length) return false;
  for (let i = 0; i < keys.length; i++) if (keys[i] !== others[i] || a[keys[i]!] !== b[keys[i]!]) return false;
  return true;
}
