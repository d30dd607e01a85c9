import { defineConfig } from 'vitest/config';

/**
 * The test selection Stryker runs mutants against (`npm run mutation`, see stryker.config.mjs).
 *
 * One project (noble, the default provider) and only the directories that exercise src/record, src/auth and
 * the key schedule, transcript and signature code: the unit tests, the RFC 8448 byte-exact replays, and the
 * attacker scripts in test/security. Interop, the CLI and the node:crypto project add minutes per mutant and
 * kill nothing these do not. MUTATION_TESTS (comma-separated globs) narrows or widens it for one run, e.g.
 * `MUTATION_TESTS=test/record/**\/*.test.ts npm run mutation -- --mutate src/record/reader.ts`.
 */
const defaultInclude = [
  'test/record/**/*.test.ts',
  'test/auth/**/*.test.ts',
  'test/vectors/**/*.test.ts',
  'test/security/**/*.test.ts',
];

const include = process.env.MUTATION_TESTS ? process.env.MUTATION_TESTS.split(',') : defaultInclude;

export default defineConfig({
  test: {
    include,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: { EXPECTED_DEFAULT_PROVIDER: 'noble' },
  },
});
