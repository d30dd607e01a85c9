// Attacker's scripts against ServerFlightShape (src/handshake/server/flight-shape.ts): the shape a replay or
// an interop test gives the server's flight must never make it send a non-conformant message or weaken a
// ticket, and a misshaped one is a TypeError when the connection is made, before any byte is sent. Before
// these checks each config below was taken: the client aborted with illegal_parameter after the handshake,
// the server sent internal_error, or two tickets shared a ticket_age_add.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import type { ServerFlightShape } from '../../src/handshake/server/flight-shape.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { ExtensionType as T } from '../../src/wire/enums.js';

const identity = makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['server.example'] }, keyType: 'p256' }, seededRandom('flight-shape attacker'));
const server = (serverFlight: ServerFlightShape, maxEarlyDataSize?: number) => () =>
  Connection.server({
    certificate: identity,
    now: () => TEST_NOW,
    random: seededRandom('server'),
    tickets: { count: 2, ...(maxEarlyDataSize === undefined ? {} : { maxEarlyDataSize }) },
    serverFlight,
  } satisfies ServerConfig);
const ticketExtensions = (...extensions: Array<{ type: number; data: Uint8Array }>): ServerFlightShape => ({ newSessionTicket: { extensions } });

describe('NewSessionTicket extensions a shape appends', () => {
  it.each([
    ['key_share', T.key_share],
    ['supported_versions', T.supported_versions],
    ['pre_shared_key', T.pre_shared_key],
    ['status_request', T.status_request],
  ])('refuses %s, which RFC 8446 §4.2 does not allow in NewSessionTicket (the client aborted with illegal_parameter)', (_name, type) => {
    expect(server(ticketExtensions({ type, data: new Uint8Array(0) }))).toThrow(TypeError);
    expect(server(ticketExtensions({ type, data: new Uint8Array(0) }))).toThrow(/is not allowed in NewSessionTicket \(RFC 8446 §4\.2\)/);
  });

  it('still takes GREASE and unknown code points (clients ignore them, RFC 8701 §3)', () => {
    expect(server(ticketExtensions({ type: 0x0a0a, data: new Uint8Array(0) }, { type: 0xfe00, data: Uint8Array.of(1) }))).not.toThrow();
  });

  it('refuses extensions that overflow the 2^16-2 bytes of the extensions vector (the server sent internal_error after the handshake)', () => {
    expect(server(ticketExtensions({ type: 0x0a0a, data: new Uint8Array(40_000) }, { type: 0x1a1a, data: new Uint8Array(40_000) }))).toThrow(TypeError);
    // Our own early_data (8 bytes) must fit beside them.
    const nearlyFull = ticketExtensions({ type: 0x0a0a, data: new Uint8Array(0xfffe - 4) });
    expect(server(nearlyFull)).not.toThrow();
    expect(server(nearlyFull, 1024)).toThrow(/extensions take 65542 bytes with our early_data's 8: more than the 65534 of RFC 8446 §4\.6\.1/);
  });
});

describe('NewSessionTicket age_add', () => {
  it('refuses the same ticket_age_add for two tickets: an observer could link the resumptions (RFC 8446 §4.6.1: fresh for each ticket)', () => {
    expect(server({ newSessionTicket: { ageAdds: [7, 7] } })).toThrow(TypeError);
    expect(server({ newSessionTicket: { ageAdds: [7, 7] } })).toThrow(/ageAdds must differ/);
    expect(server({ newSessionTicket: { ageAdds: [7, 8] } })).not.toThrow();
  });
});
