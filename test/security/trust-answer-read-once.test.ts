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

// The answer itself is read once too (the application as attacker, docs/security.md): its `kind` was read five
// times. A getter that said 'verify-peer' to the pending-decision check and 'client-certificate' to the
// verdict's read, then 'verify-peer' again, made resolve() clear the pending decision and throw a TypeError
// before the machine had a verdict: a connection neither pending nor closed, stuck in WAIT_CV.
describe('the answer object is read once: its kind cannot change between the check and the decision', () => {
  it("a `kind` getter that changes after its first read: the decision is taken as first read (accepted), read once", () => {
    const pair = new InMemoryPair(clientConfig({ trust: { kind: 'ask' } }), serverConfig()).run();
    expect(pair.client.pendingDecision?.kind).toBe('verify-peer');
    const kinds = ['verify-peer', 'client-certificate', 'client-certificate', 'client-certificate'] as const;
    let reads = 0;
    const answer = {
      get kind() {
        return kinds[reads++] ?? 'verify-peer';
      },
      verdict: { trusted: true },
    };
    try {
      pair.client.resolve(answer as never);
    } catch {
      // Judged below: a thrown answer must leave the decision pending.
    }
    expect(pair.client.isClosed || pair.client.isConnected || pair.client.pendingDecision !== undefined).toBe(true);
    pair.run();
    expect(pair.client.isConnected).toBe(true);
    expect(pair.client.info.peer?.verdict.rule).toBe('caller');
    expect(reads).toBe(1);
  });

  it('a certificate answer whose fields are getters is read once', () => {
    const harness = clientConfig({});
    let reads = 0;
    const pair = new InMemoryPair({ ...harness, certificate: 'ask' }, serverConfig({ clientAuth: 'optional', trust: harness.trust })).run();
    expect(pair.client.pendingDecision?.kind).toBe('client-certificate');
    const certificate = {
      chain: [new Uint8Array([0x30, 0x00])],
      signer: () => new Uint8Array(64),
      get rawPublicKey() {
        reads++;
        return reads > 1;
      },
    };
    try {
      pair.client.resolve({ kind: 'client-certificate', certificate });
    } catch {
      // Either way, below.
    }
    expect(reads).toBe(1);
  });
});
