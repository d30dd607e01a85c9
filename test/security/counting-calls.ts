// Work counted, not timed: a built-in method (Array.prototype.filter, String.prototype.endsWith, ...) replaced
// while `run` runs by one that adds what `weigh` says of each call (1 per call, the elements passed over, ...).

/** `run`'s result, and the sum of `weigh` over the calls of `owner[method]` it made. */
export function countingCalls<O extends object, K extends keyof O, T>(
  owner: O,
  method: K,
  weigh: (self: unknown, args: unknown[]) => number,
  run: () => T,
): { result: T; count: number } {
  const original = owner[method] as (...args: unknown[]) => unknown;
  let count = 0;
  owner[method] = function (this: unknown, ...args: unknown[]) {
    count += weigh(this, args);
    return original.apply(this, args);
  } as O[K];
  try {
    return { result: run(), count };
  } finally {
    owner[method] = original as O[K];
  }
}

/** Weighs an array method's call by the elements of the array it is called on. */
export const elementsOf = (self: unknown) => (self as unknown[]).length;
