// RFC 8448 §3 (Simple 1-RTT Handshake), byte for byte in both roles. Our client and server are configured
// like the RFC's endpoints and fed the RFC's injected values (randoms, key-share private keys, the RSA-PSS
// salt recovered from the RFC's signature, and the server's opaque ticket); every record they write, and
// every secret they derive, must equal the RFC's bytes.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { fixedRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { KeySchedule, hkdfExpandLabel, trafficKeys } from '../../src/handshake/keyschedule.js';
import { SUITES } from '../../src/handshake/suites.js';
import { findValue, loadRfc8448Section } from '../../src/testing/rfc8448.js';
import { fromHex, hex } from '../../src/wire/bytes.js';
import { ExtensionType, NamedGroup, SignatureScheme } from '../../src/wire/enums.js';
import { rfcCertificate, rfcPssSalt, rfcServerKey, splitRecords } from './rfc8448-replay.js';

const s3 = loadRfc8448Section(3);
const value = (actor: 'client' | 'server', action: string, label: string, occurrence = 0) =>
  findValue(s3, actor, action, label, occurrence);
const record = (actor: 'client' | 'server', action: string, occurrence = 0) => hex(value(actor, action, 'complete record', occurrence));

const serverKey = rfcServerKey();
const serverCert = rfcCertificate(s3, 'server');
/** The RFC's certificates expired in 2026: the replay runs at the RFC's own time. */
const rfcTime = () => Date.UTC(2019, 0, 1);

const clientHello = value('client', 'construct a ClientHello', 'ClientHello');
const clientConfig: ClientConfig = {
  serverName: 'server',
  trust: { kind: 'pinned-certificate', certificates: [serverCert] },
  now: rfcTime,
  random: fixedRandom(clientHello.subarray(6, 38), value('client', 'create an ephemeral x25519', 'private key')),
  cipherSuites: [0x1301, 0x1303, 0x1302],
  groups: [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1],
  clientHello: {
    legacySessionId: new Uint8Array(0),
    // NSS's ClientHello: renegotiation_info and an empty session_ticket as sent, groups and signature
    // algorithms it lists but never uses (including the reserved DSA code points, see vectors/rfc8448/README.md).
    extensions: [
      'server_name',
      { type: ExtensionType.renegotiation_info, data: fromHex('00') },
      'supported_groups',
      { type: ExtensionType.session_ticket, data: new Uint8Array(0) },
      'key_share',
      'supported_versions',
      'signature_algorithms',
      'psk_key_exchange_modes',
      'record_size_limit',
    ],
    advertisedGroups: [0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104],
    advertisedSignatureSchemes: [
      0x0403, 0x0503, 0x0603, 0x0203, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0201, 0x0402, 0x0502, 0x0602, 0x0202,
    ],
    recordSizeLimit: 0x4001,
  },
};

const serverRandom = value('server', 'construct a ServerHello', 'ServerHello').subarray(6, 38);
const nst = value('server', 'construct a NewSessionTicket', 'NewSessionTicket');
const serverConfig: ServerConfig = {
  certificate: { chain: [serverCert], privateKey: serverKey },
  now: rfcTime,
  random: fixedRandom(
    serverRandom,
    value('server', 'create an ephemeral x25519', 'private key'),
    rfcPssSalt(s3, 'server', serverKey.n, serverKey.e),
    nst.subarray(8, 12), // ticket_age_add
  ),
  groups: [0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104],
  signatureSchemes: [SignatureScheme.rsa_pss_rsae_sha256],
  advertiseGroups: true,
  recordSizeLimit: 0x4001,
  encryptedExtensionsOrder: ['supported_groups', 'record_size_limit', 'server_name'],
  tickets: {
    count: 1,
    lifetime: 30,
    maxEarlyDataSize: 1024,
    // The RFC's ticket is the server's opaque blob: injected like a random value.
    seal: () => nst.subarray(17, 17 + 0xb2),
  },
};

function secrets(events: TlsEvent[]): Map<string, string> {
  return new Map(events.flatMap((e) => (e.type === 'secret' ? [[e.label, hex(e.secret)] as const] : [])));
}

function run() {
  const client = Connection.client(clientConfig);
  const server = Connection.server(serverConfig);
  const clientHelloRecord = client.takeOutput();
  server.receive(clientHelloRecord);
  const serverFlight = splitRecords(server.takeOutput());
  client.receive(Uint8Array.from(Buffer.concat(serverFlight)));
  const clientFinished = client.takeOutput();
  server.receive(clientFinished);
  const ticketRecord = server.takeOutput();
  client.receive(ticketRecord);
  const data = Uint8Array.from({ length: 50 }, (_, i) => i);
  client.write(data);
  const clientData = client.takeOutput();
  server.receive(clientData);
  server.write(data);
  const serverData = server.takeOutput();
  client.receive(serverData);
  client.close();
  const clientAlert = client.takeOutput();
  server.receive(clientAlert);
  const serverAlert = server.takeOutput();
  return {
    client,
    server,
    clientEvents: client.takeEvents(),
    serverEvents: server.takeEvents(),
    records: { clientHelloRecord, serverFlight, clientFinished, ticketRecord, clientData, serverData, clientAlert, serverAlert },
  };
}

