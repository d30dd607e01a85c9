// RFC 8448 §5 (HelloRetryRequest), byte for byte in both roles. The client shares x25519; the server
// prefers P-256 and asks for it with a HelloRetryRequest carrying a cookie; ClientHello2 echoes the
// cookie and is padded to 512 bytes (RFC 7685), the transcript restarts with message_hash.
import { describe, expect, it } from 'vitest';
import { fixedRandom } from '../../src/crypto/random.js';
import { Connection } from '../../src/handshake/connection.js';
import { findValue, loadRfc8448Section } from '../../src/testing/rfc8448.js';
import { hex } from '../../src/wire/bytes.js';
import { ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import { decodeHandshakeBody } from '../../src/wire/messages.js';
import { RENEGOTIATION_INFO, closeBoth, nssClient, nssServer, p256SeedFor, rfcCertificate, rfcPssSalt, rfcServerKey, splitRecords } from './rfc8448-replay.js';

const s5 = loadRfc8448Section(5);
const value = (actor: 'client' | 'server', action: string, label: string, occurrence = 0) => findValue(s5, actor, action, label, occurrence);
const record = (actor: 'client' | 'server', action: string, occurrence = 0) => hex(value(actor, action, 'complete record', occurrence));
const serverKey = rfcServerKey();
const serverCert = rfcCertificate(s5, 'server');
const clientHello1 = value('client', 'construct a ClientHello', 'ClientHello', 0);
// §5 labels its HelloRetryRequest "ServerHello" (occurrence 0); the real ServerHello is occurrence 1.
const helloRetryRequest = value('server', 'construct a ServerHello', 'ServerHello', 0);
const hrr = decodeHandshakeBody(helloRetryRequest[0]!, helloRetryRequest.subarray(4));
const rfcCookie = hrr.kind === 'hello_retry_request' ? X.cookie.parse(X.findExtension(hrr.extensions, ExtensionType.cookie)!.data) : undefined;

const clientConfig = nssClient(
  {
    trust: { kind: 'pinned-certificate', certificates: [serverCert] },
    minimumRsaKeyBits: 1024, // RFC 8448 signs with a 1024-bit RSA key
    random: fixedRandom(
      clientHello1.subarray(6, 38),
      value('client', 'create an ephemeral x25519', 'private key'),
      p256SeedFor(value('client', 'create an ephemeral P-256', 'private key')),
    ),
    groups: [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1],
  },
  ['server_name', RENEGOTIATION_INFO, 'supported_groups', 'key_share', 'supported_versions', 'signature_algorithms', 'cookie', 'psk_key_exchange_modes', 'record_size_limit', 'padding'],
  // §5's client lists only the groups it can share.
  { advertisedGroups: undefined },
);

const serverConfig = nssServer({
  certificate: { chain: [serverCert], privateKey: serverKey },
  random: fixedRandom(
    value('server', 'construct a ServerHello', 'ServerHello', 1).subarray(6, 38),
    p256SeedFor(value('server', 'create an ephemeral P-256', 'private key')),
    rfcPssSalt(s5, 'server', serverKey.n, serverKey.e),
  ),
  groups: [NamedGroup.secp256r1, NamedGroup.secp384r1, NamedGroup.x25519],
  helloRetryForPreferredGroup: true,
  // The server's cookie is opaque state of its own: injected like a random value.
  helloRetryCookie: () => rfcCookie!,
});

describe('RFC 8448 §5 HelloRetryRequest', () => {
  const client = Connection.client(clientConfig);
  const server = Connection.server(serverConfig);
  const clientHello1Record = client.takeOutput();
  server.receive(clientHello1Record);
  const helloRetryRecord = server.takeOutput();
  client.receive(helloRetryRecord);
  const clientHello2Record = client.takeOutput();
  server.receive(clientHello2Record);
  const serverFlight = server.takeOutput();
  client.receive(serverFlight);
  const clientFinished = client.takeOutput();
  server.receive(clientFinished);
  const { clientAlert, serverAlert } = closeBoth(client, server);

  it('client writes the RFC first ClientHello record', () => {
    expect(hex(clientHello1Record)).toBe(record('client', 'send handshake record', 0));
  });

  it('server answers with the RFC HelloRetryRequest record (P-256 and a cookie)', () => {
    expect(hex(helloRetryRecord)).toBe(record('server', 'send handshake record', 0));
  });

  it('client writes the RFC second ClientHello: the P-256 share, the cookie echoed, padded to 512 bytes', () => {
    expect(hex(clientHello2Record)).toBe(record('client', 'send handshake record', 1));
  });

  it('server writes the RFC ServerHello and protected flight, over the message_hash transcript', () => {
    expect(splitRecords(serverFlight).map(hex)).toEqual([record('server', 'send handshake record', 1), record('server', 'send handshake record', 2)]);
  });

  it('client writes the RFC Finished and both close with the RFC close_notify records', () => {
    expect(hex(clientFinished)).toBe(record('client', 'send handshake record', 2));
    expect(hex(clientAlert)).toBe(record('client', 'send alert record'));
    expect(hex(serverAlert)).toBe(record('server', 'send alert record'));
  });
});
