// The RFC 8448 §3 replay setup, shared by the §3 test and the §4 test (which resumes with its ticket).
// Configs are made fresh per run: their fixed random sources are used up by one handshake.
import { fixedRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { findValue, loadRfc8448Section } from '../../src/testing/rfc8448.js';
import { hex } from '../../src/wire/bytes.js';
import { ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import { RENEGOTIATION_INFO, closeBoth, exchangeData, nssClient, nssServer, rfcCertificate, rfcPssSalt, rfcServerKey, splitRecords } from './rfc8448-replay.js';

export const s3 = loadRfc8448Section(3);
export const value = (actor: 'client' | 'server', action: string, label: string, occurrence = 0) =>
  findValue(s3, actor, action, label, occurrence);
export const record = (actor: 'client' | 'server', action: string, occurrence = 0) => hex(value(actor, action, 'complete record', occurrence));

const serverKey = rfcServerKey();
const serverCert = rfcCertificate(s3, 'server');

const clientHello = value('client', 'construct a ClientHello', 'ClientHello');
const clientConfig = (): ClientConfig =>
  nssClient(
    {
      trust: { kind: 'pinned-certificate', certificates: [serverCert] },
      minimumRsaKeyBits: 1024, // RFC 8448 signs with a 1024-bit RSA key
      random: fixedRandom(clientHello.subarray(6, 38), value('client', 'create an ephemeral x25519', 'private key')),
      groups: [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1],
    },
    // NSS's §3 ClientHello also carries an empty session_ticket (another extension unknown to us).
    ['server_name', RENEGOTIATION_INFO, 'supported_groups', { type: ExtensionType.session_ticket, data: new Uint8Array(0) }, 'key_share', 'supported_versions', 'signature_algorithms', 'psk_key_exchange_modes', 'record_size_limit'],
  );

const nst = value('server', 'construct a NewSessionTicket', 'NewSessionTicket');
const serverConfig = (): ServerConfig =>
  nssServer({
    certificate: { chain: [serverCert], privateKey: serverKey },
    random: fixedRandom(
      value('server', 'construct a ServerHello', 'ServerHello').subarray(6, 38),
      value('server', 'create an ephemeral x25519', 'private key'),
      rfcPssSalt(s3, 'server', serverKey.n, serverKey.e),
      nst.subarray(8, 12), // ticket_age_add
    ),
    tickets: {
      count: 1,
      lifetime: 30,
      maxEarlyDataSize: 1024,
      // The RFC's ticket is the server's opaque blob: injected like a random value.
      seal: () => nst.subarray(17, 17 + 0xb2),
    },
  });

export function secrets(events: TlsEvent[]): Map<string, string> {
  return new Map(events.flatMap((e) => (e.type === 'secret' ? [[e.label, hex(e.secret)] as const] : [])));
}

/** The whole §3 exchange, from fresh configs; §4 resumes with the ticket our client gets here. */
export function runSection3() {
  const client = Connection.client(clientConfig());
  const server = Connection.server(serverConfig());
  const clientHelloRecord = client.takeOutput();
  server.receive(clientHelloRecord);
  const serverFlight = splitRecords(server.takeOutput());
  client.receive(Uint8Array.from(Buffer.concat(serverFlight)));
  const clientFinished = client.takeOutput();
  server.receive(clientFinished);
  const ticketRecord = server.takeOutput();
  client.receive(ticketRecord);
  const { clientData, serverData } = exchangeData(client, server);
  const { clientAlert, serverAlert } = closeBoth(client, server);
  return {
    client,
    server,
    clientEvents: client.takeEvents(),
    serverEvents: server.takeEvents(),
    records: { clientHelloRecord, serverFlight, clientFinished, ticketRecord, clientData, serverData, clientAlert, serverAlert },
  };
}

