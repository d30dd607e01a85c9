/**
 * Mutation testing (issue 11): `npm run mutation`, or one file at a time with
 * `npm run mutation -- --mutate src/record/protection.ts`. Results and every surviving mutant's explanation
 * are in docs/mutation.md. Not part of .ci/run: it takes minutes per file (see docs/mutation.md).
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  // The security-relevant code: records, certificates and trust, and the handshake files that decide who the
  // peer is and which keys protect the connection. The globs also match client/ and server/ folders, so the
  // set stays right when the handshake state machines are split into folders.
  mutate: [
    'src/record/**/*.ts',
    '!src/record/index.ts',
    'src/auth/**/*.ts',
    // The certificate builder makes test and CLI certificates; it decides nothing about a peer.
    '!src/auth/builder.ts',
    'src/handshake/{peer-certificate,client-certificate,signatures,transcript,keyschedule,tickets}.ts',
    'src/handshake/{client,server}.ts',
    'src/handshake/{client,server}/**/*.ts',
  ],
  coverageAnalysis: 'perTest',
  // The machine is shared: one test-runner process.
  concurrency: 1,
  // A mutant that makes a loop run forever is a kill by timeout; 10 s above the normal run time is plenty.
  timeoutMS: 10_000,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
