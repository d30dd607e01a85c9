// What the engine hands out is never memory the engine uses: the application may keep it, write over it or wipe
// it, and nothing it does reaches a handshake, nor what another caller was given.
//
// - A `handshake-message` event's message and `raw`, sent or received; a pending decision (the `pendingDecision`
//   getter, the `decision-needed` event, whose `kind` resolve() checks an answer against); the identity a
//   `post-handshake-auth` event names as `replaced`, whose verdict's path ends with the config's own parsed trust
//   anchor: deep copies (handedOut).
//   The engine goes on using the message it handled: a ClientHello's random, legacy_session_id and cipher_suites,
//   which ClientHello2 repeats and the ServerHello is checked against (RFC 8446 §4.1.2, §4.1.3); a received
//   ClientHello1, which ClientHello2 is compared with; a decoded extension's value, read again by bodyOf; our
//   chain as the config snapshot holds it, shared by every connection made from it. Made when the event is made,
//   so the event and its copies are one decision: a callback that switches trace events on in the middle of a
//   step gets no event holding the engine's own arrays (test/security/trace-events-switched-mid-step).
// - The negotiated info (the `info` getter, the `connected` and `post-handshake-auth` events): the engine's record
//   of the handshake, read again when it seals a ticket (its ALPN, its peer). Handed out as InfoCopies makes it:
//   one frozen deep copy per content of the record, shared by every caller while the record holds the same
//   content, with byte arrays of each caller's own (a Uint8Array cannot be frozen), made for a `connected` event
//   when its `info` is first read (InfoCopies.connectedEvent).
//
// test/security/handshake-message-copies, own-certificate-event-copies, info-copies, post-handshake-replaced-copy,
// and handed-out-memory, which writes over everything handed out at every step of two handshakes.
import { DecodedExtension } from '../wire/extensions.js';
import type { NegotiatedInfo, TlsEvent } from './events.js';

/** `value` with every container in it copied: plain objects, arrays, Uint8Arrays, decoded extensions. */
export function handedOut<T>(value: T): T {
  return copied(value) as T;
}

function copied(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Uint8Array) return value.slice();
  if (Array.isArray(value)) return value.map(copied);
  if (value instanceof DecodedExtension) return value.copy(copied);
  // Anything else that is not plain data (none in a message today) is given as it is.
  if (!isPlainObject(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = copied((value as Record<string, unknown>)[key]);
  return copy;
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as object | null;
  return prototype === Object.prototype || prototype === null;
}

/**
 * The negotiated info as handed out. The engine writes its record's own fields (sets, replaces, deletes them) and
 * never writes inside the objects and arrays it puts there; once a copy is made, those are frozen in place, so
 * that this holds by force (a write would throw, never leave a stale copy). The first caller after a field of the
 * record changed gets a new frozen deep copy, and the callers after, while every field is the same value or
 * object, share its frozen parts. A byte array cannot be frozen: the frozen copy refers to the record's own byte
 * arrays and never hands them out; each caller gets a copy of every byte array and of the objects and arrays on
 * the way to it (frozen too), so writing over them changes neither the engine's record nor another caller's copy.
 */
export class InfoCopies {
  private frozen?: NegotiatedInfo;
  /** The record's fields when `frozen` was made, and their values. */
  private fields: string[] = [];
  private values: unknown[] = [];

  constructor(private readonly record: NegotiatedInfo) {}

  handOut(): Readonly<NegotiatedInfo> {
    return withOwnBytes(this.frozenNow()) as NegotiatedInfo;
  }

  /**
   * A `connected` event whose `info` is what handOut() gives now: the frozen copy is taken now (the record may
   * change later: a post-handshake authentication replaces the peer), the caller's own byte arrays the first
   * time `info` is read, and that one object at every read after (as an eager event's field would be). An
   * application that never reads it (the node adapter) gets no copies. `info` is an accessor, enumerable like
   * any field (spread, JSON and deep equality read it); writing it replaces what later reads get.
   */
  connectedEvent(): TlsEvent {
    return new ConnectedEvent(this.frozenNow());
  }

  private frozenNow(): NegotiatedInfo {
    if (this.frozen === undefined || !this.unchanged()) this.frozen = this.copy();
    return this.frozen;
  }

  private copy(): NegotiatedInfo {
    const record = this.record as Record<string, unknown>;
    this.fields = Object.keys(record);
    this.values = this.fields.map((key) => freezeInPlace(record[key]));
    return frozenCopy(record) as NegotiatedInfo;
  }

  private unchanged(): boolean {
    const record = this.record as Record<string, unknown>;
    const { fields, values } = this;
    let count = 0;
    for (const key in record) if (Object.hasOwn(record, key)) count++;
    if (count !== fields.length) return false;
    for (let i = 0; i < fields.length; i++) {
      if (!Object.hasOwn(record, fields[i]!) || !Object.is(record[fields[i]!], values[i])) return false;
    }
    return true;
  }
}

/** `value` with the plain objects and arrays in it frozen where they are (byte arrays cannot be). */
function freezeInPlace(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array || Object.isFrozen(value)) return value;
  if (!Array.isArray(value) && !isPlainObject(value)) return value;
  for (const key in value) if (Object.hasOwn(value, key)) freezeInPlace((value as Record<string, unknown>)[key]);
  return Object.freeze(value);
}

