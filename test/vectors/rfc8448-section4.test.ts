// RFC 8448 §4 (Resumed 0-RTT Handshake), byte for byte in both roles. The client resumes with the ticket
// our own client received in the §3 replay, and sends "ABCDEF" as 0-RTT data; the server accepts it.
// The server's ticket is opaque NSS state, so the replayed server opens it through an injected `open`
// that knows the §3 session (suite, PSK, ticket_age_add), as it would know its own sealing key.
import { describe, expect, it } from 'vitest';
import { fixedRandom } from '../../src/crypto/random.js';
import { Connection } from '../../src/handshake/connection.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import { SingleUseTickets, encodeTicketState } from '../../src/handshake/tickets.js';
import { findValue, loadRfc8448Section } from '../../src/testing/rfc8448.js';
import { equalBytes, hex, utf8 } from '../../src/wire/bytes.js';
import { decodeHandshakeBody } from '../../src/wire/messages.js';
import { ExtensionType } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import { RENEGOTIATION_INFO, closeBoth, exchangeData, nssClient, nssServer, rfcCertificate, splitRecords } from './rfc8448-replay.js';
import { runSection3 } from './rfc8448-section3-replay.js';

const s3 = loadRfc8448Section(3);
const s4 = loadRfc8448Section(4);
const value = (actor: 'client' | 'server', action: string, label: string, occurrence = 0) => findValue(s4, actor, action, label, occurrence);
const record = (actor: 'client' | 'server', action: string, occurrence = 0) => hex(value(actor, action, 'complete record', occurrence));
const rfcTime = Date.UTC(2019, 0, 1);
/** The RFC's obfuscated_ticket_age is ticket_age_add + 6: the client resumes 6 ms after receiving the ticket. */
const resumeTime = rfcTime + 6;

function section3Ticket(): SessionTicket {
  const ticket = runSection3().clientEvents.find((e) => e.type === 'session-ticket');
  if (ticket?.type !== 'session-ticket') throw new Error('the §3 replay produced no ticket');
  return ticket.ticket;
}

const ticket = section3Ticket();
const clientHello = value('client', 'send handshake record', 'payload');

const clientConfig = nssClient(
  {
    trust: { kind: 'ask' },
    minimumRsaKeyBits: 1024, // RFC 8448 signs with a 1024-bit RSA key
    now: () => resumeTime,
    random: fixedRandom(clientHello.subarray(6, 38), value('client', 'create an ephemeral x25519', 'private key')),
    resumption: { ticket, earlyData: utf8.encode('ABCDEF') },
  },
  [
    'server_name',
    RENEGOTIATION_INFO,
    'supported_groups',
    'key_share',
    'early_data',
    'supported_versions',
    'signature_algorithms',
    'psk_key_exchange_modes',
    'record_size_limit',
    'padding',
    'pre_shared_key',
  ],
);

const rfcTicket = (() => {
  const nst = findValue(s3, 'server', 'construct a NewSessionTicket', 'NewSessionTicket');
  const message = decodeHandshakeBody(nst[0]!, nst.subarray(4));
  if (message.kind !== 'new_session_ticket') throw new Error('not a NewSessionTicket');
  return message;
})();

const serverConfig = nssServer({
  // Never used: a resumed handshake sends no certificate. §3's, as a chain must hold one that parses; no key signs.
  certificate: { chain: [rfcCertificate(s3, 'server')], signer: () => new Uint8Array(0) },
  now: () => resumeTime,
  random: fixedRandom(value('server', 'construct a ServerHello', 'ServerHello').subarray(6, 38), value('server', 'create an ephemeral x25519', 'private key')),
  tickets: {
    count: 0,
    maxEarlyDataSize: 1024,
    antiReplay: new SingleUseTickets(),
    open: (presented) =>
      equalBytes(presented, rfcTicket.ticket)
        ? encodeTicketState({
            cipherSuite: 0x1301,
            psk: findValue(s3, 'server', 'generate resumption secret', 'expanded'),
            ageAdd: rfcTicket.ageAdd,
            issuedAt: rfcTime,
            lifetime: rfcTicket.lifetime,
            clientChain: [],
            clientRawPublicKey: false,
            // The §3 session answered the client's server_name "server", as the §4 ClientHello names it again.
            serverName: 'server',
            // The §3 NewSessionTicket's early_data extension (max_early_data_size 1024).
            maxEarlyDataSize: X.bodyOf(X.earlyDataNewSessionTicket, X.findExtension(rfcTicket.extensions, ExtensionType.early_data)!),
          })
        : undefined,
  },
});

describe('RFC 8448 §4 Resumed 0-RTT Handshake', () => {
  const client = Connection.client(clientConfig);
  const server = Connection.server(serverConfig);
  const clientFirstFlight = client.takeOutput();
  server.receive(clientFirstFlight);
  const serverFlight = server.takeOutput();
  const serverEvents = server.takeEvents();
  client.receive(serverFlight);
  const clientSecondFlight = client.takeOutput();
  server.receive(clientSecondFlight);
  const { clientData, serverData } = exchangeData(client, server);
  const { clientAlert, serverAlert } = closeBoth(client, server);

  it('client writes the RFC ClientHello (PSK with binder, early_data, padding) and the RFC 0-RTT record', () => {
    expect(splitRecords(clientFirstFlight).map(hex)).toEqual([record('client', 'send handshake record', 0), record('client', 'send application_data record', 0)]);
  });

  it('server accepts the ticket and the early data, and writes the RFC ServerHello and EncryptedExtensions..Finished records', () => {
    expect(splitRecords(serverFlight).map(hex)).toEqual([record('server', 'send handshake record', 0), record('server', 'send handshake record', 1)]);
    const early = serverEvents.find((e) => e.type === 'data');
    expect(early?.type === 'data' && [utf8.decode(early.data), early.early]).toEqual(['ABCDEF', true]);
    expect(server.info).toMatchObject({ resumed: true, earlyData: 'accepted' });
  });

  it('client writes the RFC EndOfEarlyData record under early keys, then its Finished under handshake keys', () => {
    expect(splitRecords(clientSecondFlight).map(hex)).toEqual([record('client', 'send handshake record', 1), record('client', 'send handshake record', 2)]);
    expect(client.info).toMatchObject({ resumed: true, earlyData: 'accepted' });
  });

  it('both sides write the RFC application data and close_notify records', () => {
    expect(hex(clientData)).toBe(record('client', 'send application_data record', 1));
    expect(hex(serverData)).toBe(record('server', 'send application_data record'));
    expect(hex(clientAlert)).toBe(record('client', 'send alert record'));
    expect(hex(serverAlert)).toBe(record('server', 'send alert record'));
  });
});
