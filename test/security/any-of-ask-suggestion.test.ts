// Attacker's script for `any-of` with `ask` (src/auth/trust.ts anyOf): when no policy accepts, the caller decides
// and is given the policy's `suggestion`. A certificate that a CA policy refuses (the wrong name, expired,
// revoked) or that matches no pin reached the caller as "waiting for the caller to decide" alone: a caller that
// shows the suggestion to a person, or accepts on first use, was not told why the configured policies refused
// it. The suggestion must carry every refusal, and the first refusal's reason for a caller that echoes it back.
import { describe, expect, it } from 'vitest';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { clientConfig, impostor, serverConfig } from '../handshake/abort-harness.js';

describe('any-of with ask: the caller is told why the other policies refused', () => {
  it('a certificate no pin and no CA accepts: the suggestion names both refusals and the first reason', () => {
    const pair = new InMemoryPair(
      clientConfig({
        trust: {
          kind: 'any-of',
          policies: [{ kind: 'pinned-certificate', certificates: [impostor.der] }, { kind: 'ask' }, { kind: 'ca', anchors: [impostor.der] }],
        },
      }),
      serverConfig(),
    ).run();
    const decision = pair.client.pendingDecision;
    expect(decision?.kind).toBe('verify-peer');
    const suggestion = decision?.kind === 'verify-peer' ? decision.suggestion : undefined;
    expect(suggestion?.trusted).toBe(false);
    expect(suggestion?.detail).toMatch(/is not pinned/);
    expect(suggestion?.detail).toMatch(/ca:/);
    expect(suggestion?.reason).toBe('BadCertificate');
    // Echoing the suggestion refuses with its reason.
    pair.client.resolve({ kind: 'verify-peer', verdict: { trusted: false, reason: suggestion!.reason } });
    pair.run();
    expect(pair.client.isConnected).toBe(false);
  });

  it('ask alone: the suggestion is the plain wait (control)', () => {
    const pair = new InMemoryPair(clientConfig({ trust: { kind: 'ask' } }), serverConfig()).run();
    const decision = pair.client.pendingDecision;
    expect(decision?.kind === 'verify-peer' ? decision.suggestion?.detail : undefined).toBe('waiting for the caller to decide');
  });
});
