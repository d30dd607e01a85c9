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

/** Translations of the last few option contents, most recent first: a process rarely connects with more. */
const RECENT = 8;
const recent: Array<{ read: ReadOptions; checked: CheckedClientOptions }> = [];
const NOTHING_INHERITED: Readonly<Record<string, unknown>> = Object.freeze({});

/** The engine config and node verification for `options`, checked whole (a TypeError names the option). */
export function checkedClientOptions(options: ClientOptions): CheckedClientOptions {
  const read = readOnce(options);
  if (!read) return translate(options);
  const at = recent.findIndex((entry) => sameContent(entry.read, read));
  if (at >= 0) {
    const [entry] = recent.splice(at, 1);
    recent.unshift(entry!);
    validateGivenObjects(entry!.checked.config); // code the caller may have changed in place: as each connect did
    return entry!.checked;
  }
  const given = Object.assign(Object.create(read.inherited) as ClientOptions, read.own);
  const checked = translate(given);
  recent.unshift({ read, checked });
  if (recent.length > RECENT) recent.pop();
  return checked;
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
