// RFC 8448 §6 (Client Authentication), byte for byte in both roles. The RFC does not publish the private
// keys of this trace's certificates (server "CN=ecdsa256", client "CN=client"), so each side signs through
// an external signer (the same hook an HSM would use) that hands out the RFC's CertificateVerify signature
// only after checking that it verifies, with the RFC certificate's key, over the exact content our
// engine asked to sign. Everything else — transcript, secrets, Finished, records — is computed by us.
import { describe, expect, it } from 'vitest';
import { parseCertificate } from '../../src/auth/x509.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { fixedRandom } from '../../src/crypto/random.js';
import type { CertifiedKey } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import type { SignatureAlgorithm } from '../../src/crypto/provider.js';
import { findValue, loadRfc8448Section } from '../../src/testing/rfc8448.js';
import { hex } from '../../src/wire/bytes.js';
import { SignatureScheme } from '../../src/wire/enums.js';
import { decodeHandshakeBody } from '../../src/wire/messages.js';
import { NSS_SIGNATURE_ALGORITHMS, RENEGOTIATION_INFO, closeBoth, fullHandshake, nssClient, nssServer, rfcCertificate, splitRecords } from './rfc8448-replay.js';

const s6 = loadRfc8448Section(6);
const value = (actor: 'client' | 'server', action: string, label: string, occurrence = 0) => findValue(s6, actor, action, label, occurrence);
const record = (actor: 'client' | 'server', action: string, occurrence = 0) => hex(value(actor, action, 'complete record', occurrence));

const ALGORITHMS: Record<number, SignatureAlgorithm> = {
  [SignatureScheme.ecdsa_secp256r1_sha256]: { kind: 'ecdsa', hash: 'sha256' },
  [SignatureScheme.rsa_pss_rsae_sha256]: { kind: 'rsa-pss', hash: 'sha256', saltLength: 32 },
};

/** A signer that can only hand out the RFC's signature, and only for the content the RFC's endpoint signed. */
function rfcSigner(actor: 'client' | 'server'): CertifiedKey {
  const der = rfcCertificate(s6, actor);
  const publicKey = parseCertificate(der).publicKey!;
  const message = value(actor, 'construct a CertificateVerify', 'CertificateVerify');
  const cv = decodeHandshakeBody(message[0]!, message.subarray(4));
  if (cv.kind !== 'certificate_verify') throw new Error('not a CertificateVerify');
  return {
    chain: [der],
    signer: (scheme, content) => {
      if (scheme !== cv.scheme) throw new Error(`asked for scheme ${scheme}, the RFC signed with ${cv.scheme}`);
      if (!nobleProvider.verify(ALGORITHMS[scheme]!, publicKey, content, cv.signature)) {
        throw new Error(`the ${actor} CertificateVerify content differs from what the RFC's ${actor} signed`);
      }
      return cv.signature;
    },
  };
}

const clientHello = value('client', 'construct a ClientHello', 'ClientHello');
const clientIdentity = rfcSigner('client');
const serverIdentity = rfcSigner('server');

const clientConfig = nssClient(
  {
    trust: { kind: 'pinned-certificate', certificates: [serverIdentity.chain[0]!] },
    minimumRsaKeyBits: 1024, // RFC 8448 signs with a 1024-bit RSA key
    certificate: clientIdentity,
    random: fixedRandom(clientHello.subarray(6, 38), value('client', 'create an ephemeral x25519', 'private key')),
  },
  ['server_name', RENEGOTIATION_INFO, 'supported_groups', 'key_share', 'supported_versions', 'signature_algorithms', 'psk_key_exchange_modes', 'record_size_limit'],
);

const serverConfig = nssServer({
  certificate: serverIdentity,
  clientAuth: 'require',
  trust: { kind: 'pinned-certificate', certificates: [clientIdentity.chain[0]!] },
  minimumRsaKeyBits: 1024, // RFC 8448 signs with a 1024-bit RSA key
  random: fixedRandom(value('server', 'construct a ServerHello', 'ServerHello').subarray(6, 38), value('server', 'create an ephemeral x25519', 'private key')),
  // NSS lists (and so accepts in CertificateRequest) the same algorithms it offers as a client.
  signatureSchemes: NSS_SIGNATURE_ALGORITHMS,
});

describe('RFC 8448 §6 Client Authentication', () => {
  const client = Connection.client(clientConfig);
  const server = Connection.server(serverConfig);
  const { clientHelloRecord, serverFlight, clientFlight } = fullHandshake(client, server);
  const { clientAlert, serverAlert } = closeBoth(client, server);

  it('client writes the RFC ClientHello record', () => {
    expect(hex(clientHelloRecord)).toBe(record('client', 'send handshake record', 0));
  });

  it('server writes the RFC ServerHello and the protected EncryptedExtensions, CertificateRequest, Certificate, CertificateVerify, Finished record', () => {
    expect(splitRecords(serverFlight).map(hex)).toEqual([record('server', 'send handshake record', 0), record('server', 'send handshake record', 1)]);
  });

  it('client writes the RFC protected Certificate, CertificateVerify, Finished record', () => {
    expect(hex(clientFlight)).toBe(record('client', 'send handshake record', 1));
  });

  it('each side authenticates the other by its pinned certificate and closes with the RFC close_notify', () => {
    expect(client.info.peer?.subject).toBe('CN=ecdsa256');
    expect(server.info.peer?.subject).toBe('CN=client');
    expect(server.info.clientAuth).toBe('authenticated');
    expect(hex(clientAlert)).toBe(record('client', 'send alert record'));
    expect(hex(serverAlert)).toBe(record('server', 'send alert record'));
  });
});
