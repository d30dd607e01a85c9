// The replay setup for "The Illustrated TLS 1.3 Connection" (vectors/illustrated-tls13/, see its README.md):
// the trace's values as bytes, and our client and server configured like its OpenSSL 3.0.1 endpoints.
// Configs are made fresh per run: their fixed random sources and ticket sealers are used up by one handshake.
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
export function loadTrace(): IllustratedTrace {
  return JSON.parse(readFileSync(vectorFile('trace.json'), 'utf8')) as IllustratedTrace;
}

/** captures/keylog.txt: NSS key log label → secret (hex); every line names the trace's client random. */
export function loadKeylog(): Map<string, Hex> {
  const lines = readFileSync(vectorFile('keylog.txt'), 'utf8').trim().split('\n');
  return new Map(lines.map((line) => line.split(' ')).map(([label, , secret]) => [label!, secret!] as const));
}

const bigHex = (base64url: string) => BigInt('0x' + Buffer.from(base64url, 'base64url').toString('hex'));

/** The server's RSA key (PKCS#1 PEM), as our PrivateKey. */
export function serverKey(): PrivateKey & { kind: 'rsa' } {
  const jwk = createPrivateKey(readFileSync(vectorFile('server-key.pem'), 'utf8')).export({ format: 'jwk' });
  return { kind: 'rsa', n: bigHex(jwk.n!), e: bigHex(jwk.e!), d: bigHex(jwk.d!), p: bigHex(jwk.p!), q: bigHex(jwk.q!) };
}

/** The certificate DER inside a Certificate message. */
export function certificateOf(message: Uint8Array): Uint8Array {
  const decoded = decodeHandshakeBody(message[0]!, message.subarray(4));
  if (decoded.kind !== 'certificate') throw new Error('not a Certificate');
  return decoded.entries[0]!.data;
}

/** The signature inside a CertificateVerify message. */
export function signatureOf(message: Uint8Array): Uint8Array {
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
export const traceTime = () => Date.UTC(2019, 0, 1);

/** The groups OpenSSL 3.0.1 lists, several of which we cannot use (x448 and the FFDHE groups). */
const OPENSSL_GROUPS = [0x001d, 0x0017, 0x001e, 0x0019, 0x0018, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104];
/** Its signature_algorithms, in its order (Ed448 and the RSA-PSS-PSS schemes included). */
const OPENSSL_SIGNATURE_ALGORITHMS = [
  0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0809, 0x080a, 0x080b, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601,
];
const empty = new Uint8Array(0);

/**
 * The trace's client (OpenSSL 3.0.1 s_client): its suites with TLS_EMPTY_RENEGOTIATION_INFO_SCSV, and the
 * TLS 1.2 extensions it sends beside TLS 1.3's (ec_point_formats, session_ticket, encrypt_then_mac,
 * extended_master_secret), unknown to us and sent as given. Random draws: client random, session id, x25519 key.
 */
export function traceClient(trace: IllustratedTrace, overrides: Partial<ClientConfig> = {}): ClientConfig {
  const hello = fromHex(trace.client.records.clientHello!).subarray(5);
  return {
    serverName: 'example.ulfheim.net',
    now: traceTime,
    trust: { kind: 'pinned-certificate', certificates: [certificateOf(fromHex(trace.server.messages.certificate!))] },
    cipherSuites: [0x1302, 0x1303, 0x1301],
    groups: [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1],
    random: fixedRandom(hello.subarray(6, 38), hello.subarray(39, 71), fromHex(trace.client.x25519PrivateKey)),
    clientHello: {
      advertisedCipherSuites: [0x1302, 0x1303, 0x1301, 0x00ff],
      advertisedGroups: OPENSSL_GROUPS,
      advertisedSignatureSchemes: OPENSSL_SIGNATURE_ALGORITHMS,
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
    ...overrides,
  };
}

/**
 * The trace's server (OpenSSL 3.0.1 s_server): one record per handshake message and per ticket, ServerHello
 * extensions supported_versions then key_share, no server_name acknowledgement, two tickets with 8-byte
 * nonces and a lifetime of 7200 s. Random draws: server random, x25519 key, the RSA-PSS salt (recovered from
 * the trace's signature), each ticket's age_add (zero in the trace); the opaque tickets are injected.
 */
export function traceServer(trace: IllustratedTrace, overrides: Partial<ServerConfig> = {}): ServerConfig {
  const key = serverKey();
  const hello = fromHex(trace.server.records.serverHello!).subarray(5);
  const salt = recoverPssSalt({ n: key.n, e: key.e }, 'sha256', signatureOf(fromHex(trace.server.messages.certificateVerify!)));
  const tickets = [trace.server.messages.newSessionTicket1!, trace.server.messages.newSessionTicket2!].map((m) => fromHex(m));
  const ageAdds = tickets.map((t) => t.subarray(8, 12));
  let sealed = 0;
  return {
    now: traceTime,
    certificate: { chain: [certificateOf(fromHex(trace.server.messages.certificate!))], privateKey: key },
    cipherSuites: [0x1302, 0x1303, 0x1301],
    signatureSchemes: [SignatureScheme.rsa_pss_rsae_sha256],
    random: fixedRandom(hello.subarray(6, 38), fromHex(trace.server.x25519PrivateKey), salt, ...ageAdds),
    tickets: { count: 2, lifetime: 7200, seal: () => ticketOf(tickets[sealed++]!) },
    serverFlight: {
      extensionOrder: { serverHello: [ExtensionType.supported_versions, ExtensionType.key_share] },
      serverNameAck: false,
      handshakeRecords: 'one-per-record',
      ticketRecords: 'one-per-record',
      newSessionTicket: { nonceLength: 8 },
    },
    ...overrides,
  };
}
