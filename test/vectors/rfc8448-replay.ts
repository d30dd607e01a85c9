// Shared pieces of the RFC 8448 replays: the RFC's server key and certificate, and record splitting.
import type { PrivateKey } from '../../src/crypto/provider.js';
import { recoverPssSalt } from '../../src/crypto/rsa.js';
import type { ClientConfig, ClientHelloShape, ServerConfig } from '../../src/handshake/config.js';
import type { Connection } from '../../src/handshake/connection.js';
import { Reader, fromHex } from '../../src/wire/bytes.js';
import { ExtensionType, NamedGroup, SignatureScheme } from '../../src/wire/enums.js';
import type { Extension } from '../../src/wire/types.js';
import { decodeHandshakeBody } from '../../src/wire/messages.js';
import { findValue, loadRfc8448RsaKey, type Rfc8448Section } from '../../src/testing/rfc8448.js';

const big = (bytes: Uint8Array) => BigInt('0x' + (Buffer.from(bytes).toString('hex') || '0'));

/** The §2 RSA key as our PrivateKey (the server key of §3, §5, §7). */
export function rfcServerKey(): PrivateKey & { kind: 'rsa' } {
  const k = loadRfc8448RsaKey();
  return { kind: 'rsa', n: big(k.modulus), e: big(k.publicExponent), d: big(k.privateExponent), p: big(k.prime1), q: big(k.prime2) };
}

/** Splits a byte stream into whole records. */
export function splitRecords(bytes: Uint8Array): Uint8Array[] {
  const records: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const length = (bytes[at + 3]! << 8) | bytes[at + 4]!;
    records.push(bytes.subarray(at, at + 5 + length));
    at += 5 + length;
  }
  return records;
}

/** The certificate DER inside the RFC's Certificate message of the given actor. */
export function rfcCertificate(section: Rfc8448Section, actor: 'client' | 'server'): Uint8Array {
  const message = findValue(section, actor, 'construct a Certificate handshake message', 'Certificate');
  const decoded = decodeHandshakeBody(message[0]!, message.subarray(4));
  if (decoded.kind !== 'certificate') throw new Error('not a Certificate');
  return decoded.entries[0]!.data;
}

/** The RSA-PSS salt inside the RFC's CertificateVerify signature, recovered with the signer's public key. */
export function rfcPssSalt(section: Rfc8448Section, actor: 'client' | 'server', n: bigint, e: bigint): Uint8Array {
  const message = findValue(section, actor, 'construct a CertificateVerify handshake message', 'CertificateVerify');
  const r = new Reader(message, 4);
  r.u16();
  const signature = r.vec(2);
  return recoverPssSalt({ n, e }, 'sha256', signature);
}


/**
 * The 48 random bytes from which our P-256 key generation makes exactly `privateKey`: noble maps a seed s
 * to (s mod (n - 1)) + 1, so the seed for key k is k - 1. This is how a trace's P-256 key is injected.
 */
export function p256SeedFor(privateKey: Uint8Array): Uint8Array {
  let k = 0n;
  for (const b of privateKey) k = (k << 8n) | BigInt(b);
  k -= 1n;
  const seed = new Uint8Array(48);
  for (let i = 47; i >= 0; i--, k >>= 8n) seed[i] = Number(k & 0xffn);
  return seed;
}

/** The NSS signature_algorithms list of RFC 8448 (with its reserved DSA code points, see vectors/rfc8448/README.md). */
export const NSS_SIGNATURE_ALGORITHMS = [
  0x0403, 0x0503, 0x0603, 0x0203, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0201, 0x0402, 0x0502, 0x0602, 0x0202,
];

/** The groups NSS lists in RFC 8448 §3 and §7, several of which nobody uses here. */
export const NSS_GROUPS = [0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104];

/** The RFC's certificates expired in 2026: replays run at the RFC's own time. */
export const rfcTime = () => Date.UTC(2019, 0, 1);

/** renegotiation_info as NSS sends it in every RFC 8448 ClientHello (an unknown extension to us). */
export const RENEGOTIATION_INFO: Extension = { type: ExtensionType.renegotiation_info, data: fromHex('00') };

/**
 * The RFC's client (NSS): SNI "server", its cipher suite order, and a ClientHello with exactly `extensions`
 * in that order, listing the groups and signature algorithms NSS lists (some of which nobody uses here).
 */
export function nssClient(config: Pick<ClientConfig, 'trust' | 'random'> & Partial<ClientConfig>, extensions: ClientHelloShape['extensions'], shape: ClientHelloShape = {}): ClientConfig {
  return {
    serverName: 'server',
    now: rfcTime,
    cipherSuites: [0x1301, 0x1303, 0x1302],
    // The groups we can use of the ones NSS lists, x25519 first: its one key share is for x25519.
    groups: [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1],
    ...config,
    clientHello: {
      legacySessionId: new Uint8Array(0),
      extensions,
      advertisedGroups: NSS_GROUPS,
      advertisedSignatureSchemes: NSS_SIGNATURE_ALGORITHMS,
      recordSizeLimit: 0x4001,
      ...shape,
    },
  };
}

/** The RFC's server (NSS): its groups (advertised in EncryptedExtensions), record_size_limit, and extension order. */
export function nssServer(config: Pick<ServerConfig, 'random'> & Partial<ServerConfig>): ServerConfig {
  return {
    now: rfcTime,
    groups: NSS_GROUPS,
    signatureSchemes: [SignatureScheme.rsa_pss_rsae_sha256],
    advertiseGroups: true,
    recordSizeLimit: 0x4001,
    encryptedExtensionsOrder: ['supported_groups', 'record_size_limit', 'server_name', 'early_data'],
    ...config,
  };
}

/** The client sends close_notify, the server answers with its own: both records, as the traces end. */
export function closeBoth(client: Connection, server: Connection): { clientAlert: Uint8Array; serverAlert: Uint8Array } {
  client.close();
  const clientAlert = client.takeOutput();
  server.receive(clientAlert);
  server.close();
  const serverAlert = server.takeOutput();
  client.receive(serverAlert);
  return { clientAlert, serverAlert };
}

/** A full handshake: the ClientHello record, the server's flight, the client's second flight. */
export function fullHandshake(client: Connection, server: Connection): { clientHelloRecord: Uint8Array; serverFlight: Uint8Array; clientFlight: Uint8Array } {
  const clientHelloRecord = client.takeOutput();
  server.receive(clientHelloRecord);
  const serverFlight = server.takeOutput();
  client.receive(serverFlight);
  const clientFlight = client.takeOutput();
  server.receive(clientFlight);
  return { clientHelloRecord, serverFlight, clientFlight };
}

/** The traces' application data: bytes 0..49 from the client, then the same from the server. */
export function exchangeData(client: Connection, server: Connection): { clientData: Uint8Array; serverData: Uint8Array } {
  const data = Uint8Array.from({ length: 50 }, (_, i) => i);
  client.write(data);
  const clientData = client.takeOutput();
  server.receive(clientData);
  server.write(data);
  const serverData = server.takeOutput();
  client.receive(serverData);
  return { clientData, serverData };
}
