// RFC 8448 §7 (Compatibility Mode), byte for byte in both roles: a 32-byte legacy_session_id, and a dummy
// ChangeCipherSpec from each side (the server's right after its ServerHello, the client's before its
// Finished), RFC 8446 Appendix D.4.
import { describe, expect, it } from 'vitest';
import { fixedRandom } from '../../src/crypto/random.js';
import { Connection } from '../../src/handshake/connection.js';
import { findValue, loadRfc8448Section } from '../../src/testing/rfc8448.js';
import { hex } from '../../src/wire/bytes.js';
import { RENEGOTIATION_INFO, closeBoth, fullHandshake, nssClient, nssServer, rfcCertificate, rfcPssSalt, rfcServerKey, splitRecords } from './rfc8448-replay.js';

const s7 = loadRfc8448Section(7);
const value = (actor: 'client' | 'server', action: string, label: string, occurrence = 0) => findValue(s7, actor, action, label, occurrence);
const record = (actor: 'client' | 'server', action: string, occurrence = 0) => hex(value(actor, action, 'complete record', occurrence));
const serverKey = rfcServerKey();
const serverCert = rfcCertificate(s7, 'server');
const clientHello = value('client', 'construct a ClientHello', 'ClientHello');

// Compatibility mode is our default: the session id is drawn from the random source after the random.
const clientConfig = nssClient(
  {
    trust: { kind: 'pinned-certificate', certificates: [serverCert] },
    minimumRsaKeyBits: 1024, // RFC 8448 signs with a 1024-bit RSA key
    random: fixedRandom(clientHello.subarray(6, 38), clientHello.subarray(39, 71), value('client', 'create an ephemeral x25519', 'private key')),
  },
  ['server_name', RENEGOTIATION_INFO, 'supported_groups', 'key_share', 'supported_versions', 'signature_algorithms', 'psk_key_exchange_modes', 'record_size_limit'],
  { legacySessionId: undefined },
);

const serverConfig = nssServer({
  certificate: { chain: [serverCert], privateKey: serverKey },
  random: fixedRandom(
    value('server', 'construct a ServerHello', 'ServerHello').subarray(6, 38),
    value('server', 'create an ephemeral x25519', 'private key'),
    rfcPssSalt(s7, 'server', serverKey.n, serverKey.e),
  ),
});

describe('RFC 8448 §7 Compatibility Mode', () => {
  const client = Connection.client(clientConfig);
  const server = Connection.server(serverConfig);
  const { clientHelloRecord, serverFlight, clientFlight } = fullHandshake(client, server);
  const { clientAlert, serverAlert } = closeBoth(client, server);

  it('client writes the RFC ClientHello record with a 32-byte legacy_session_id', () => {
    expect(hex(clientHelloRecord)).toBe(record('client', 'send handshake record', 0));
  });

  it('server writes ServerHello, a dummy ChangeCipherSpec, then its protected flight, as in the RFC', () => {
    expect(splitRecords(serverFlight).map(hex)).toEqual([
      record('server', 'send handshake record', 0),
      record('server', 'send change_cipher_spec record'),
      record('server', 'send handshake record', 1),
    ]);
  });

  it('client writes a dummy ChangeCipherSpec before its Finished, as in the RFC', () => {
    expect(splitRecords(clientFlight).map(hex)).toEqual([record('client', 'send change_cipher_spec record'), record('client', 'send handshake record', 1)]);
  });

  it('both sides close with the RFC close_notify records', () => {
    expect(hex(clientAlert)).toBe(record('client', 'send alert record'));
    expect(hex(serverAlert)).toBe(record('server', 'send alert record'));
    expect(client.state).toBe('CLOSED');
    expect(server.state).toBe('CLOSED');
  });
});
