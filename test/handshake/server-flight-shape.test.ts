// ServerFlightShape (docs/replay.md): extension orders, the optional server_name acknowledgement, record
// boundaries and NewSessionTicket fields; and what a shape can never do: drop a required extension, repeat
// a ticket nonce, or change what the transcript covers.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { receivedFlightStructure } from '../../src/testing/flight-structure.js';
import { ExtensionType as T, NamedGroup } from '../../src/wire/enums.js';
import type { HandshakeMessage } from '../../src/wire/types.js';

const identity = makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['server.example'] } }, seededRandom('flight-shape'));
const clientBase: ClientConfig = {
  trust: { kind: 'pinned-certificate', certificates: [identity.der] },
  now: () => TEST_NOW,
  random: seededRandom('client'),
  serverName: 'server.example',
  alpnProtocols: ['h2'],
  traceRecords: true,
};
const serverBase: ServerConfig = { certificate: identity, random: seededRandom('server'), alpnProtocols: ['h2'], now: () => TEST_NOW, tickets: { count: 2 } };

function run(server: Partial<ServerConfig>, client: Partial<ClientConfig> = {}) {
  return new InMemoryPair({ ...clientBase, ...client }, { ...serverBase, ...server }).run();
}

const received = (events: TlsEvent[]): HandshakeMessage[] => events.flatMap((e) => (e.type === 'handshake-message' && e.direction === 'in' ? [e.message] : []));
const types = (events: TlsEvent[], kind: HandshakeMessage['kind']) =>
  received(events).flatMap((m) => (m.kind === kind && 'extensions' in m ? [m.extensions.map((e) => e.type)] : []));

describe('extension order', () => {
  it('puts the listed extensions first, keeps the others in our order, and the client still verifies the flight', () => {
    const plain = run({});
    expect(types(plain.events('client'), 'server_hello')).toEqual([[T.key_share, T.supported_versions]]);
    expect(types(plain.events('client'), 'encrypted_extensions')).toEqual([[T.server_name, T.application_layer_protocol_negotiation]]);

    const shaped = run({ serverFlight: { extensionOrder: { serverHello: [T.supported_versions], encryptedExtensions: [T.application_layer_protocol_negotiation] } } });
    expect(shaped.client.isConnected).toBe(true);
    expect(types(shaped.events('client'), 'server_hello')).toEqual([[T.supported_versions, T.key_share]]);
    expect(types(shaped.events('client'), 'encrypted_extensions')).toEqual([[T.application_layer_protocol_negotiation, T.server_name]]);
  });

  it('never invents an extension it names, nor drops one it does not name', () => {
    const p = run({ serverFlight: { extensionOrder: { serverHello: [T.pre_shared_key, T.cookie, T.key_share] } } });
    expect(p.client.isConnected).toBe(true);
    expect(types(p.events('client'), 'server_hello')).toEqual([[T.key_share, T.supported_versions]]);
  });

  it('orders HelloRetryRequest and CertificateRequest too', () => {
    const p = run(
      { groups: [NamedGroup.secp256r1], clientAuth: 'optional', trust: { kind: 'ca', anchors: [identity.der] }, serverFlight: { extensionOrder: { helloRetryRequest: [T.supported_versions], certificateRequest: [T.certificate_authorities] } } },
      { groups: [NamedGroup.x25519, NamedGroup.secp256r1], keyShareGroups: [NamedGroup.x25519] },
    );
    expect(p.client.isConnected).toBe(true);
    expect(types(p.events('client'), 'hello_retry_request')).toEqual([[T.supported_versions, T.key_share]]);
    expect(types(p.events('client'), 'certificate_request')).toEqual([[T.certificate_authorities, T.signature_algorithms]]);
  });
});

describe('the server_name acknowledgement (RFC 6066 §3)', () => {
  it('is left out with serverNameAck: false, and the handshake completes', () => {
    const p = run({ serverFlight: { serverNameAck: false } });
    expect(p.client.isConnected).toBe(true);
    expect(types(p.events('client'), 'encrypted_extensions')).toEqual([[T.application_layer_protocol_negotiation]]);
    expect(p.server.info.serverName).toBe('server.example');
  });
});

