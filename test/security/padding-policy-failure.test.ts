// Attacker's view of a careless caller: a `recordPadding` policy (RFC 8446 §5.4) that throws, or answers
// something other than a whole number of bytes (a string '100', -1, NaN, a Promise). The writer refused the
// answer with an Error, the step failed, and the fatal alert that was to end the connection asked the same
// policy again for its own padding: the Error escaped receive() (the peer's bytes made the engine throw), and
// no alert went out. A failed policy is now not asked again: the connection ends with internal_error, sent
// unpadded, and receive() returns. write() of data whose padding fails ends the connection the same way,
// instead of throwing with part of the data already queued.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { ContentType } from '../../src/wire/enums.js';

const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('padding failure server'));

const BAD_ANSWERS: Array<[string, () => number]> = [
  ['throws', () => { throw new Error('padding table missing'); }],
  ["answers the string '100'", () => '100' as unknown as number],
  ['answers -1', () => -1],
  ['answers NaN', () => NaN],
  ['answers a Promise', () => Promise.resolve(16) as unknown as number],
];

function pair(client: Partial<ClientConfig>, serverConfig: Partial<ServerConfig>) {
  return new InMemoryPair(
    { trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom('c'), ...client },
    { certificate: server, now: () => TEST_NOW, random: seededRandom('s'), ...serverConfig },
  );
}

const alertsOut = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : []));
const alertsIn = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'alert' && e.direction === 'in' ? [e.description] : []));

describe('a recordPadding policy that fails ends the connection with internal_error; nothing escapes receive()', () => {
  for (const [how, policy] of BAD_ANSWERS) {
    it(`the server's policy ${how}: internal_error reaches the client`, () => {
      const p = pair({}, { recordPadding: policy });
      expect(() => p.run()).not.toThrow();
      expect(alertsOut(p.events('server'))).toEqual(['internal_error']);
      expect(alertsIn(p.events('client'))).toEqual(['internal_error']);
      expect(p.server.isClosed && p.client.isClosed).toBe(true);
    });

    it(`the client's policy ${how}: internal_error reaches the server`, () => {
      const p = pair({ recordPadding: policy }, {});
      expect(() => p.run()).not.toThrow();
      expect(alertsOut(p.events('client'))).toEqual(['internal_error']);
      expect(alertsIn(p.events('server'))).toEqual(['internal_error']);
    });
  }

  it('a policy that fails only for application data: write() ends the connection with internal_error instead of throwing', () => {
    const policy = (type: number) => (type === ContentType.application_data ? NaN : 0);
    const p = pair({ recordPadding: policy }, {}).run();
    expect(p.client.isConnected).toBe(true);
    expect(() => p.client.write(new Uint8Array(40_000))).not.toThrow();
    expect(p.client.isClosed).toBe(true);
    p.run();
    expect(alertsIn(p.events('server'))).toEqual(['internal_error']);
    // The data never reached the server: the first record's padding already failed.
    expect(p.events('server').some((e) => e.type === 'data')).toBe(false);
  });
});
