// The fuzz targets, by name: one per handshake message decoder, one for any msg_type, and one stateful
// target per scenario and role. Shared by `npm run fuzz` (scripts/fuzz.ts) and the regression replay test.
// Core-safe: no node imports.
import { insecureFuzzingProvider } from '../../crypto/fuzzing.js';
import type { CryptoProvider } from '../../crypto/provider.js';
import type { Role } from '../../handshake/events.js';
import { handshakeTypeName } from '../../wire/enums.js';
import { checkDecoder, DECODED_KINDS, DECODER_ALERTS, generateBody, MSG_TYPES, UNKNOWN_TYPE_ALERTS, type DecodedKind } from './codec.js';
import type { Prng } from './input.js';
import { FEATURE_SCENARIOS, type FeatureScenarioName } from './feature-scenarios.js';
import { SCENARIOS, type ScenarioName } from './scenarios.js';
import { decodeStatefulInput, runStatefulCase, type StatefulOutcome } from './stateful.js';
import { decodeInnerInput } from './inner-mutations.js';
import { nobleProvider } from '../../crypto/noble.js';
import { runX509Case, X509_TARGETS, type X509TargetName } from './x509.js';
import { CONFIG_TARGETS, runConfigCase, type ConfigTargetName } from './config.js';
import { REVOCATION_TARGETS, runRevocationCase, type RevocationTargetName } from './revocation.js';

export interface FuzzTarget {
  name: string;
  /** A new input to try. */
  generate(prng: Prng): Uint8Array;
  /**
   * Runs one input and returns a one-line summary of the outcome (e.g. `rejected decode_error`,
   * `alert bad_record_mac by server`); throws (InvariantViolation, CodecViolation) when the invariant breaks.
   */
  run(input: Uint8Array): string;
}

function alertsForType(msgType: number) {
  const name = handshakeTypeName(msgType);
  return Object.hasOwn(DECODER_ALERTS, name) ? DECODER_ALERTS[name as DecodedKind] : UNKNOWN_TYPE_ALERTS;
}

function codecTarget(kind: DecodedKind): FuzzTarget {
  const msgType = MSG_TYPES[kind];
  return {
    name: `codec:${kind}`,
    generate: (prng) => generateBody(msgType, prng),
    run: (body) => checkDecoder(msgType, body, DECODER_ALERTS[kind]),
  };
}

/** The first input byte is the msg_type (known or not), the rest the body. */
const anyTypeTarget: FuzzTarget = {
  name: 'codec:any-type',
  generate(prng) {
    const msgType = prng.below(4) === 0 ? prng.u32() & 0xff : MSG_TYPES[DECODED_KINDS[prng.below(DECODED_KINDS.length)]!];
    return Uint8Array.of(msgType, ...generateBody(msgType, prng));
  },
  run(input) {
    if (input.length === 0) return 'empty input';
    return checkDecoder(input[0]!, input.subarray(1), alertsForType(input[0]!));
  },
};

/** Input: the flight to mutate, a seed and the mutation's decisions (see decodeStatefulInput). */
function statefulTarget(scenario: ScenarioName | FeatureScenarioName, victim: Role, provider: CryptoProvider): FuzzTarget {
  return {
    name: `stateful:${scenario}:${victim}${provider === insecureFuzzingProvider ? '' : `:${provider.name}`}`,
    generate: (prng) => prng.bytes(8 + prng.below(24)),
    run: (input) => summarize(runStatefulCase(decodeStatefulInput(input, provider, { scenario, victim }))),
  };
}

/** Input: which inbound flight, a seed, then one edit of a handshake message inside it (inner-mutations.ts). */
function innerTarget(scenario: ScenarioName | FeatureScenarioName, victim: Role, provider: CryptoProvider): FuzzTarget {
  return {
    name: `inner:${scenario}:${victim}${provider === insecureFuzzingProvider ? '' : `:${provider.name}`}`,
    generate: (prng) => prng.bytes(8 + prng.below(24)),
    run: (input) => summarize(runStatefulCase(decodeInnerInput(input, provider, scenario, victim))),
  };
}

export function summarize(outcome: StatefulOutcome): string {
  const what = outcome.result === 'alert' ? `alert ${outcome.alert} by ${outcome.detector}` : outcome.result;
  return outcome.mutation ? `${outcome.mutation.description}: ${what}` : what;
}

/**
 * Input: which leaf and document, then the DER mutation's decisions (src/testing/fuzz/x509.ts). Real
 * crypto (noble): the signature checks of path validation are part of what a hostile chain costs.
 */
function x509Target(name: X509TargetName): FuzzTarget {
  return {
    name,
    generate: (prng) => prng.bytes(12 + prng.below(36)),
    run: (input) => runX509Case(name, input, nobleProvider),
  };
}

/** Input: which CRL or staple, then the DER mutation's decisions (src/testing/fuzz/revocation.ts); real crypto. */
function revocationTarget(name: RevocationTargetName): FuzzTarget {
  return {
    name,
    generate: (prng) => prng.bytes(12 + prng.below(36)),
    run: (input) => runRevocationCase(name, input, nobleProvider),
  };
}

/** Input: the scenario, then which config fields to break and how (src/testing/fuzz/config.ts). */
function configTarget(name: ConfigTargetName, provider: CryptoProvider): FuzzTarget {
  return {
    name,
    generate: (prng) => prng.bytes(4 + prng.below(12)),
    run: (input) => runConfigCase(name, input, provider),
  };
}

/** Every target; stateful ones use `provider` (the insecure fuzzing provider unless told otherwise). */
export function fuzzTargets(provider: CryptoProvider = insecureFuzzingProvider): FuzzTarget[] {
  return [
    ...DECODED_KINDS.map(codecTarget),
    anyTypeTarget,
    ...X509_TARGETS.map(x509Target),
    ...REVOCATION_TARGETS.map(revocationTarget),
    ...CONFIG_TARGETS.map((name) => configTarget(name, provider)),
    ...[...SCENARIOS, ...FEATURE_SCENARIOS].flatMap((scenario) => (['client', 'server'] as const).map((victim) => statefulTarget(scenario, victim, provider))),
    ...[...SCENARIOS, ...FEATURE_SCENARIOS].flatMap((scenario) => (['client', 'server'] as const).map((victim) => innerTarget(scenario, victim, provider))),
  ];
}

export function fuzzTarget(name: string, provider?: CryptoProvider): FuzzTarget {
  const target = fuzzTargets(provider).find((t) => t.name === name || t.name === `${name}:${provider?.name}`);
  if (!target) throw new Error(`no fuzz target named ${name}`);
  return target;
}