describe('records', () => {
  it('coalesces the flight and the tickets by default; one message per record when shaped', () => {
    expect(receivedFlightStructure(run({}).events('client')).records).toEqual([
      'server_hello',
      'change_cipher_spec',
      'encrypted_extensions+certificate+certificate_verify+finished',
      'new_session_ticket+new_session_ticket',
    ]);
    const split = run({ serverFlight: { handshakeRecords: 'one-per-record', ticketRecords: 'one-per-record' } });
    expect(split.client.isConnected).toBe(true);
    expect(receivedFlightStructure(split.events('client')).records).toEqual([
      'server_hello',
      'change_cipher_spec',
      'encrypted_extensions',
      'certificate',
      'certificate_verify',
      'finished',
      'new_session_ticket',
      'new_session_ticket',
    ]);
    const ticketsOnly = run({ serverFlight: { ticketRecords: 'one-per-record' } });
    expect(receivedFlightStructure(ticketsOnly.events('client')).records.slice(2)).toEqual([
      'encrypted_extensions+certificate+certificate_verify+finished',
      'new_session_ticket',
      'new_session_ticket',
    ]);
  });
});

describe('NewSessionTicket fields', () => {
  const ticketKey = new Uint8Array(32).fill(3);
  const tickets = (events: TlsEvent[]) => received(events).flatMap((m) => (m.kind === 'new_session_ticket' ? [m] : []));

  it('nonce length, nonces, age_add and extra extensions (GREASE) as given; the tickets still resume', () => {
    const p = run({
      tickets: { count: 2, key: ticketKey, maxEarlyDataSize: 1024, antiReplay: new SingleUseTickets() },
      serverFlight: {
        newSessionTicket: { nonces: [Uint8Array.of(9), Uint8Array.of(8, 8)], ageAdds: [7], extensions: [{ type: 0x0a0a, data: new Uint8Array(0) }] },
        extensionOrder: { newSessionTicket: [0x0a0a] },
      },
    });
    const [first, second] = tickets(p.events('client'));
    expect(Array.from(first!.nonce)).toEqual([9]);
    expect(Array.from(second!.nonce)).toEqual([8, 8]);
    expect(first!.ageAdd).toBe(7);
    expect(first!.extensions.map((e) => e.type)).toEqual([0x0a0a, T.early_data]);

    const ticket = p.events('client').flatMap((e) => (e.type === 'session-ticket' ? [e.ticket] : []))[0]!;
    // The client derived the PSK from our nonce 9 (RFC 8446 §4.6.1); the server from the state it sealed.
    const resumed = run({ tickets: { count: 0, key: ticketKey } }, { resumption: { ticket } });
    expect(resumed.client.isConnected).toBe(true);
    expect(resumed.client.info.resumed).toBe(true);
  });

  it('nonceLength numbers tickets big-endian from 0', () => {
    const p = run({ serverFlight: { newSessionTicket: { nonceLength: 8 } } });
    expect(tickets(p.events('client')).map((t) => Array.from(t.nonce))).toEqual([
      [0, 0, 0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 0, 1],
    ]);
  });
});

describe('a shape is refused at config time when it would break or weaken the handshake', () => {
  const server = (serverFlight: unknown) => () => Connection.server({ ...serverBase, serverFlight } as ServerConfig);
  const cases: Array<[string, unknown, RegExp]> = [
    ['an attempt to omit supported_versions from ServerHello', { omit: { serverHello: [T.supported_versions] } }, /unknown option 'omit'/],
    ['an order that is not a list of code points', { extensionOrder: { serverHello: ['supported_versions'] } }, /^serverFlight\.extensionOrder\.serverHello\[0\] must be an integer/],
    ['a message we do not shape', { extensionOrder: { finished: [1] } }, /unknown option 'finished'/],
    ['an extension named twice', { extensionOrder: { serverHello: [43, 43] } }, /names an extension twice/],
    ['two tickets with one nonce: the same PSK twice (RFC 8446 §4.6.1)', { newSessionTicket: { nonces: [Uint8Array.of(1), Uint8Array.of(1)] } }, /nonces must be unique/],
    ['fewer nonces than tickets', { newSessionTicket: { nonces: [Uint8Array.of(1)] } }, /1 nonces for 2 tickets/],
    ['our early_data in the extra extensions', { newSessionTicket: { extensions: [{ type: T.early_data, data: new Uint8Array(4) }] } }, /early_data comes from/],
    ['an unknown record mapping', { handshakeRecords: 'split' }, /handshakeRecords must be one of/],
  ];
  for (const [what, shape, message] of cases) {
    it(what, () => {
      expect(server(shape)).toThrow(TypeError);
      expect(server(shape)).toThrow(message);
    });
  }
});
