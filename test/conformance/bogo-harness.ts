// BoringSSL's BoGo tests (ssl/test/runner) replayed against our engine (docs/bogo.md): each testCase becomes
// a case named as BoGo names it, with what BoGo's runner accepts from the shim and what we answer. BoGo checks
// the shim's own error string (expectedError, e.g. ":WRONG_CURVE:"), which only BoringSSL prints, and
// sometimes the alert the runner received (expectedLocalError "remote error: illegal parameter"): we check
// that a failing case fails with a fatal alert, the alert itself where BoGo names it, and pin ours.
import { expect } from 'vitest';
import type { TlsEvent } from '../../src/handshake/events.js';
import { expectClosedForGood, type Abort, type AlertName } from '../handshake/abort-harness.js';
import { ours, replaySuite, type ReplayedCase } from './anvil-harness.js';

/**
 * What BoGo's runner accepts from the shim:
 * - succeeds: shouldFail false, the handshake (and what the case adds: resumption, data) completes;
 * - fails: shouldFail, the shim's error string and, when the case names it, the alert the runner got;
 * - peerAlert: shouldFail, the shim's error names the fatal alert the runner sent (":TLSV1_ALERT_RECORD_OVERFLOW:"),
 *   which no alert answers (RFC 8446 §6.2).
 */
export type BogoExpected = { succeeds: true } | { fails: string; alert?: AlertName } | { peerAlert: AlertName };

/**
 * A testCase: its name in BoGo (its function in the describe block around it), BoGo's expectation, our pinned
 * answer, why we answer otherwise on purpose (docs/bogo.md), how it is played, what else BoGo checks on the shim
 * (a ClientHello field, the negotiated ALPN).
 */
export interface BogoCase extends ReplayedCase<BogoExpected> {
  name: string;
  /**
   * What BoGo's runner itself checks on our messages, part of BoGo's verdict (the scheme we signed with, a
   * certificate when it requires one): for a divergence, this or the outcome must fail.
   */
  runner?: (result: Abort) => void;
}

export const SUCCEEDS: BogoExpected = { succeeds: true };
export const fails = (error: string, alert?: AlertName): BogoExpected => (alert ? { fails: error, alert } : { fails: error });
export const closedByPeer = (alert: AlertName): BogoExpected => ({ peerAlert: alert });

/** The fatal alert `victim` received is in its events, and it closed without an alert of its own. */
export function expectClosedByPeer(events: TlsEvent[], alert: AlertName): void {
  expect(events).toContainEqual(expect.objectContaining({ type: 'alert', direction: 'in', level: 'fatal', description: alert }));
  expect(events.filter((e) => e.type === 'alert' && e.direction === 'out')).toEqual([]);
}

/** Checks a result as BoGo's runner would. */
export function expectBogo(result: Abort, expected: BogoExpected): void {
  const outcome = ours(result);
  if ('peerAlert' in expected) {
    expect(outcome).toBe('closed');
    expectClosedByPeer(result.events, expected.peerAlert);
    expectClosedForGood(result.victim);
    return;
  }
  if ('succeeds' in expected) {
    expect(outcome).toBe('continues');
    expect(result.victim.isConnected).toBe(true);
    return;
  }
  // BoringSSL sends an alert for every error it reports; so do we.
  expect(outcome).not.toBe('continues');
  expect(outcome).not.toBe('closed');
  expect(result.output.length).toBeGreaterThan(0);
  if (expected.alert) expect(outcome).toBe(expected.alert);
  expectClosedForGood(result.victim);
}

/** One vitest case per BoGo testCase: BoGo's expectation, then our exact answer. */
export function replay(cases: BogoCase[]): void {
  replaySuite(cases, (c) => c.name, verdictName, (result, expected, c) => {
    expectBogo(result, expected);
    c.runner?.(result);
  });
}

export function verdictName(expected: BogoExpected): string {
  if ('succeeds' in expected) return 'succeeds';
  if ('peerAlert' in expected) return `fails on the runner's ${expected.peerAlert}`;
  return `fails ${expected.fails}${expected.alert ? ` (${expected.alert})` : ''}`;
}
