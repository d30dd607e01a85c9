// Stateful mutation fuzzing in `npm test`: every scenario, role, mutator and inbound flight once (seeded,
// bounded), plus exhaustive sweeps for the cases the RFC pins down exactly: byte-at-a-time delivery,
// alerts of every description, data after close_notify. The invariant is checked by runStatefulCase
// (src/testing/fuzz/stateful.ts): no escaped exception, no hang, and either a correct handshake or
// exactly one fatal alert of an allowed description, after which its sender is closed and silent.
import { describe, expect, it } from 'vitest';
import { insecureFuzzingProvider } from '../../src/crypto/fuzzing.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { Connection } from '../../src/handshake/connection.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { Choices, Prng } from '../../src/testing/fuzz/input.js';
import { MUTATORS } from '../../src/testing/fuzz/mutations.js';
import { SCENARIOS, scenarioConfigs } from '../../src/testing/fuzz/scenarios.js';
import { runStatefulCase } from '../../src/testing/fuzz/stateful.js';
import { AlertDescription } from '../../src/wire/enums.js';

const ROLES = ['client', 'server'] as const;
const exporterOf = (c: Connection) => c.exportKeyingMaterial('EXPORTER-test', new Uint8Array(0), 32);

describe('stateful mutation fuzzing (seeded, bounded)', () => {
  for (const scenario of SCENARIOS) {
    for (const victim of ROLES) {
      it(`keeps the one-alert invariant for every mutator at every inbound flight of the ${victim} in ${scenario}`, () => {
        const prng = new Prng(scenario.length * 31 + victim.length);
        const results = new Set<string>();
        for (const mutator of Object.keys(MUTATORS)) {
          for (let flight = 0; flight < 5; flight++) {
            const outcome = runStatefulCase({ scenario, victim, flight, seed: flight, provider: insecureFuzzingProvider, choices: new Choices(prng.bytes(16)), mutator });
            results.add(outcome.result);
          }
        }
        // The sweep reached both ends: mutations that were caught and ones the handshake survived.
        expect(results).toContain('alert');
        expect(results).toContain('connected');
      });
    }
  }

  it('runs the same invariant with real crypto (noble) on a few cases', () => {
    for (const victim of ROLES) {
      // The first inbound flight with protected records: the server's first flight, the client's second.
      const flight = victim === 'client' ? 0 : 1;
      const outcome = runStatefulCase({ scenario: '1rtt', victim, flight, seed: 3, provider: nobleProvider, choices: new Choices(Uint8Array.of(0, 0, 3)), mutator: 'protectedFlip' });
      expect(outcome).toMatchObject({ result: 'alert', detector: victim, alert: 'bad_record_mac' });
    }
  });
});

describe('chunked delivery', () => {
  for (const scenario of SCENARIOS) {
    it(`gives the same ${scenario} handshake when every flight arrives one byte at a time`, () => {
      const whole = scenarioConfigs(scenario, insecureFuzzingProvider, 5);
      const bytewise = scenarioConfigs(scenario, insecureFuzzingProvider, 5);
      const a = new InMemoryPair(whole.client, whole.server).run();
      const b = new InMemoryPair(bytewise.client, bytewise.server, { chunkSize: 1 }).run();
      expect(b.client.isConnected && b.server.isConnected).toBe(true);
      expect(exporterOf(b.client)).toEqual(exporterOf(a.client));
      expect(exporterOf(b.server)).toEqual(exporterOf(a.server));
    });
  }
});

describe('alerts and close_notify', () => {
  const descriptions = Object.entries(AlertDescription);

  for (const victim of ROLES) {
    it(`lets an alert of every description end the ${victim}'s reading side without an answer (user_canceled is ignored)`, () => {
      for (const [name, code] of descriptions) {
        for (const level of [1, 2]) {
          const { client: cc, server: sc } = scenarioConfigs('1rtt', insecureFuzzingProvider, 9);
          const client = Connection.client(cc);
          const server = Connection.server(sc);
          const conn = victim === 'client' ? client : server;
          if (victim === 'client') server.receive(client.takeOutput());
          conn.takeOutput();
          conn.takeEvents();
          conn.receive(Uint8Array.of(0x15, 0x03, 0x03, 0x00, 0x02, level, code));
          const events = conn.takeEvents();
          expect(conn.takeOutput(), `${name}/${level}`).toHaveLength(0);
          if (name === 'user_canceled') {
            expect(events.map((e) => e.type)).toEqual(['alert']);
            continue;
          }
          expect(events.map((e) => e.type), `${name}/${level}`).toEqual(['alert', 'closed']);
          expect(events[1]).toMatchObject({ type: 'closed', by: 'peer' });
          // Reading has ended: the rest of the handshake is ignored.
          conn.receive(victim === 'client' ? server.takeOutput() : client.takeOutput());
          expect(conn.takeEvents()).toEqual([]);
          expect(conn.takeOutput()).toHaveLength(0);
        }
      }
    });
  }

  it('ignores application data that follows close_notify', () => {
    const { client: cc, server: sc } = scenarioConfigs('1rtt', insecureFuzzingProvider, 11);
    const pair = new InMemoryPair(cc, sc).run();
    pair.client.write(Uint8Array.of(1));
    const before = pair.client.takeOutput();
    pair.client.close();
    const closeNotify = pair.client.takeOutput();
    pair.server.takeEvents();
    pair.server.receive(before);
    pair.server.receive(closeNotify);
    expect(pair.server.takeEvents().map((e) => e.type)).toEqual(['data', 'alert', 'closed']);
    // A record after close_notify (here: a replay of the data record) is not read at all.
    pair.server.receive(before);
    expect(pair.server.takeEvents()).toEqual([]);
    expect(pair.server.takeOutput()).toHaveLength(0);
  });
});
