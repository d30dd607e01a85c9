// Which fields of a config snapshot the caller's object did not hold as its own enumerable fields (defaults on
// a prototype, a class's getters, non-enumerable properties). The snapshot makes them plain fields, so the
// engine reads them as the caller's object answered; the exact-shape check passes over the unknown ones among
// them, as it did on the caller's object, where it looks at own enumerable fields only: a decoded Extension
// (its lazy `value` getter) given as a clientHello extension stays `{ type, data }`.
const inherited = new WeakMap<object, ReadonlySet<string>>();

export function markInheritedFields(copy: object, names: ReadonlySet<string>): void {
  if (names.size > 0) inherited.set(copy, names);
}

export const isInheritedField = (record: object, key: string): boolean => inherited.get(record)?.has(key) ?? false;

