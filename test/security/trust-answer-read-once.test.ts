// Attacker's script for Connection.resolve's verify-peer answer (validateTrustAnswer, config-validation.ts): the
// answer is checked to be exactly true or false, then read again to build the verdict. An answer whose `trusted`
// is a getter (a class whose field is filled by an async check, a Proxy over a result object) can say `false`
// to the check and hand over something else afterwards: a Promise, truthy, accepted the peer. The verdict must
// be built from the very values that were checked, each read once.
import { describe, expect, it } from 'vitest';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { clientConfig, serverConfig } from '../handshake/abort-harness.js';

describe('a verify-peer answer is read once: what was checked is what decides', () => {
  it('a getter answering false to the check and a Promise afterwards does not accept the peer', () => {
    const pair = new InMemoryPair(clientConfig({ trust: { kind: 'ask' } }), serverConfig()).run();
    expect(pair.client.pendingDecision?.kind).toBe('verify-peer');
    let reads = 0;
    const answer = {
      get trusted(): boolean {
        reads++;
        return (reads === 1 ? false : Promise.resolve(false)) as boolean;
      },
    };
    try {
      pair.client.resolve({ kind: 'verify-peer', verdict: answer });
    } catch {
      // A refusal by exception is fine too; what matters is below.
    }
    pair.run();
    expect(pair.client.info.peer).toBeUndefined();
    expect(pair.client.isConnected).toBe(false);
    expect(reads).toBe(1);
  });

  it('a getter answering true to the check and a refusal afterwards: the peer is accepted, as checked (control)', () => {
    const pair = new InMemoryPair(clientConfig({ trust: { kind: 'ask' } }), serverConfig()).run();
    let reads = 0;
    const answer = {
      get trusted(): boolean {
        reads++;
        return reads === 1;
      },
    };
    pair.client.resolve({ kind: 'verify-peer', verdict: answer });
    pair.run();
    expect(pair.client.isConnected).toBe(true);
    expect(pair.client.info.peer?.verdict.trusted).toBe(true);
    expect(reads).toBe(1);
  });
});
