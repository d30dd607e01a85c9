// Shrinks a failing fuzz input: drops bytes from the end, then single bytes, then zeroes bytes, keeping
// each change only while the target still fails the same way (same error name and first line).
import type { FuzzTarget } from '../../src/testing/fuzz/targets.js';

export function failureOf(target: FuzzTarget, input: Uint8Array): Error | undefined {
  try {
    target.run(input);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

const signature = (e: Error) => `${e.name}: ${e.message.split('\n')[0]!.replace(/\d+/g, '#')}`;

export function minimize(target: FuzzTarget, input: Uint8Array, error: Error, maxRuns = 2000): Uint8Array {
  const wanted = signature(error);
  let runs = 0;
  const stillFails = (candidate: Uint8Array) => {
    runs++;
    const e = failureOf(target, candidate);
    return e !== undefined && signature(e) === wanted;
  };
  let best = input;
  for (let cut = best.length >> 1; cut >= 1 && runs < maxRuns; cut >>= 1) {
    while (best.length >= cut && runs < maxRuns && stillFails(best.subarray(0, best.length - cut))) best = best.slice(0, best.length - cut);
  }
  for (let i = best.length - 1; i >= 0 && runs < maxRuns; i--) {
    const candidate = Uint8Array.from([...best.subarray(0, i), ...best.subarray(i + 1)]);
    if (stillFails(candidate)) best = candidate;
  }
  for (let i = 0; i < best.length && runs < maxRuns; i++) {
    if (best[i] === 0) continue;
    const candidate = best.slice();
    candidate[i] = 0;
    if (stillFails(candidate)) best = candidate;
  }
  return best;
}
