// The checks a config schema is made of (config-validation.ts): each takes a value and the path that names it,
// and throws a TypeError saying what the field must be and what it got; `object` and `topLevel` check a record
// field by field against a schema, refusing unknown fields where the schema is exact.
import { showValue } from '../wire/show-value.js';
import { isInheritedField } from './inherited-fields.js';

/** Throws a TypeError naming `path` when `value` does not fit. */
export type Check = (value: unknown, path: string) => void;
export interface Field {
  check: Check;
  required?: true;
}
/** A check for every field of T, optional or not. */
export type Schema<T> = { [K in keyof Required<T>]-?: Field | Check };

/**
 * The paths under the last path a check saw, joined once: a config is checked for every connection made with
 * it, and mostly passes, so its paths would otherwise be new strings each time (one entry per check, so
 * bounded by the schemas).
 */
class PathMemo<T> {
  private path: string | undefined;
  private paths!: T;
  constructor(private readonly empty: () => T) {}

  under(path: string): T {
    if (path !== this.path) {
      this.path = path;
      this.paths = this.empty();
    }
    return this.paths;
  }
}

export function mismatch(path: string, expected: string, value: unknown): never {
  throw new TypeError(`${path} must be ${expected}: got ${showValue(value)}`);
}

export const required = (check: Check): Field => ({ check, required: true });

export const bool: Check = (v, path) => typeof v === 'boolean' || mismatch(path, 'true or false', v);
export const fn: Check = (v, path) => typeof v === 'function' || mismatch(path, 'a function', v);
export const bytes: Check = (v, path) => v instanceof Uint8Array || mismatch(path, 'a Uint8Array', v);
export const text: Check = (v, path) => typeof v === 'string' || mismatch(path, 'a string', v);
export const anObject: Check = (v, path) => (typeof v === 'object' && v !== null && !Array.isArray(v)) || mismatch(path, 'an object', v);
export const onlyTrue: Check = (v, path) => v === true || mismatch(path, 'true (or absent)', v);

export function integer(min: number, max: number): Check {
  return (v, path) => (Number.isInteger(v) && (v as number) >= min && (v as number) <= max) || mismatch(path, `an integer from ${min} to ${max}`, v);
}
export const uint16 = integer(0, 0xffff);

export function oneOf(...values: readonly string[]): Check {
  return (v, path) => values.includes(v as string) || mismatch(path, `one of ${values.map((x) => `'${x}'`).join(', ')}`, v);
}

export function bytesOfLength(min: number, max: number): Check {
  return (v, path) => {
    bytes(v, path);
    const length = (v as Uint8Array).length;
    if (length < min || length > max) mismatch(path, min === max ? `${min} bytes` : `${min} to ${max} bytes`, v);
  };
}

/** `distinct`: no element twice (a list that becomes one extension each, RFC 8446 §4.2: one of a type per block). */
export function arrayOf(item: Check, { nonEmpty = false, distinct = false } = {}): Check {
  const elementPaths = new PathMemo<string[]>(() => []);
  return (v, path) => {
    if (!Array.isArray(v)) mismatch(path, nonEmpty ? 'a non-empty array' : 'an array', v);
    if (nonEmpty && v.length === 0) mismatch(path, 'a non-empty array', v);
    const paths = elementPaths.under(path);
    for (let i = 0; i < v.length; i++) {
      const at = (paths[i] ??= `${path}[${i}]`);
      // A hole: the engine reads arrays by index and with for...of, which give it as undefined.
      if (!(i in v)) throw new TypeError(`${at} is a hole in the array: give a value or leave it out`);
      item(v[i], at);
      if (distinct && v.indexOf(v[i]) < i) mismatch(at, 'a name not listed before', v[i]);
    }
  };
}

/** The first check that accepts the value; otherwise one error saying what was expected. */
export function either(expected: string, ...checks: Check[]): Check {
  return (v, path) => {
    for (const check of checks) {
      try {
        check(v, path);
        return;
      } catch (e) {
        if (!(e instanceof TypeError)) throw e;
      }
    }
    mismatch(path, expected, v);
  };
}

/**
 * An object whose fields each pass their check. `exact`: a field not in the schema is a TypeError, so a
 * misspelt option (`servername` for `serverName`) is refused instead of ignored.
 */
export function object(schema: Record<string, Field | Check>, { exact }: { exact: boolean }): Check {
  // The schema as a list, made once: a config is checked for every connection made with it.
  const fields = Object.entries(schema).map(([key, field]) => ({ key, ...(typeof field === 'function' ? { check: field } : field) }));
  const fieldPaths = new PathMemo<Record<string, string>>(() => Object.create(null) as Record<string, string>);
  return (v, path) => {
    anObject(v, path);
    const record = v as Record<string, unknown>;
    const paths = fieldPaths.under(path);
    for (const { key, check, required: needed } of fields) {
      const value = record[key];
      if (value === undefined) {
        if (needed) throw new TypeError(`${at(path, key)} is required`);
        continue;
      }
      check(value, (paths[key] ??= at(path, key)));
    }
    if (exact) {
      let unknown: string[] | undefined;
      // Object.hasOwn: `key in schema` passed `constructor`, `toString` and `__proto__` (Object.prototype's).
      for (const key in record) if (Object.hasOwn(record, key) && !Object.hasOwn(schema, key) && record[key] !== undefined && !isInheritedField(record, key)) (unknown ??= []).push(key);
      if (unknown) {
        const names = unknown.map((k) => `'${k}'`).join(', ');
        throw new TypeError(`${path === '' ? '' : `${path}: `}unknown option${unknown.length > 1 ? 's' : ''} ${names}`);
      }
    }
  };
}

/** Joins a field path; the top level has no prefix ("trust.kind", not "config.trust.kind"). */
function at(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** A top-level config: an object whose fields are named without a prefix. */
export function topLevel<T>(schema: Schema<T>): (v: unknown) => void {
  const check = object(schema, { exact: true });
  return (v) => {
    anObject(v, 'the config');
    check(v, '');
  };
}
