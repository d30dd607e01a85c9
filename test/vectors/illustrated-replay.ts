// The replay setup for "The Illustrated TLS 1.3 Connection" (vectors/illustrated-tls13/, see its README.md):
// its two editions' values as bytes, and our client and server configured like each edition's endpoints
// (OpenSSL 3.0.1 in the current page, BoringSSL in the archived one). Configs are made fresh per run: their
// fixed random sources and ticket sealers are used up by one handshake.
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PrivateKey } from '../../src/crypto/provider.js';
import { fixedRandom } from '../../src/crypto/random.js';
import { recoverPssSalt } from '../../src/crypto/rsa.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { Reader, fromHex } from '../../src/wire/bytes.js';
import { ExtensionType, NamedGroup, SignatureScheme } from '../../src/wire/enums.js';
import { decodeHandshakeBody } from '../../src/wire/messages.js';

const vectorFile = (name: string) => fileURLToPath(new URL(`../../vectors/illustrated-tls13/${name}`, import.meta.url));

/** Where an edition's files are, under vectors/illustrated-tls13/: the current page at the top, the old one in archive/. */
export type EditionName = 'openssl' | 'boringssl';
const DIRECTORY: Record<EditionName, string> = { openssl: '', boringssl: 'archive/' };

type Hex = string;
interface Side {
  x25519PrivateKey: Hex;
  x25519PublicKey: Hex;
  records: Record<string, Hex>;
  messages: Record<string, Hex>;
}
export interface IllustratedTrace {
  client: Side;
  server: Side;
  keys: Record<string, Hex>;
}

/** The trace as committed; each call reads the files afresh, so a test may alter its copy. */
export function loadTrace(edition: EditionName = 'openssl'): IllustratedTrace {
  return JSON.parse(readFileSync(vectorFile(DIRECTORY[edition] + 'trace.json'), 'utf8')) as IllustratedTrace;
}

/** captures/keylog.txt: NSS key log label → secret (hex); every line names the trace's client random. */
export function loadKeylog(edition: EditionName = 'openssl'): Map<string, Hex> {
  const lines = readFileSync(vectorFile(DIRECTORY[edition] + 'keylog.txt'), 'utf8').trim().split('\n');
  return new Map(lines.map((line) => line.split(' ')).map(([label, , secret]) => [label!, secret!] as const));
}

/** The trace's four traffic keys and IVs (`keys.<traffic>Key`, `keys.<traffic>Iv`) and the key-log secret each comes from. */
export const TRAFFIC_SECRETS = [
  ['clientHandshake', 'CLIENT_HANDSHAKE_TRAFFIC_SECRET'],
  ['serverHandshake', 'SERVER_HANDSHAKE_TRAFFIC_SECRET'],
  ['clientApplication', 'CLIENT_TRAFFIC_SECRET_0'],
  ['serverApplication', 'SERVER_TRAFFIC_SECRET_0'],
] as const;

const bigHex = (base64url: string) => BigInt('0x' + Buffer.from(base64url, 'base64url').toString('hex'));

/** The server's RSA key (PKCS#1 PEM), as our PrivateKey. */
function serverKey(): PrivateKey & { kind: 'rsa' } {
  const jwk = createPrivateKey(readFileSync(vectorFile('server-key.pem'), 'utf8')).export({ format: 'jwk' });
  return { kind: 'rsa', n: bigHex(jwk.n!), e: bigHex(jwk.e!), d: bigHex(jwk.d!), p: bigHex(jwk.p!), q: bigHex(jwk.q!) };
}

/** The certificate DER inside a Certificate message. */
function certificateOf(message: Uint8Array): Uint8Array {
  const decoded = decodeHandshakeBody(message[0]!, message.subarray(4));
  if (decoded.kind !== 'certificate') throw new Error('not a Certificate');
  return decoded.entries[0]!.data;
}

/** The signature inside a CertificateVerify message. */
function signatureOf(message: Uint8Array): Uint8Array {
  const r = new Reader(message, 4);
  r.u16();
  return r.vec(2);
}

/** The opaque ticket inside a NewSessionTicket message (lifetime, age_add, nonce<0..255>, ticket<1..2^16-1>). */
function ticketOf(message: Uint8Array): Uint8Array {
  const r = new Reader(message, 4 + 8);
  r.vec(1);
  return r.vec(2);
}

/** The certificate's validity runs from 2018-10-05 to 2019-10-05: replays run inside it. */
const traceTime = () => Date.UTC(2019, 0, 1);

const empty = new Uint8Array(0);

/** What tells one edition's endpoints from the other's: the client's ClientHello, the server's flight. */
export interface Edition {
  name: EditionName;
  /** The endpoints, as the page names them. */
  stack: string;
  suite: 'TLS_AES_256_GCM_SHA384' | 'TLS_AES_128_GCM_SHA256';
  /** The server's records up to its Finished, then those it sends after the client's Finished, by trace.json name. */
  serverFlight: string[];
  serverAfterHandshake: string[];
  /** The records that carry its NewSessionTickets. */
  ticketRecords: string[];
  client: (trace: IllustratedTrace) => Pick<ClientConfig, 'cipherSuites' | 'clientHello'>;
  server: (tickets: Uint8Array[]) => Pick<ServerConfig, 'cipherSuites' | 'tickets' | 'serverFlight'>;
}

