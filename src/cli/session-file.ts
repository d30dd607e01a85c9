// `connect --sess-out FILE` / `--sess-in FILE`, as openssl s_client's -sess_out/-sess_in: a session ticket
// and what resuming it needs, in a small JSON file (format below, documented in docs/cli.md). The file holds
// the resumption PSK, which is as good as a key for that session: it is written with mode 0600.
//
//   { "format": "tls13-lab session", "version": 1,
//     "serverName": "localhost",            the name the ticket was issued for (RFC 8446 §4.6.1); absent: none
//     "cipherSuite": "TLS_AES_128_GCM_SHA256", the suite whose hash the PSK belongs to (RFC 8446 §4.2.11)
//     "alpn": "http/1.1",                   optional: the protocol of the session (0-RTT must reuse it, §4.2.10)
//     "receivedAt": "2026-12-06T01:00:00.000Z", "lifetime": 7200,   seconds; the ticket age counts from receivedAt
//     "ageAdd": 1234, "maxEarlyDataSize": 16384,                     maxEarlyDataSize optional: no 0-RTT
//     "nonce": HEX, "ticket": BASE64, "psk": HEX,
//     "serverChain": [BASE64 DER, ...], "serverRawPublicKey": false }  what the server presented, re-judged by the
//                                                                       trust flags when resuming; or, for a session of
//     "externalPskIdentity": HEX, "externalPskKeySha256": HEX           an external PSK, that PSK by identity and key
//                                                                       digest (never the key): resumed only while
//                                                                       --psk gives that PSK (client/psk.ts chooseTicket)
import { parseReferenceIdentity } from '../auth/hostname.js';
import { base64Decode, base64Encode } from '../auth/pem.js';
import { evaluateRawPublicKey, evaluateTrust, type PeerIdentity } from '../auth/trust.js';
import type { CryptoProvider } from '../crypto/provider.js';
import type { SessionTicket } from '../handshake/events.js';
import { SUITES } from '../handshake/suites.js';
import { fromHex, hex } from '../wire/bytes.js';
import { readOwnFileFor, UsageError } from './io.js';
import { writeOutputFile } from './output-files.js';

const FORMAT = 'tls13-lab session';
const VERSION = 1;

/**
 * Writes `ticket` to `file` (created or truncated), readable by its owner only. A ticket that names no
 * server identity (one from a resumption under --insecure) is refused: resuming it could not be judged.
 */
export function writeSessionFile(file: string, ticket: SessionTicket): void {
  const server = ticket.externalPsk
    ? { externalPskIdentity: hex(ticket.externalPsk.identity), externalPskKeySha256: hex(ticket.externalPsk.keySha256) }
    : ticket.peer
      ? { serverChain: ticket.peer.chain.map(base64Encode), serverRawPublicKey: ticket.peer.certificateSha256 === undefined }
      : undefined;
  if (!server) throw new Error('the session names no server identity to judge when resuming (it was resumed under --insecure); nothing written');
  const suite = SUITES.get(ticket.cipherSuite);
  const json = {
    format: FORMAT,
    version: VERSION,
    ...(ticket.serverName === undefined ? {} : { serverName: ticket.serverName }),
    cipherSuite: suite?.name ?? ticket.cipherSuite,
    ...(ticket.alpn === undefined ? {} : { alpn: ticket.alpn }),
    receivedAt: new Date(ticket.receivedAt ?? Date.now()).toISOString(),
    lifetime: ticket.lifetime,
    ageAdd: ticket.ageAdd,
    ...(ticket.maxEarlyDataSize === undefined ? {} : { maxEarlyDataSize: ticket.maxEarlyDataSize }),
    nonce: hex(ticket.nonce),
    ticket: base64Encode(ticket.ticket),
    psk: hex(ticket.psk),
    ...server,
  };
  writeOutputFile(file, `${JSON.stringify(json, null, 2)}\n`);
}

/**
 * Reads a session file for a connection to `serverName`. A malformed file, one issued for another server
 * name, or an expired session is a UsageError naming the file: nothing is sent.
 */
