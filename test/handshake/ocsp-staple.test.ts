// OCSP stapling on the server (RFC 8446 §4.4.2.1): the response goes in the leaf's CertificateEntry, and
// only to a client whose ClientHello carried status_request (RFC 6066 §8), never with a raw public key.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { ExtensionType } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import type { Certificate } from '../../src/wire/types.js';

const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('ocsp-server'));
const RESPONSE = Uint8Array.from([0x30, 0x03, 0x0a, 0x01, 0x00]); // OCSPResponse { responseStatus successful }: opaque to the server
const statusRequest = { type: ExtensionType.status_request, data: X.statusRequestClientHello.encode({ responderIds: [], requestExtensions: new Uint8Array(0) }) };

function serverCertificate(client: Partial<ClientConfig>, extra: Partial<ServerConfig> = {}): Certificate {
  const pair = new InMemoryPair(
    { now: () => TEST_NOW, random: seededRandom('ocsp client'), trust: { kind: 'pinned-certificate', certificates: [server.der] }, ...client },
    { now: () => TEST_NOW, random: seededRandom('ocsp server'), certificate: server, ocspResponse: RESPONSE, ...extra },
  ).run();
  const sent = pair.events('server').find((e) => e.type === 'handshake-message' && e.message.kind === 'certificate');
  if (sent?.type !== 'handshake-message' || sent.message.kind !== 'certificate') throw new Error('no Certificate sent');
  return sent.message;
}

describe('OCSP stapling (server)', () => {
  it("staples the response in the leaf's entry for a client that sent status_request", () => {
    const shape = { extensions: ['server_name', 'supported_versions', 'supported_groups', 'signature_algorithms', 'key_share', 'psk_key_exchange_modes', statusRequest] as NonNullable<ClientConfig['clientHello']>['extensions'] };
    const certificate = serverCertificate({ clientHello: shape });
    expect(certificate.entries[0]!.extensions).toEqual([{ type: ExtensionType.status_request, data: X.statusRequestCertificate.encode(RESPONSE) }]);
  });

  it('staples nothing for a client that did not ask', () => {
    expect(serverCertificate({}).entries[0]!.extensions).toEqual([]);
  });
});