export const EDITIONS: Record<EditionName, Edition> = {
  // The current page (April 2022): OpenSSL 3.0.1 s_client and s_server.
  openssl: {
    name: 'openssl',
    stack: 'OpenSSL 3.0.1',
    suite: 'TLS_AES_256_GCM_SHA384',
    serverFlight: ['serverHello', 'changeCipherSpec', 'encryptedExtensions', 'certificate', 'certificateVerify', 'finished'],
    serverAfterHandshake: ['newSessionTicket1', 'newSessionTicket2', 'applicationData'],
    ticketRecords: ['newSessionTicket1', 'newSessionTicket2'],
    // Its suites with TLS_EMPTY_RENEGOTIATION_INFO_SCSV, groups and signature algorithms we cannot all use
    // (x448, FFDHE, Ed448, RSA-PSS-PSS), and TLS 1.2 extensions unknown to us, sent as given.
    client: () => ({
      cipherSuites: [0x1302, 0x1303, 0x1301],
      clientHello: {
        advertisedCipherSuites: [0x1302, 0x1303, 0x1301, 0x00ff],
        advertisedGroups: [0x001d, 0x0017, 0x001e, 0x0019, 0x0018, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104],
        advertisedSignatureSchemes: [0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0809, 0x080a, 0x080b, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601],
        extensions: [
          'server_name',
          { type: ExtensionType.ec_point_formats, data: fromHex('03000102') },
          'supported_groups',
          { type: ExtensionType.session_ticket, data: empty },
          { type: ExtensionType.encrypt_then_mac, data: empty },
          { type: ExtensionType.extended_master_secret, data: empty },
          'signature_algorithms',
          'supported_versions',
          'psk_key_exchange_modes',
          'key_share',
        ],
      },
    }),
    // One record per handshake message and per ticket, supported_versions before key_share, 8-byte nonces.
    server: (tickets) => ({
      cipherSuites: [0x1302, 0x1303, 0x1301],
      tickets: { count: 2, lifetime: 7200, seal: sealInOrder(tickets) },
      serverFlight: {
        extensionOrder: { serverHello: [ExtensionType.supported_versions, ExtensionType.key_share] },
        serverNameAck: false,
        handshakeRecords: 'one-per-record',
        ticketRecords: 'one-per-record',
        newSessionTicket: { nonceLength: 8 },
      },
    }),
  },
  // The archived first edition: BoringSSL, patched by the author to draw no random bytes.
  boringssl: {
    name: 'boringssl',
    stack: 'BoringSSL',
    suite: 'TLS_AES_128_GCM_SHA256',
    serverFlight: ['serverHello', 'changeCipherSpec', 'handshake'],
    serverAfterHandshake: ['newSessionTickets', 'applicationData'],
    ticketRecords: ['newSessionTickets'],
    client: () => ({
      cipherSuites: [0x1301, 0x1302, 0x1303],
      clientHello: {
        advertisedSignatureSchemes: [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601, 0x0201],
        extensions: ['server_name', 'supported_groups', 'signature_algorithms', 'key_share', 'psk_key_exchange_modes', 'supported_versions'],
      },
    }),
    // The whole flight in one record and both tickets in another (our defaults), key_share before
    // supported_versions, 1-byte nonces, and one RFC 8701 GREASE extension (0x5a5a, empty) in each ticket.
    server: (tickets) => ({
      cipherSuites: [0x1301, 0x1302, 0x1303],
      tickets: { count: 2, lifetime: 172800, seal: sealInOrder(tickets) },
      serverFlight: {
        extensionOrder: { serverHello: [ExtensionType.key_share, ExtensionType.supported_versions] },
        serverNameAck: false,
        newSessionTicket: { nonceLength: 1, extensions: [{ type: 0x5a5a, data: empty }] },
      },
    }),
  },
};

/** A tickets.seal that hands out the trace's opaque tickets, one per call, in order. */
function sealInOrder(tickets: Uint8Array[]): () => Uint8Array {
  let sealed = 0;
  return () => tickets[sealed++]!;
}

/**
 * The edition's client, pinning the trace's certificate. Random draws: client random, session id, x25519 key.
 */
export function traceClient(edition: Edition, trace: IllustratedTrace, overrides: Partial<ClientConfig> = {}): ClientConfig {
  const hello = fromHex(trace.client.records.clientHello!).subarray(5);
  return {
    serverName: 'example.ulfheim.net',
    now: traceTime,
    trust: { kind: 'pinned-certificate', certificates: [certificateOf(fromHex(trace.server.messages.certificate!))] },
    groups: [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1],
    random: fixedRandom(hello.subarray(6, 38), hello.subarray(39, 71), fromHex(trace.client.x25519PrivateKey)),
    ...edition.client(trace),
    ...overrides,
  };
}

/**
 * The edition's server with the trace's certificate and key. Random draws: server random, x25519 key, the
 * RSA-PSS salt (recovered from the trace's signature), each ticket's age_add; the opaque tickets are injected.
 */
export function traceServer(edition: Edition, trace: IllustratedTrace, overrides: Partial<ServerConfig> = {}): ServerConfig {
  const key = serverKey();
  const hello = fromHex(trace.server.records.serverHello!).subarray(5);
  const salt = recoverPssSalt({ n: key.n, e: key.e }, 'sha256', signatureOf(fromHex(trace.server.messages.certificateVerify!)));
  const tickets = [trace.server.messages.newSessionTicket1!, trace.server.messages.newSessionTicket2!].map((m) => fromHex(m));
  return {
    now: traceTime,
    certificate: { chain: [certificateOf(fromHex(trace.server.messages.certificate!))], privateKey: key },
    signatureSchemes: [SignatureScheme.rsa_pss_rsae_sha256],
    random: fixedRandom(hello.subarray(6, 38), fromHex(trace.server.x25519PrivateKey), salt, ...tickets.map((t) => t.subarray(8, 12))),
    ...edition.server(tickets.map(ticketOf)),
    ...overrides,
  };
}
