// Attacker's scripts for the trust policies' edges (src/auth/trust.ts, Connection.resolve):
// - a `verify-peer` answer whose `trusted` is truthy but not `true` (a Promise from an async check the caller
//   forgot to await, the string 'false', 1) accepted the peer: the connection reported it authenticated;
// - `any-of` with `ask` asked the caller or refused without asking, depending on the order of the policies;
// - a pin policy that can match nothing (no pins, an empty list, a key that is no SubjectPublicKeyInfo, a
//   certificate given as PEM bytes) was accepted, and refused every peer with bad_certificate at run time.
import { describe, expect, it } from 'vitest';
import { toPem } from '../../src/auth/pem.js';
import type { TrustPolicy } from '../../src/auth/trust.js';
import { Connection } from '../../src/handshake/connection.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { utf8 } from '../../src/wire/bytes.js';
import { clientConfig, server, serverConfig } from '../handshake/abort-harness.js';

const alertsSent = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : []));
/** A pin of nobody's key. */
const strangerPin = `sha256/${Buffer.alloc(32, 7).toString('base64')}`;

describe("a verify-peer answer is true or false, nothing that merely looks truthy", () => {
  const answers: Array<[string, unknown]> = [
    ['a Promise (an async check not awaited)', Promise.resolve(false)],
    ["the string 'false'", 'false'],
    ['the number 1', 1],
    ['absent', undefined],
  ];
  for (const [what, trusted] of answers) {
    it(`trusted: ${what} is a one-line TypeError; the decision stays pending and nothing is sent`, () => {
      const pair = new InMemoryPair(clientConfig({ trust: { kind: 'ask' } }), serverConfig()).run();
      expect(pair.client.pendingDecision?.kind).toBe('verify-peer');
      pair.client.takeOutput();
      let thrown: unknown;
      try {
        pair.client.resolve({ kind: 'verify-peer', verdict: { trusted } as never });
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(TypeError);
      expect((thrown as Error).message).toMatch(/trusted/);
      expect((thrown as Error).message).not.toContain('\n');
      expect(pair.client.takeOutput()).toHaveLength(0);
      expect(pair.client.info.peer).toBeUndefined();
      expect(pair.client.isConnected).toBe(false);
      // The caller can still answer properly.
      expect(pair.client.pendingDecision?.kind).toBe('verify-peer');
      pair.client.resolve({ kind: 'verify-peer', verdict: { trusted: false } });
      pair.run();
      expect(pair.client.isConnected).toBe(false);
      expect(alertsSent([...pair.events('client'), ...pair.client.takeEvents()])).toEqual(['bad_certificate']);
    });
  }

  it('a reason that is no protocol reason is a TypeError too', () => {
    const pair = new InMemoryPair(clientConfig({ trust: { kind: 'ask' } }), serverConfig()).run();
    expect(() => pair.client.resolve({ kind: 'verify-peer', verdict: { trusted: false, reason: 'nope' as never } })).toThrow(TypeError);
    expect(pair.client.pendingDecision?.kind).toBe('verify-peer');
  });

  it('trusted: true still accepts (control)', () => {
    const pair = new InMemoryPair(clientConfig({ trust: { kind: 'ask' } }), serverConfig()).run();
    pair.client.resolve({ kind: 'verify-peer', verdict: { trusted: true } });
    pair.run();
    expect(pair.client.isConnected).toBe(true);
    expect(pair.client.info.peer?.verdict.rule).toBe('caller');
  });
});

describe("any-of with ask: the caller decides whenever no other policy accepts, whatever the order", () => {
  for (const policies of [
    [{ kind: 'pinned-key', spkiSha256: [strangerPin] }, { kind: 'ask' }],
    [{ kind: 'ask' }, { kind: 'pinned-key', spkiSha256: [strangerPin] }],
  ] satisfies TrustPolicy[][]) {
    it(`[${policies.map((p) => p.kind).join(', ')}] pauses with verify-peer`, () => {
      const pair = new InMemoryPair(clientConfig({ trust: { kind: 'any-of', policies } }), serverConfig()).run();
      expect(alertsSent(pair.events('client'))).toEqual([]);
      expect(pair.client.pendingDecision?.kind).toBe('verify-peer');
    });
  }

  it('a pin that accepts decides without asking (control)', () => {
    const trust: TrustPolicy = { kind: 'any-of', policies: [{ kind: 'ask' }, { kind: 'pinned-certificate', certificates: [server.der] }] };
    const pair = new InMemoryPair(clientConfig({ trust }), serverConfig()).run();
    expect(pair.client.isConnected).toBe(true);
    expect(pair.client.info.peer?.verdict.rule).toBe('pinned-certificate');
  });
});

describe('a pin policy that can match nothing is a TypeError before anything is sent', () => {
  const policies: Array<[string, TrustPolicy, RegExp]> = [
    ['pinned-key without pins', { kind: 'pinned-key' }, /spkiSha256 or keys/],
    ['pinned-key with empty lists', { kind: 'pinned-key', spkiSha256: [], keys: [] }, /spkiSha256 or keys/],
    ['a raw 32-byte key in keys', { kind: 'pinned-key', keys: [server.certificate.spki.slice(-32)] }, /trust\.keys\[0\].*SubjectPublicKeyInfo/],
    ['a PEM SubjectPublicKeyInfo as bytes in keys', { kind: 'pinned-key', keys: [utf8.encode(toPem('PUBLIC KEY', server.certificate.spki))] }, /trust\.keys\[0\].*PEM/],
    ['a PEM certificate as bytes', { kind: 'pinned-certificate', certificates: [utf8.encode(toPem('CERTIFICATE', server.der))] }, /trust\.certificates\[0\].*PEM/],
    ['a DER that is no certificate', { kind: 'pinned-certificate', certificates: [server.certificate.spki] }, /trust\.certificates\[0\]/],
    ['the same inside any-of', { kind: 'any-of', policies: [{ kind: 'ask' }, { kind: 'pinned-key', spkiSha256: [] }] }, /spkiSha256 or keys/],
  ];
  for (const [what, trust, message] of policies) {
    it(what, () => {
      let thrown: unknown;
      try {
        Connection.client(clientConfig({ trust }));
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(TypeError);
      expect((thrown as Error).message).toMatch(message);
      expect((thrown as Error).message).not.toContain('\n');
      expect(() => Connection.server(serverConfig({ clientAuth: 'require', trust }))).toThrow(TypeError);
    });
  }

  it('the same keys as DER, and the certificate as DER, connect (control)', () => {
    for (const trust of [
      { kind: 'pinned-key', keys: [server.certificate.spki] },
      { kind: 'pinned-certificate', certificates: [server.der] },
    ] satisfies TrustPolicy[]) {
      expect(new InMemoryPair(clientConfig({ trust }), serverConfig()).run().client.isConnected).toBe(true);
    }
  });
});
