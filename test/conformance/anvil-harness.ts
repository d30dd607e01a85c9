// TLS-Anvil (tls-attacker/TLS-Anvil, TLS-Testsuite) replayed against our engine: each of its test methods
// becomes a case named "Class#method" with what TLS-Anvil's validator accepts (its expected result) and what
// we answer (ours, which may be stricter: TLS-Anvil often checks only that some fatal alert came). The
// expectation is checked as TLS-Anvil checks it; ours is pinned so a change shows up. Shared by the client
// suites (anvil-client-*.test.ts, whose malicious server is anvil-server.ts) and any server-side replay.
import { expect, it } from 'vitest';
import type { Abort, AlertName } from '../handshake/abort-harness.js';
import { expectClosedForGood } from '../handshake/abort-harness.js';

/**
 * What TLS-Anvil's validator accepts:
 * - alert: Validator.receivedFatalAlert and testAlertDescription, a fatal alert of this description;
 * - fatal: Validator.receivedFatalAlert alone, a fatal alert of any description, and the connection closed;
 * - fails: TlsLengthfieldTest.validateLengthTest, the workflow does not run as planned and a fatal alert comes;
 * - closed: Validator.socketClosed, the peer closes (an alert is allowed, not required);
 * - continues: Validator.executedAsPlanned, or "no alert, socket open" after the step.
 */
export type AnvilExpected = { alert: AlertName } | { fatal: true } | { fails: true } | { closed: true } | { continues: true };

/** What our victim did: the one fatal alert it sent, 'closed' without one, or 'continues'. */
export type Ours = AlertName | 'closed' | 'continues';

export interface AnvilCase {
  /** "Class#method" in TLS-Anvil's TLS-Testsuite (package suffix under suite/tests/, e.g. client/tls13/rfc8446). */
  id: string;
  expected: AnvilExpected;
  ours: Ours;
  /**
   * Why we answer otherwise on purpose (docs/tls-anvil.md): the case then checks that TLS-Anvil's expectation
   * is NOT met, so a change of ours shows up here and in the document together.
   */
  divergence?: string;
  /** Plays the test against the victim; the victim's events and output. */
  run: () => Abort;
}

/** What the victim did, read from its events. */
export function ours({ victim, events }: Abort): Ours {
  const sent = events.filter((e) => e.type === 'alert' && e.direction === 'out');
  if (sent.length > 1) throw new Error(`the victim sent ${sent.length} alerts`);
  const alert = sent[0];
  if (alert?.type === 'alert') {
    expect(alert.level).toBe('fatal');
    return alert.description as AlertName;
  }
  return victim.isClosed ? 'closed' : 'continues';
}

/** Checks a result as TLS-Anvil's validator would. */
export function expectAnvil(result: Abort, expected: AnvilExpected): void {
  const outcome = ours(result);
  if ('continues' in expected) {
    expect(outcome).toBe('continues');
    return;
  }
  expect(result.victim.isClosed).toBe(true);
  if ('closed' in expected) return;
  expect(outcome).not.toBe('closed');
  // The alert is on the wire: the last record the victim wrote is an alert (plaintext) or a protected record.
  expect(result.output.length).toBeGreaterThan(0);
  if ('alert' in expected) expect(outcome).toBe(expected.alert);
  if ('fails' in expected) expect(result.victim.isConnected).toBe(false);
  expectClosedForGood(result.victim);
}

/** One vitest case per TLS-Anvil method: their expectation, then our exact answer. */
export function replay(cases: AnvilCase[]): void {
  replaySuite(cases, (c) => c.id, describeExpected, expectAnvil);
}

/** A case of a replayed suite (TLS-Anvil here, BoGo in bogo-harness.ts): its expectation, our pinned answer. */
export interface ReplayedCase<E> {
  expected: E;
  ours: Ours;
  divergence?: string;
  run: () => Abort;
  /** What else the suite checks, on the result. */
  check?: (result: Abort) => void;
}

/**
 * One vitest case per case of a suite named `name`: our exact answer, then the suite's `verdict` (which must
 * fail for a divergence, so a change of ours shows up), then the case's own checks.
 */
export function replaySuite<E, C extends ReplayedCase<E>>(cases: C[], name: (c: C) => string, describe: (expected: E) => string, verdict: (result: Abort, expected: E, c: C) => void): void {
  it.each(cases.map((c) => [`${name(c)} → ${describe(c.expected)}; ours: ${c.ours}${c.divergence ? ' (divergence)' : ''}`, c] as const))('%s', (_, c) => {
    const result = c.run();
    expect(ours(result)).toBe(c.ours);
    if (c.divergence) expect(() => verdict(result, c.expected, c)).toThrow();
    else verdict(result, c.expected, c);
    c.check?.(result);
  });
}

function describeExpected(expected: AnvilExpected): string {
  if ('alert' in expected) return expected.alert;
  if ('fatal' in expected) return 'a fatal alert';
  if ('fails' in expected) return 'fails with a fatal alert';
  if ('closed' in expected) return 'closes';
  return 'continues';
}

export const alert = (name: AlertName): AnvilExpected => ({ alert: name });
export const FATAL: AnvilExpected = { fatal: true };
export const FAILS: AnvilExpected = { fails: true };
export const CLOSED: AnvilExpected = { closed: true };
export const CONTINUES: AnvilExpected = { continues: true };