export function readSessionFile(file: string, serverName: string, provider: CryptoProvider, now = Date.now()): SessionTicket {
  const bytes = readOwnFileFor('--sess-in', file);
  const bad = (why: string) => new UsageError(`--sess-in ${file}: ${why}`);
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw bad(`not a session file (not JSON; --sess-out writes one)`);
  }
  const field = fieldReader(json, bad);
  if (field.optionalString('format') !== FORMAT || field.optionalNumber('version', 0, Number.MAX_SAFE_INTEGER) !== VERSION) {
    throw bad(`not a "${FORMAT}" file of version ${VERSION} (--sess-out writes one)`);
  }
  const issuedFor = field.optionalString('serverName');
  if (!sameServer(issuedFor, serverName)) {
    throw bad(`the session is for ${issuedFor ?? 'a server with no name'}, not ${serverName} (RFC 8446 §4.6.1: a ticket is only offered to the server that issued it)`);
  }
  const suiteName = field.string('cipherSuite');
  const suite = [...SUITES.values()].find((s) => s.name === suiteName);
  if (!suite) throw bad(`unknown cipherSuite ${suiteName}`);
  const receivedAt = Date.parse(field.string('receivedAt'));
  if (Number.isNaN(receivedAt)) throw bad('receivedAt is not a date');
  const lifetime = field.number('lifetime', 0, 604_800); // RFC 8446 §4.6.1: at most seven days
  if (now >= receivedAt + lifetime * 1000) throw bad(`the session expired at ${new Date(receivedAt + lifetime * 1000).toISOString()}`);
  const maxEarlyDataSize = field.optionalNumber('maxEarlyDataSize', 0, 0xffff_ffff);
  const alpn = field.optionalString('alpn');
  const ticket: SessionTicket = {
    lifetime,
    ageAdd: field.number('ageAdd', 0, 0xffff_ffff),
    nonce: field.hex('nonce', 0, 255),
    ticket: field.base64('ticket', 1, 0xffff),
    psk: field.hex('psk', suite.hashLength, suite.hashLength),
    cipherSuite: suite.code,
    receivedAt,
    ...(issuedFor === undefined ? {} : { serverName: issuedFor }),
    ...(alpn === undefined ? {} : { alpn }),
    ...(maxEarlyDataSize === undefined ? {} : { maxEarlyDataSize }),
  };
  const pskIdentity = field.optionalHex('externalPskIdentity', 1, 0xffff);
  if (pskIdentity) ticket.externalPsk = { identity: pskIdentity, keySha256: field.hex('externalPskKeySha256', 32, 32) };
  // Without the server's chain (or PSK), resumption could not judge who the server is under this run's flags.
  else ticket.peer = storedPeer(field.base64List('serverChain'), field.boolean('serverRawPublicKey'), provider, bad);
  return ticket;
}

/** The same reference identity (RFC 6125 §6.2), so `LOCALHOST` and `localhost` or two IPv6 spellings match. */
function sameServer(issuedFor: string | undefined, serverName: string): boolean {
  if (issuedFor === undefined) return false;
  const a = parseReferenceIdentity(issuedFor);
  const b = parseReferenceIdentity(serverName);
  return typeof a !== 'string' && typeof b !== 'string' && a.kind === b.kind && a.text === b.text;
}

/**
 * The server the session was made with, as the engine stores it in a ticket. The verdict here vouches for
 * nothing: resumption re-judges the chain under the trust flags of this run (handshake/client/psk.ts).
 */
function storedPeer(chain: Uint8Array[], rawPublicKey: boolean, provider: CryptoProvider, bad: (why: string) => UsageError): PeerIdentity {
  const ask = { kind: 'ask' } as const;
  const ctx = { provider, purpose: 'serverAuth' } as const;
  try {
    const { leaf } = rawPublicKey ? evaluateRawPublicKey(ask, chain[0]!, ctx) : evaluateTrust(ask, chain, ctx);
    return { ...leaf.identity, verdict: { trusted: false, rule: 'session file', detail: 'not judged yet' } };
  } catch (e) {
    throw bad(`serverChain: ${(e as Error).message}`);
  }
}

/** Typed access to the JSON object's fields; a missing or mistyped field is a UsageError naming it. */
function fieldReader(json: unknown, bad: (why: string) => UsageError) {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad('not a session file (expected a JSON object)');
  const o = json as Record<string, unknown>;
  const wrong = (name: string, what: string) => bad(`${name}: expected ${what}`);
  const bytes = (name: string, value: unknown, decode: (text: string) => Uint8Array | null, what: string, min: number, max: number) => {
    const decoded = typeof value === 'string' ? decode(value) : null;
    if (!decoded || decoded.length < min || decoded.length > max) throw wrong(name, `${what}, ${min === max ? min : `${min} to ${max}`} bytes`);
    return decoded;
  };
  const hexOrNull = (text: string) => (/^([0-9a-f]{2})*$/i.test(text) ? fromHex(text) : null);
  const reader = {
    string(name: string): string {
      if (typeof o[name] !== 'string') throw wrong(name, 'a string');
      return o[name];
    },
    optionalString: (name: string): string | undefined => (o[name] === undefined ? undefined : reader.string(name)),
    number(name: string, min: number, max: number): number {
      const v = o[name];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw wrong(name, `a whole number from ${min} to ${max}`);
      return v;
    },
    optionalNumber: (name: string, min: number, max: number): number | undefined => (o[name] === undefined ? undefined : reader.number(name, min, max)),
    boolean(name: string): boolean {
      if (typeof o[name] !== 'boolean') throw wrong(name, 'true or false');
      return o[name];
    },
    hex: (name: string, min: number, max: number) => bytes(name, o[name], hexOrNull, 'hex', min, max),
    optionalHex: (name: string, min: number, max: number) => (o[name] === undefined ? undefined : reader.hex(name, min, max)),
    base64: (name: string, min: number, max: number) => bytes(name, o[name], base64Decode, 'base64', min, max),
    base64List(name: string): Uint8Array[] {
      const v = o[name];
      if (!Array.isArray(v) || v.length === 0 || v.length > 16) throw wrong(name, 'a list of 1 to 16 base64 DER entries');
      return v.map((entry, i) => bytes(`${name}[${i}]`, entry, base64Decode, 'base64', 1, 0xff_ffff));
    },
  };
  return reader;
}
