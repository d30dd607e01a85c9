// Attacker: the caller's own mistake, turned into a channel binding that binds nothing. TLS-Exporter (RFC 8446
// §7.5) is HKDF-Expand-Label(Derive-Secret(exporter_master_secret, label, ""), "exporter", Hash(context),
// length), and HkdfLabel (§7.1) writes the length in a uint16 and "tls13 " + label in a label<7..255>.
// exportKeyingMaterial passed whatever it got to the provider, which decided alone:
//   - length NaN (Number() of a missing setting) gave 0 bytes under node:crypto: two sides that compare
//     exporter values, as channel bindings do (RFC 9266), compared empty arrays and agreed; length 1.5 gave
//     1 byte, its HkdfLabel claiming 1 (both from any connection, whoever the peer);
//   - a string context was hashed as text under node:crypto and refused by noble, so the value depended on
//     the provider; a label over 249 bytes or a length over 255 * HashLen threw an Error from deep inside.
// Each is now a TypeError or RangeError naming the argument, in both providers, for both exporters; node:tls
// refuses the same (a length of at least 1, a string label, a buffer context).
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { Connection } from '../../src/handshake/connection.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { TEST_NOW } from '../../src/testing/certs.js';
import { utf8 } from '../../src/wire/bytes.js';
import { connected } from '../conformance/harness.js';
import { clientConfig, serverConfig } from '../handshake/abort-harness.js';

type Exporter = (c: Connection, label: unknown, context: unknown, length: unknown) => Uint8Array;
type Sides = () => { client: Connection; server: Connection };

/** A connected pair (for the exporter). */
const oneRtt: Sides = () => {
  const { victim: server, peer: client } = connected('client');
  return { client, server };
};

/** A client that sent 0-RTT data and a server that accepted it (for the early exporter). */
const zeroRtt: Sides = () => {
  const tickets = { count: 1, key: seededRandom('exporter tickets')(32), maxEarlyDataSize: 64, antiReplay: new SingleUseTickets() };
  const first = new InMemoryPair(clientConfig(), serverConfig({ tickets })).run();
  const ticket = first.events('client').flatMap((e) => (e.type === 'session-ticket' ? [e.ticket] : []))[0] as SessionTicket;
  const second = new InMemoryPair(clientConfig({ now: () => TEST_NOW + 1000, resumption: { ticket, earlyData: utf8.encode('early') } }), serverConfig({ now: () => TEST_NOW + 1000, tickets })).run();
  if (second.server.info.earlyData !== 'accepted') throw new Error('0-RTT was not accepted');
  return { client: second.client, server: second.server };
};

const exporters: Array<[string, Sides, Exporter]> = [
  ['exportKeyingMaterial', oneRtt, (c, label, context, length) => c.exportKeyingMaterial(label as string, context as Uint8Array, length as number)],
  ['exportEarlyKeyingMaterial', zeroRtt, (c, label, context, length) => c.exportEarlyKeyingMaterial(label as string, context as Uint8Array, length as number)],
];

const EMPTY = new Uint8Array(0);

describe.each(exporters)('%s refuses arguments RFC 8446 §7.1, §7.5 cannot encode', (_, sides, exportWith) => {
  const { client, server } = sides();

  it.each([
    ['a NaN length', 'EXPORTER-test', EMPTY, Number.NaN, RangeError],
    ['a fractional length', 'EXPORTER-test', EMPTY, 1.5, RangeError],
    ['a length of 0 (binds nothing)', 'EXPORTER-test', EMPTY, 0, RangeError],
    ['a negative length', 'EXPORTER-test', EMPTY, -1, RangeError],
    ['a length over 255 * HashLen (HKDF-Expand, RFC 5869 §2.3)', 'EXPORTER-test', EMPTY, 255 * 32 + 1, RangeError],
    ['a length as a string', 'EXPORTER-test', EMPTY, '32', TypeError],
    ['a string context', 'EXPORTER-test', 'context', 32, TypeError],
    ['an undefined context', 'EXPORTER-test', undefined, 32, TypeError],
    ['an undefined label', undefined, EMPTY, 32, TypeError],
    ['a label of 250 bytes ("tls13 " + label > 255)', 'a'.repeat(250), EMPTY, 32, RangeError],
    ['a label of 125 two-byte characters (250 bytes)', 'é'.repeat(125), EMPTY, 32, RangeError],
  ])('%s is refused with its error class on both sides', (_, label, context, length, kind) => {
    for (const side of [client, server]) {
      expect(() => exportWith(side, label, context, length)).toThrow(kind);
      // One line, naming the argument: no provider's message from inside HKDF.
      expect(() => exportWith(side, label, context, length)).toThrow(/^(label|context|length) /);
    }
  });

  it('the largest label, the largest length and length 1 still export, the same on both sides', () => {
    const label = 'a'.repeat(249);
    for (const [l, length] of [[label, 32], ['EXPORTER-test', 255 * 32], ['EXPORTER-test', 1]] as const) {
      const value = exportWith(client, l, Uint8Array.of(1, 2, 3), length);
      expect(value).toHaveLength(length);
      expect(exportWith(server, l, Uint8Array.of(1, 2, 3), length)).toEqual(value);
    }
  });
});