describe('RFC 8448 §3 Simple 1-RTT Handshake', () => {
  const { client, server, clientEvents, serverEvents, records } = run();

  it('client writes the RFC ClientHello record', () => {
    expect(hex(records.clientHelloRecord)).toBe(record('client', 'send handshake record', 0));
  });

  it('server writes the RFC ServerHello record and the protected EncryptedExtensions..Finished record', () => {
    expect(records.serverFlight.map(hex)).toEqual([record('server', 'send handshake record', 0), record('server', 'send handshake record', 1)]);
  });

  it('client writes the RFC client Finished record', () => {
    expect(hex(records.clientFinished)).toBe(record('client', 'send handshake record', 1));
  });

  it('server writes the RFC NewSessionTicket record', () => {
    expect(hex(records.ticketRecord)).toBe(record('server', 'send handshake record', 2));
  });

  it('both sides write the RFC application data and close_notify records', () => {
    expect(hex(records.clientData)).toBe(record('client', 'send application_data record'));
    expect(hex(records.serverData)).toBe(record('server', 'send application_data record'));
    expect(hex(records.clientAlert)).toBe(record('client', 'send alert record'));
    expect(hex(records.serverAlert)).toBe(record('server', 'send alert record'));
  });

  it('both sides derive every RFC secret', () => {
    const expected: Array<[string, string]> = [
      ['c hs traffic', 'derive secret "tls13 c hs traffic"'],
      ['s hs traffic', 'derive secret "tls13 s hs traffic"'],
      ['c ap traffic', 'derive secret "tls13 c ap traffic"'],
      ['s ap traffic', 'derive secret "tls13 s ap traffic"'],
      ['exp master', 'derive secret "tls13 exp master"'],
    ];
    for (const events of [clientEvents, serverEvents]) {
      const ours = secrets(events);
      for (const [label, action] of expected) expect(ours.get(label), label).toBe(hex(value('server', action, 'expanded')));
      expect(ours.get('res master')).toBe(hex(value('client', 'derive secret "tls13 res master"', 'expanded')));
    }
  });

  it('client surfaces the ticket with the RFC resumption PSK', () => {
    const ticket = clientEvents.find((e) => e.type === 'session-ticket');
    expect(ticket?.type === 'session-ticket' && hex(ticket.ticket.psk)).toBe(hex(value('server', 'generate resumption secret', 'expanded')));
    expect(ticket?.type === 'session-ticket' && ticket.ticket.maxEarlyDataSize).toBe(1024);
  });

  it('both sides end connected, then closed, with the server authenticated by its pinned certificate', () => {
    expect(clientEvents.some((e) => e.type === 'connected')).toBe(true);
    expect(serverEvents.some((e) => e.type === 'connected')).toBe(true);
    expect(client.state).toBe('CLOSED');
    expect(server.state).toBe('CLOSED');
    expect(client.info.peer?.verdict.rule).toBe('pinned-certificate');
    expect(client.info.peer?.subject).toBe('CN=rsa');
  });
});

describe('RFC 8448 §3 key schedule, step by step', () => {
  const suite = SUITES.get(0x1301)!;
  const schedule = new KeySchedule(nobleProvider, suite);
  const shared = nobleProvider
    .keyExchange('x25519')
    .sharedSecret(value('client', 'create an ephemeral x25519', 'private key'), value('server', 'create an ephemeral x25519', 'public key'))!;

  it('derives the RFC early, handshake and master secrets from the x25519 shared secret', () => {
    expect(hex(schedule.earlySecret)).toBe(hex(value('server', 'extract secret "early"', 'secret')));
    expect(hex(shared)).toBe(hex(value('server', 'extract secret "handshake"', 'IKM')));
    expect(hex(schedule.enterHandshake(shared))).toBe(hex(value('server', 'extract secret "handshake"', 'secret')));
    expect(hex(schedule.enterMaster())).toBe(hex(value('server', 'extract secret "master"', 'secret')));
  });

  it('derives the RFC traffic keys and IVs from the RFC traffic secrets', () => {
    const cases: Array<[string, string]> = [
      ['derive secret "tls13 s hs traffic"', 'derive write traffic keys for handshake data'],
      ['derive secret "tls13 s ap traffic"', 'derive write traffic keys for application data'],
      ['derive secret "tls13 c hs traffic"', 'derive read traffic keys for handshake data'],
    ];
    for (const [secretStep, keyStep] of cases) {
      const keys = trafficKeys(nobleProvider, suite, value('server', secretStep, 'expanded'));
      expect(hex(keys.key), keyStep).toBe(hex(value('server', keyStep, 'key expanded')));
      expect(hex(keys.iv), keyStep).toBe(hex(value('server', keyStep, 'iv expanded')));
    }
    const clientApp = trafficKeys(nobleProvider, suite, value('server', 'derive secret "tls13 c ap traffic"', 'expanded'));
    expect(hex(clientApp.key)).toBe(hex(value('client', 'derive write traffic keys for application data', 'key expanded')));
    expect(hex(clientApp.iv)).toBe(hex(value('client', 'derive write traffic keys for application data', 'iv expanded')));
  });

  it('derives the RFC finished keys', () => {
    const finishedKey = (secret: Uint8Array) => hkdfExpandLabel(nobleProvider, suite, secret, 'finished', new Uint8Array(0), 32);
    expect(hex(finishedKey(value('server', 'derive secret "tls13 s hs traffic"', 'expanded')))).toBe(
      hex(value('server', 'calculate finished', 'expanded')),
    );
    expect(hex(finishedKey(value('server', 'derive secret "tls13 c hs traffic"', 'expanded')))).toBe(
      hex(value('client', 'calculate finished', 'expanded')),
    );
  });
});
