// Attacker's test: a `secret` event hands the application the engine's own arrays. An application that wipes
// what its key-log handler was given (good hygiene: `event.secret.fill(0)` once the line is written) then
// wipes the engine's exporter_master_secret, application traffic secrets and resumption_master_secret: the
// exporter (RFC 8446 §7.5) answers from an all-zero secret, which anyone can compute (channel bindings made
// worthless), the next KeyUpdate (§7.2) derives its traffic keys from zeros (readable by anyone when both ends
// do this), and a client's ticket PSK (§4.6.1) becomes HKDF-Expand-Label(0, "resumption", nonce).
//
// Two runs from the same seeds, one whose applications wipe every array every secret event gave them as they
// take the events, one that does not: what the engine computes afterwards must be the same.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { hex, utf8 } from '../../src/wire/bytes.js';

const identity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('secret-event-copies'));
const ticketKey = seededRandom('secret-event-copies ticket key')(32);

interface Outcome {
  exporters: string[];
  afterKeyUpdate: string[];
  ticketPsks: string[];
  wiped: number;
}

function run(wipe: boolean): Outcome {
  const pair = new InMemoryPair(
    { trust: { kind: 'pinned-certificate', certificates: [identity.der] }, now: () => TEST_NOW, random: seededRandom('c') },
    {
      certificate: identity,
      now: () => TEST_NOW,
      random: seededRandom('s'),
      tickets: { count: 1, key: ticketKey, antiReplay: new SingleUseTickets() },
    },
  );
  let seen = 0;
  let wiped = 0;
  // As an application would: each new event is handled (here: wiped) before the next flight arrives.
  const handleNewEvents = () => {
    for (const { event } of pair.log.slice(seen)) {
      if (wipe && event.type === 'secret') {
        event.secret.fill(0);
        event.clientRandom.fill(0);
        wiped++;
      }
    }
    seen = pair.log.length;
  };
  const flights = () => {
    while (pair.step('client') || pair.step('server')) handleNewEvents();
    handleNewEvents();
  };
  flights();
  const connected = (['client', 'server'] as const).map((side) => pair.events(side).some((e) => e.type === 'connected'));
  if (!connected.every(Boolean)) return { exporters: [`connected: ${connected.join(', ')}`], afterKeyUpdate: [], ticketPsks: [], wiped };
  const exporters = [pair.client, pair.server].map((side) => hex(side.exportKeyingMaterial('EXPORTER-binding', utf8.encode('ctx'), 32)));
  pair.client.updateKeys(true);
  flights();
  pair.client.write(utf8.encode('after the client update'));
  pair.server.write(utf8.encode('after the server update'));
  const afterKeyUpdate = [pair.client.takeOutput(), pair.server.takeOutput()].map(hex);
  const ticketPsks = pair.log.flatMap(({ side, event }) => (side === 'client' && event.type === 'session-ticket' ? [hex(event.ticket.psk)] : []));
  return { exporters, afterKeyUpdate, ticketPsks, wiped };
}

const dataRecords = (events: TlsEvent[]) => events.filter((e) => e.type === 'data').length;

describe('secret events carry copies: an application wiping them does not touch the engine (RFC 8446 §7.2, §7.5, §4.6.1)', () => {
  it('exporters, traffic keys after a KeyUpdate and ticket PSKs are the same whether or not the application wipes what it was given', () => {
    const reference = run(false);
    const wiping = run(true);
    // The secret events came (handshake, application, exporter, resumption: both sides) and were wiped.
    expect(wiping.wiped).toBeGreaterThanOrEqual(10);
    expect(reference.ticketPsks).toHaveLength(1);
    expect(wiping.exporters).toEqual(reference.exporters);
    expect(wiping.afterKeyUpdate).toEqual(reference.afterKeyUpdate);
    expect(wiping.ticketPsks).toEqual(reference.ticketPsks);
  });

  it('the secret an event carries is the secret: wiping an earlier event does not change a later one', () => {
    const pair = new InMemoryPair(
      { trust: { kind: 'pinned-certificate', certificates: [identity.der] }, now: () => TEST_NOW, random: seededRandom('c') },
      { certificate: identity, now: () => TEST_NOW, random: seededRandom('s') },
    ).run();
    const secrets = pair.events('client').filter((e) => e.type === 'secret');
    const first = secrets[0]!;
    const randomBefore = hex(first.clientRandom);
    first.clientRandom.fill(0);
    expect(secrets.slice(1).map((e) => hex(e.clientRandom))).toEqual(secrets.slice(1).map(() => randomBefore));
    pair.client.write(utf8.encode('still fine'));
    pair.run();
    expect(dataRecords(pair.events('server'))).toBe(1);
  });
});
