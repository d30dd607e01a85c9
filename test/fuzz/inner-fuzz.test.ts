// The `inner:` fuzz targets in `npm test`, seeded and bounded: one handshake message inside a flight
// (protected or not, under whichever key: handshake, application, after a KeyUpdate) edited in one field and
// sealed again under the sender's keys (src/testing/fuzz/inner-mutations.ts), in every scenario, both
// victims. The judge of src/testing/fuzz/stateful.ts holds each run to the one-alert invariant, to the alert
// RFC 8446 names for the edit where it names one, and forbids `connected`, data or a post-handshake
// authentication after an edit of bytes a Finished covers. Then the same inputs under noble and node:crypto,
// which must end alike (scripts/fuzz/provider-differential.ts). Longer: `npm run fuzz -- --target inner:`,
// `--target diff:`.
import { describe, expect, it } from 'vitest';
import { insecureFuzzingProvider } from '../../src/crypto/fuzzing.js';
import { FEATURE_SCENARIOS } from '../../src/testing/fuzz/feature-scenarios.js';
import { decodeInnerInput } from '../../src/testing/fuzz/inner-mutations.js';
import { Choices, Prng } from '../../src/testing/fuzz/input.js';
import { SCENARIOS } from '../../src/testing/fuzz/scenarios.js';
import { InvariantViolation, runStatefulCase } from '../../src/testing/fuzz/stateful.js';
import { runProviderDifferential } from '../../scripts/fuzz/provider-differential.js';

const ALL = [...SCENARIOS, ...FEATURE_SCENARIOS];
const INPUTS_PER_TARGET = 20;

describe('inner: structure-aware edits inside the flights (seeded, bounded)', () => {
  const edited = new Set<string>();
  const expectations = new Set<string>();

  for (const scenario of ALL) {
    it(`keeps the invariant for ${INPUTS_PER_TARGET} edits per victim in ${scenario}`, () => {
      const results = new Set<string>();
      for (const victim of ['client', 'server'] as const) {
        const prng = new Prng(scenario.length * 131 + victim.length);
        for (let i = 0; i < INPUTS_PER_TARGET; i++) {
          const outcome = runStatefulCase(decodeInnerInput(prng.bytes(8 + prng.below(24)), insecureFuzzingProvider, scenario, victim));
          results.add(outcome.result);
          const description = outcome.mutation?.description ?? '';
          const kind = /^inner: (?:drop |duplicate )?((?:compressed )?[a-z_]+)/.exec(description)?.[1];
          if (kind) edited.add(`${kind}${outcome.mutation?.authenticated === 'post-handshake-auth' ? ' (after the handshake)' : ''}`);
          if (outcome.mutation?.expect) expectations.add(`${description.replace(/^inner: ([a-zA-Z_.]+).*/, '$1')} -> ${outcome.alert}`);
        }
      }
      expect(results).toContain('alert');
      expect(results).toContain('connected');
    });
  }

  it('reached the messages behind every key and the edits whose alert the RFC names', () => {
    // Messages under handshake keys, application keys (tickets, post-handshake auth) and the keys after a
    // KeyUpdate, and inside a CompressedCertificate: what a one-key editor from sequence 0 could not open.
    for (const kind of ['certificate_verify', 'finished', 'encrypted_extensions', 'new_session_ticket', 'key_update', 'compressed certificate', 'certificate_request (after the handshake)', 'certificate (after the handshake)']) {
      expect(edited, kind).toContain(kind);
    }
    for (const reached of ['finished.verifyData -> decrypt_error', 'certificate_verify.signature -> decrypt_error', 'key_update.requestUpdate -> illegal_parameter', 'server_hello.cipherSuite -> illegal_parameter']) {
      expect(expectations, reached).toContain(reached);
    }
  });
});

describe('the inner judge', () => {
  // Each new check of the judge must be able to fail: a flight mutator that claims what it did not do.
  const liar = (claim: { expect?: ['decrypt_error']; authenticated?: 'handshake' }) => ({
    editable: () => true,
    apply: (flight: Uint8Array) => ({ description: 'unchanged, but claims an edit', fault: 'handshake' as const, chunks: [flight], ...claim }),
  });
  const run = (claim: Parameters<typeof liar>[0]) => () =>
    runStatefulCase({ scenario: '1rtt', victim: 'client', flight: 0, seed: 1, provider: insecureFuzzingProvider, choices: new Choices(new Uint8Array(0)), mutate: liar(claim) });

  it('refuses a connection after an edit of authenticated handshake bytes', () => {
    expect(run({ authenticated: 'handshake' })).toThrow(InvariantViolation);
    expect(run({ authenticated: 'handshake' })).toThrow(/reported connected after an edit of authenticated handshake bytes/);
  });

  it('refuses an end without the alert RFC 8446 names for the edit', () => {
    expect(run({ expect: ['decrypt_error'] })).toThrow(/RFC 8446 names decrypt_error/);
  });

  it('accepts the unchanged handshake', () => {
    expect(run({})()).toMatchObject({ result: 'connected' });
  });
});

describe('diff: noble and node:crypto end alike on the same edited flights (seeded, few cases)', () => {
  for (const scenario of ['mtls', 'rpk', 'hrr', 'pha', 'ocsp', 'psk-hrr'] as const) {
    it(`${scenario}: 1 edit per victim`, () => {
      const prng = new Prng(scenario.length * 7);
      for (const victim of ['client', 'server'] as const) {
        // runProviderDifferential throws when the two providers' runs end differently.
        expect(runProviderDifferential(prng.bytes(16), scenario, victim)).toMatch(/connected|alert|stalled|closed/);
      }
    });
  }
});