/** The containers of a frozen copy that hold a byte array somewhere inside: withOwnBytes copies these. */
const holdingBytes = new WeakSet<object>();

/**
 * A frozen deep copy that refers to the record's byte arrays, not copies of them (withOwnBytes copies them for
 * each caller). Built field by field: a spread copy is cheaper to make but several times dearer to walk and copy
 * again once frozen (Node 20), and walking it is what every caller pays.
 */
function frozenCopy(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return value;
  // Anything else that is not plain data (none in info today) is given as it is, as handedOut does.
  if (!Array.isArray(value) && !isPlainObject(value)) return value;
  let bytesInside = false;
  const copy = Array.isArray(value) ? new Array<unknown>(value.length) : ({} as Record<string, unknown>);
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const field = frozenCopy((value as Record<string, unknown>)[key]);
    (copy as Record<string, unknown>)[key] = field;
    if (field instanceof Uint8Array || (typeof field === 'object' && field !== null && holdingBytes.has(field))) bytesInside = true;
  }
  if (bytesInside) holdingBytes.add(copy);
  return Object.freeze(copy);
}

/** A frozen copy as one caller gets it: shared where no byte array is inside, copied (and frozen) on the way to one. */
function withOwnBytes(value: unknown): unknown {
  if (value instanceof Uint8Array) return value.slice();
  if (typeof value !== 'object' || value === null || !holdingBytes.has(value)) return value;
  if (Array.isArray(value)) return Object.freeze(value.map(withOwnBytes));
  const copy: Record<string, unknown> = {};
  for (const key in value) if (Object.hasOwn(value, key)) copy[key] = withOwnBytes((value as Record<string, unknown>)[key]);
  return Object.freeze(copy);
}

/**
 * A `connected` event (InfoCopies.connectedEvent): `type` and an own, enumerable `info` accessor whose get and set are
 * the same two functions for every event. An object literal with a getter and a setter made two closures, a context
 * and an accessor pair per event, and gave each event a map of its own: ~500 bytes of garbage against ~50 (Node 20,
 * docs/performance-garbage-notes.md, session 17). The frozen copy and the caller's own copy are private fields:
 * spread, JSON and deep equality see `type` and `info` only, as they saw the literal's.
 */
class ConnectedEvent {
  readonly type = 'connected';
  readonly #frozen: NegotiatedInfo;
  #handed: Readonly<NegotiatedInfo> | undefined;
  declare info: Readonly<NegotiatedInfo>;

  constructor(frozen: NegotiatedInfo) {
    this.#frozen = frozen;
    Object.defineProperty(this, 'info', ConnectedEvent.#info);
  }

  /** One descriptor, so one accessor pair and one map shared by every event. */
  static readonly #info: PropertyDescriptor = {
    get(this: ConnectedEvent): Readonly<NegotiatedInfo> {
      return (this.#handed ??= withOwnBytes(this.#frozen) as NegotiatedInfo);
    },
    set(this: ConnectedEvent, value: Readonly<NegotiatedInfo>) {
      this.#handed = value;
    },
    enumerable: true,
    configurable: true,
  };
}
