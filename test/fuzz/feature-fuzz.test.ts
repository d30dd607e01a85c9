// The fuzz targets added for the features the first six scenarios do not reach, in `npm test`: seeded and
// bounded, so every run makes the same inputs. Stateful: every feature scenario, both victims, every
// mutator at the first inbound flights (the invariant of src/testing/fuzz/stateful.ts, now with "no
// identity on a side that never connected"). X.509: structure-aware mutations of a real chain, raw public
// key and OCSP staple (src/testing/fuzz/x509.ts). Config: misshaped fields of working configs
// (src/testing/fuzz/config.ts). Longer campaigns: `npm run fuzz -- --target stateful:pha` and so on.
import { describe, expect, it } from 'vitest';
import { insecureFuzzingProvider } from '../../src/crypto/fuzzing.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { FEATURE_SCENARIOS } from '../../src/testing/fuzz/feature-scenarios.js';
import { Choices, Prng } from '../../src/testing/fuzz/input.js';
import { MUTATORS } from '../../src/testing/fuzz/mutations.js';
import { runStatefulCase } from '../../src/testing/fuzz/stateful.js';
import { fuzzTarget } from '../../src/testing/fuzz/targets.js';

describe('stateful fuzzing of the feature scenarios (seeded, bounded)', () => {
  for (const scenario of FEATURE_SCENARIOS) {
    it(`keeps the invariant for every mutator at the first three inbound flights of both sides in ${scenario}`, () => {
      const prng = new Prng(scenario.length * 7919);
      const results = new Set<string>();
      for (const victim of ['client', 'server'] as const) {
        for (const mutator of Object.keys(MUTATORS)) {
          for (let flight = 0; flight < 3; flight++) {
            results.add(runStatefulCase({ scenario, victim, flight, seed: flight, provider: insecureFuzzingProvider, choices: new Choices(prng.bytes(16)), mutator }).result);
          }
        }
      }
      expect(results).toContain('alert');
      expect(results).toContain('connected');
    });
  }
});

describe('stateful fuzzing of the feature scenarios with real crypto (noble; seeded, few cases)', () => {
  // Real signatures, key shares and certificate checks: paths the insecure fuzzing provider shortcuts.
  for (const scenario of FEATURE_SCENARIOS) {
    it(`keeps the invariant for 6 mutations of ${scenario} under noble`, () => {
      const prng = new Prng(scenario.length * 104729);
      const mutators = Object.keys(MUTATORS);
      const results = new Set<string>();
      for (const victim of ['client', 'server'] as const) {
        for (let flight = 0; flight < 3; flight++) {
          const mutator = mutators[prng.below(mutators.length)]!;
          // runStatefulCase throws when the invariant breaks; the outcome it returns is one of the allowed ends.
          results.add(runStatefulCase({ scenario, victim, flight, seed: flight, provider: nobleProvider, choices: new Choices(prng.bytes(16)), mutator }).result);
        }
      }
      expect(results).toContain('alert');
    }, 60_000);
  }
});

describe('X.509, raw public key and OCSP staple fuzzing (seeded, bounded)', () => {
  for (const name of ['x509:chain', 'x509:spki', 'x509:staple']) {
    it(`${name}: 150 mutated documents fail only with TlsErrors of their own reason`, () => {
      const target = fuzzTarget(name);
      const prng = new Prng(5280 + name.length);
      const outcomes = new Set<string>();
      for (let i = 0; i < 150; i++) outcomes.add(target.run(target.generate(prng)).replace(/^.*: /, ''));
      // Both ends reached: documents refused and documents still accepted (a mutation the parse ignores).
      expect([...outcomes].some((o) => /BadCertificate|UnsupportedCertificate|refused|BadCertificateStatusResponse/.test(o))).toBe(true);
      expect([...outcomes].some((o) => /trusted|parsed|good|spki/.test(o))).toBe(true);
    });
  }
});

describe('CRL and configured OCSP staple fuzzing (seeded, bounded)', () => {
  for (const name of ['x509:crl', 'x509:ocsp-config']) {
    it(`${name}: 120 mutated documents are one-line TypeErrors or work`, () => {
      const target = fuzzTarget(name);
      const prng = new Prng(3280 + name.length);
      const outcomes = new Set<string>();
      for (let i = 0; i < 120; i++) outcomes.add(target.run(target.generate(prng)).replace(/^.*: /, ''));
      expect(outcomes).toContain('TypeError');
      expect([...outcomes].some((o) => /^(trusted|untrusted|accepted, .*)$/.test(o))).toBe(true);
    });
  }
});

describe('config fuzzing (seeded, bounded)', () => {
  for (const name of ['api:client', 'api:server']) {
    it(`${name}: 300 broken configs are one-line TypeErrors or working configs`, () => {
      const target = fuzzTarget(name);
      const prng = new Prng(8446 + name.length);
      const outcomes = { refused: 0, accepted: 0 };
      for (let i = 0; i < 300; i++) {
        const outcome = target.run(target.generate(prng));
        outcomes[outcome.endsWith(': TypeError') ? 'refused' : 'accepted']++;
      }
      expect(outcomes.refused).toBeGreaterThan(30);
      // At least 20: deleting `now` from a config that pins a certificate is refused since `now` is required
      // there (src/auth/trust.ts kindNeedingClock), and deleting `provider` from one whose keys the fuzzing
      // provider made since the key pair is checked with the config's provider (src/handshake/key-pairs.ts:
      // under the default provider the certificate's key is not the private key's); 22 of this seed's are accepted.
      expect(outcomes.accepted).toBeGreaterThanOrEqual(20);
    });
  }
});
