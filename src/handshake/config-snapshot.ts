// A config as it was when it was taken: every field read once, the data copied and frozen, so that what was
// checked is what the connections use, and a caller changing its own objects afterwards (a getter that
// answers differently the second time, an array pushed to, bytes written over) changes nothing of ours.
// A server takes one snapshot of its config and shares it, read-only, with every connection it accepts.

/**
 * Fields that hold behaviour, not data: kept as given. A provider, a 0-RTT anti-replay register and a
 * certificate compressor are objects with methods and, possibly, state of their own (`this`): a copy would
 * cut them off from it, a frozen one would throw on its first write. Functions are kept as given anyway.
 */
const BEHAVIOUR = new Set(['provider', 'antiReplay']);
/** Lists of behaviour: the list is copied, its elements kept as given. */
const LISTS_OF_BEHAVIOUR = new Set(['certificateCompression']);

/**
 * A deep copy of `config`: plain objects and arrays copied and frozen, byte arrays copied (a typed array
 * cannot be frozen: these copies are reachable only through the snapshot), numbers, strings, bigints and
 * functions as they are; objects of a class (a Map, a KeyObject, a register) and the BEHAVIOUR fields by
 * reference. Each property is read exactly once, getters included.
 */
export function snapshotConfig<T extends object>(config: T): T {
  return copy(config, undefined) as T;
}

function copy(value: unknown, key: string | undefined): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (key !== undefined && BEHAVIOUR.has(key)) return value;
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) {
    const keepElements = key !== undefined && LISTS_OF_BEHAVIOUR.has(key);
    const list: unknown[] = new Array(value.length);
    // Holes stay holes (the checks skip them, as forEach does).
    for (let i = 0; i < value.length; i++) if (i in value) list[i] = keepElements ? value[i] : copy(value[i], undefined);
    return Object.freeze(list);
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const object: Record<string, unknown> = prototype === null ? Object.create(null) : {};
  for (const name of Object.keys(value)) object[name] = copy((value as Record<string, unknown>)[name], name);
  return Object.freeze(object);
}
