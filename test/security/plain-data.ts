// Handed-out values as plain data, for the tests that compare what callers were given (info-copies,
// lazy-connected-event).

/** Plain data for comparison: bytes as hex. */
export function described(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (v instanceof Uint8Array ? `bytes:${Buffer.from(v).toString('hex')}` : v)));
}

/** Every byte array reachable from `value`, in walk order. */
export function byteArrays(value: unknown, found: Uint8Array[] = []): Uint8Array[] {
  if (value instanceof Uint8Array) found.push(value);
  else if (typeof value === 'object' && value !== null) for (const field of Object.values(value)) byteArrays(field, found);
  return found;
}
