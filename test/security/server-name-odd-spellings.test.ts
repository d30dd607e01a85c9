// Attacker: a client that spells server_name in the ways RFC 6066 §3 leaves to the reader: IDNA A-labels in
// any case, names that start like an IP address, IPv4-mapped IPv6, bytes that are not ASCII, a NUL, two
// host_names, another name_type, an empty list. Each must be one answer: a DNS name lowercased, an IP literal
// ignored, anything else refused with the exact alert, never a name reported in two spellings.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { utf8 } from '../../src/wire/bytes.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { ExtensionType } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';

const identity = makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['a.example'] } }, seededRandom('sni odd server'));
const serverConfig: ServerConfig = { certificate: identity, now: () => TEST_NOW, random: seededRandom('sni odd s') };

/** ServerNameList bytes: each entry a name_type and a host_name. */
function nameList(entries: Array<[number, number[]]>): Uint8Array {
  const body = entries.flatMap(([type, bytes]) => [type, bytes.length >> 8, bytes.length & 0xff, ...bytes]);
  return Uint8Array.of(body.length >> 8, body.length & 0xff, ...body);
}
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

function offering(body: Uint8Array) {
  const names = ['server_name', 'supported_versions', 'supported_groups', 'signature_algorithms', 'key_share'] as const;
  const client: ClientConfig = {
    trust: { kind: 'pinned-certificate', certificates: [identity.der] },
    now: () => TEST_NOW,
    random: seededRandom('sni odd c'),
    serverName: 'a.example',
    clientHello: { extensions: names.map((n) => (n === 'server_name' ? X.ext(ExtensionType.server_name, body) : n)) },
  };
  const pair = new InMemoryPair(client, serverConfig).run();
  return { pair, alerts: pair.events('server').flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : [])) };
}

describe('server_name spellings', () => {
  const accepted: Record<string, string> = {
    'XN--BCHER-KVA.Example': 'xn--bcher-kva.example',
    'xn--a.example': 'xn--a.example', // an A-label is not decoded: compared as the bytes it is
    '1.2.3.4.example': '1.2.3.4.example',
  };
  for (const [wire, reported] of Object.entries(accepted)) {
    it(`${wire}: a DNS name, reported as ${reported}`, () => {
      const r = offering(nameList([[0, ascii(wire)]]));
      expect(r.alerts).toEqual([]);
      expect(r.pair.server.info.serverName).toBe(reported);
    });
  }

  for (const wire of ['::ffff:1.2.3.4', '::FFFF:7F00:1', '[::1]']) {
    it(`${wire}: an IP literal, ignored`, () => {
      const r = offering(nameList([[0, ascii(wire)]]));
      expect(r.alerts).toEqual([]);
      expect(r.pair.server.isConnected).toBe(true);
      expect(r.pair.server.info.serverName).toBeUndefined();
    });
  }

  const refused: Record<string, [Uint8Array, string]> = {
    '0x7f.1 (a number to inet_aton)': [nameList([[0, ascii('0x7f.1')]]), 'illegal_parameter'],
    '01.2.3.4 (octal to inet_aton)': [nameList([[0, ascii('01.2.3.4')]]), 'illegal_parameter'],
    'UTF-8 bytes (bücher.example)': [nameList([[0, [0x62, 0xc3, 0xbc, ...ascii('cher.example')]]]), 'decode_error'],
    'an embedded NUL (a.example\\0.evil)': [nameList([[0, [...ascii('a.example'), 0, ...ascii('.evil')]]]), 'decode_error'],
    'two host_names': [nameList([[0, ascii('a.example')], [0, ascii('b.example')]]), 'illegal_parameter'],
    'a name_type that is not host_name': [nameList([[1, ascii('a.example')]]), 'decode_error'],
    'an empty ServerNameList': [Uint8Array.of(0, 0), 'decode_error'],
    'an empty extension': [new Uint8Array(0), 'decode_error'],
  };
  for (const [what, [body, alert]] of Object.entries(refused)) {
    it(`${what}: ${alert}, nothing reported`, () => {
      const r = offering(body);
      expect(r.alerts).toEqual([alert]);
      expect(r.pair.server.info.serverName).toBeUndefined();
    });
  }
});

describe('0-RTT across spellings: the ticket holds the name as the server answered it', () => {
  const antiReplay = new SingleUseTickets();
  const ticketServer = (): ServerConfig => ({ ...serverConfig, tickets: { count: 2, key: new Uint8Array(32).fill(7), maxEarlyDataSize: 1024, antiReplay } });
  const base = ['server_name', 'supported_versions', 'supported_groups', 'signature_algorithms', 'key_share'] as const;
  const withWire = (wire: string, names: readonly string[]) => names.map((n) => (n === 'server_name' ? X.ext(ExtensionType.server_name, X.serverName.encode([wire])) : n)) as ClientConfig['clientHello'] extends { extensions?: infer E } | undefined ? E : never;
  const client = (extra: Partial<ClientConfig>): ClientConfig => ({ trust: { kind: 'pinned-certificate', certificates: [identity.der] }, now: () => TEST_NOW, random: seededRandom('sni odd 0rtt'), serverName: 'a.example', ...extra });
  /** A ticket from a handshake whose ClientHello spelled the name `wire`. */
  const ticketAfter = (wire: string): SessionTicket =>
    new InMemoryPair(client({ clientHello: { extensions: withWire(wire, [...base, 'psk_key_exchange_modes']) } }), ticketServer()).run().events('client').flatMap((e) => (e.type === 'session-ticket' ? [e.ticket] : []))[0]!;
  /** What the server took as 0-RTT data with `ticket` when the ClientHello spells the name `wire`. */
  const earlyUnder = (ticket: SessionTicket, wire: string) => {
    const names = [...base, 'psk_key_exchange_modes', 'early_data', 'pre_shared_key'];
    const config = client({ resumption: { ticket, earlyData: utf8.encode('pay 10') }, clientHello: { extensions: withWire(wire, names) } });
    return new InMemoryPair(config, ticketServer()).run().events('server').flatMap((e) => (e.type === 'data' && e.early ? [utf8.decode(e.data)] : []));
  };

  it('issued under A.EXAMPLE, 0-RTT under a.example: accepted (the same name, RFC 4343)', () => {
    expect(earlyUnder(ticketAfter('A.EXAMPLE'), 'a.example')).toEqual(['pay 10']);
  });

  it('issued under a.example, 0-RTT under A.Example: accepted', () => {
    expect(earlyUnder(ticketAfter('a.example'), 'A.Example')).toEqual(['pay 10']);
  });

  it('issued under the IP literal 127.0.0.1 (ignored: a ticket of no name), 0-RTT under a.example: rejected', () => {
    expect(earlyUnder(ticketAfter('127.0.0.1'), 'a.example')).toEqual([]);
  });

  it('issued under 127.0.0.1, 0-RTT under ::1 (both ignored, both no name): accepted, the control', () => {
    expect(earlyUnder(ticketAfter('127.0.0.1'), '::1')).toEqual(['pay 10']);
  });
});
