// Replays every input saved under test/regressions/: files written by `npm run fuzz` for failures it found
// ({ target, input, error }) must now pass their target's invariant; the seed corpus ({ cases: [...] })
// must also give the outcome recorded with each case.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fuzzTarget } from '../../src/testing/fuzz/targets.js';
import { fromHex } from '../../src/wire/bytes.js';

interface SavedCase {
  target: string;
  input: string;
  outcome?: string;
  error?: string;
  why?: string;
}

const dir = join(import.meta.dirname, '.');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
const cases = files.flatMap((file): Array<SavedCase & { file: string }> => {
  const data = JSON.parse(readFileSync(join(dir, file), 'utf8')) as SavedCase | { cases: SavedCase[] };
  return 'cases' in data ? data.cases.map((c) => ({ ...c, file })) : [{ ...data, file }];
});

describe('fuzz regressions', () => {
  it('has saved inputs to replay', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const c of cases) {
    it(`keeps the invariant of ${c.target} on ${c.input.slice(0, 24)} (${c.file}${c.why ? `: ${c.why}` : ''})`, () => {
      const outcome = fuzzTarget(c.target).run(fromHex(c.input));
      if (c.outcome !== undefined) expect(outcome).toBe(c.outcome);
    });
  }
});
