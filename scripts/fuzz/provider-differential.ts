// The `diff:` fuzz targets: one `inner:` input (src/testing/fuzz/inner-mutations.ts) run twice, with noble
// and with the node:crypto provider (OpenSSL). Both draw their randomness from the same seeded source and
// sign with Ed25519 (deterministic), so the two runs put the same bytes on the wire and must end the same
// way: the same edit, the same result, the same detector and alert. A difference means one provider takes
// or refuses what the other does not (an odd key share, signature or certificate key), or throws where the
// other returns false: either way one of them decides wrongly.
import { nobleProvider } from '../../src/crypto/noble.js';
import type { Role } from '../../src/handshake/events.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { FEATURE_SCENARIOS, type FeatureScenarioName } from '../../src/testing/fuzz/feature-scenarios.js';
import { decodeInnerInput } from '../../src/testing/fuzz/inner-mutations.js';
import { SCENARIOS, type ScenarioName } from '../../src/testing/fuzz/scenarios.js';
import { runStatefulCase, type StatefulOutcome } from '../../src/testing/fuzz/stateful.js';
import { summarize, type FuzzTarget } from '../../src/testing/fuzz/targets.js';

/** The providers' verdicts on one input differ. */
export class ProviderDisagreement extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProviderDisagreement';
  }
}

/** Runs one `inner:` input under both providers (each run keeps the stateful invariant) and compares their ends. */
export function runProviderDifferential(input: Uint8Array, scenario: ScenarioName | FeatureScenarioName, victim: Role): string {
  // The exporter too: equal bytes on the wire give equal keys, so a connected pair must agree on it.
  const end = (outcome: StatefulOutcome) => `${summarize(outcome)}${outcome.exporter ? ` (exporter ${outcome.exporter.slice(0, 16)})` : ''}`;
  const noble = end(runStatefulCase(decodeInnerInput(input, nobleProvider, scenario, victim)));
  const node = end(runStatefulCase(decodeInnerInput(input, nodeCryptoProvider, scenario, victim)));
  if (noble !== node) throw new ProviderDisagreement(`${scenario}/${victim}: noble "${noble}", node:crypto "${node}"`);
  return noble;
}

export function providerDifferentialTargets(): FuzzTarget[] {
  return [...SCENARIOS, ...FEATURE_SCENARIOS].flatMap((scenario) =>
    (['client', 'server'] as const).map((victim) => ({
      name: `diff:${scenario}:${victim}`,
      generate: (prng) => prng.bytes(8 + prng.below(24)),
      run: (input) => runProviderDifferential(input, scenario, victim),
    })),
  );
}
